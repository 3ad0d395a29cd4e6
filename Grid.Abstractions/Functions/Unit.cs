namespace Grid;

/// <summary>The result of a remote call that returns nothing (a void or Task method).</summary>
[GenerateSerializer, Immutable]
public readonly record struct Unit
{
    public static readonly Unit Value = default;
    public override string ToString() => "()";
}
