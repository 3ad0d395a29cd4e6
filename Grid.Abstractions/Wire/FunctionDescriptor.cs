namespace Grid.Wire;

/// <summary>
/// Names a method (a static function, a lambda body, an actor method or constructor) so that another
/// process can find it: the declaring type's assembly-qualified name plus the method's metadata token,
/// which also tells compiler-generated lambda bodies apart. <see cref="DisplayName"/> is for errors.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record FunctionDescriptor(
    [property: Id(0)] string TypeName,
    [property: Id(1)] string MethodName,
    [property: Id(2)] int MetadataToken,
    [property: Id(3)] int ParameterCount,
    [property: Id(4)] string DisplayName)
{
    public override string ToString() => DisplayName;
}
