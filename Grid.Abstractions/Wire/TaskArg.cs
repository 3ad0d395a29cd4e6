namespace Grid.Wire;

/// <summary>
/// One argument of a task or actor call: serialized bytes, or a reference to an object that is
/// resolved (fetched and deserialized) where the task runs.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed class TaskArg
{
    [Id(0)] public byte[]? Inline { get; init; }
    [Id(1)] public ObjectRefData? Ref { get; init; }
    /// <summary>Set by the raylet once a ref's payload is known (and, if stored, local), so the executor need not ask again.</summary>
    [Id(2)] public ObjectPayload? Resolved { get; init; }

    public static TaskArg Value(byte[] bytes) => new() { Inline = bytes };
    public static TaskArg Reference(ObjectRefData r) => new() { Ref = r };
}
