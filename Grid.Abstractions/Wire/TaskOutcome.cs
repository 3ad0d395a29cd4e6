namespace Grid.Wire;

/// <summary>
/// One task's result in a batch submission (<see cref="Grains.IRayletGrain.SubmitTasks"/>): which
/// task of the batch it answers (its index there), and its payload.
/// </summary>
[GenerateSerializer, Immutable]
internal readonly record struct TaskOutcome([property: Id(0)] int Index, [property: Id(1)] ObjectPayload Payload);
