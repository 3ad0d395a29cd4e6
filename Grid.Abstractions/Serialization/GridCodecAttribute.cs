namespace Grid.Serialization;

/// <summary>
/// Names the codec that writes values of the class it marks, for types the serializer cannot know (it lives below the
/// SDK: <c>ActorHandle&lt;T&gt;</c> is the SDK's). On a generic class, <see cref="Codec"/> is the codec's generic
/// definition, closed with the class's type arguments; the codec has a parameterless constructor.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class GridCodecAttribute(Type codec) : Attribute
{
    public Type Codec { get; } = codec;
}
