namespace Grid.Wire;

/// <summary>
/// The wire form of an <see cref="ObjectRef"/>: the object's id and its owner, the process that
/// submitted the task or made the put and that answers where the value is.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record ObjectRefData([property: Id(0)] ObjectId Id, [property: Id(1)] GrainId Owner);
