namespace Grid.Wire;

/// <summary>
/// One task's result in a batch submission (<see cref="Grains.IRayletGrain.SubmitTasks"/>): which
/// task of the batch it answers (its index there), and its payload.
/// </summary>
[GenerateSerializer, Immutable]
internal readonly record struct TaskOutcome([property: Id(0)] int Index, [property: Id(1)] ObjectPayload Payload);

/// <summary>What a node did with a cancel (see <c>IRayletGrain.CancelTask</c>).</summary>
internal enum CancelOutcome : byte
{
    /// <summary>The task is not here (never came, forwarded, or finished): its id is remembered in case it arrives.</summary>
    NotHere,
    /// <summary>The task was waiting (for arguments or resources) and is dropped; its result is cancelled.</summary>
    Queued,
    /// <summary>The task runs: its token fired; its result is cancelled when it stops (at once when forced).</summary>
    Running,
}
