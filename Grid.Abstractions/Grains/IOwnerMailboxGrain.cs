namespace Grid.Grains;

/// <summary>
/// What a borrower tells an owner: it holds refs to one of the owner's objects now, or no longer.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record BorrowNotice([property: Id(0)] ObjectId Id, [property: Id(1)] GrainId Borrower, [property: Id(2)] bool Added);

/// <summary>
/// A client owner's inbox for borrower notices, keyed by the client's owner address. Silos post to it (silo-to-silo
/// calls); the client long-polls it. Calls from a silo into a client's observer travel through the client's gateway
/// and were seen never to arrive in multi-silo runs, so nothing a client must hear for reference counting goes
/// that way.
/// </summary>
internal interface IOwnerMailboxGrain : IGrainWithStringKey
{
    /// <summary>
    /// Queues notices in order (a borrower posts its additions before its removals) and completes once the owner
    /// has applied them, so a borrower that awaited its registration knows the owner counts it; after a while
    /// without the owner taking them (it died), completes anyway.
    /// </summary>
    Task Post(BorrowNotice[] notices);

    /// <summary>
    /// Acknowledges the notices taken before (up to <paramref name="applied"/>, as applied by the owner), then
    /// returns the next ones, waiting up to <paramref name="wait"/> for some to arrive.
    /// </summary>
    Task<BorrowBatch> Take(long applied, TimeSpan wait);
}

/// <summary>Notices for an owner; <see cref="Last"/> numbers the last one (the owner acknowledges it with its next take).</summary>
[GenerateSerializer, Immutable]
internal sealed record BorrowBatch([property: Id(0)] BorrowNotice[] Notices, [property: Id(1)] long Last);
