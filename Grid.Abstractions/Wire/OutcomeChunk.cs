namespace Grid.Wire;

/// <summary>
/// Part of the answer to a batch of calls: the outcomes that were ready (at least one, unless the batch was empty),
/// and where to ask for the rest. <see cref="Next"/> is 0 once every outcome of the batch has been sent.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record OutcomeChunk([property: Id(0)] TaskOutcome[] Outcomes, [property: Id(1)] long Next);
