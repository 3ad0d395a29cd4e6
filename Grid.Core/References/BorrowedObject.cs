namespace Grid.Core.References;

/// <summary>
/// A ref this process holds to another process's object. The first reference registers this process as a borrower
/// with the owner; the last one, when released, unregisters it (after the registration, so the owner never sees
/// them out of order).
/// </summary>
internal sealed class BorrowedRef(ObjectId id, GrainId owner) : ReferenceEntry(id)
{
    private int _registering;

    public GrainId Owner { get; } = owner;

    /// <summary>The registration with the owner; null until the first reference starts it.</summary>
    public Task? Registration { get; private set; }

    /// <summary>True for exactly one caller: the one that must register this process with the owner.</summary>
    public bool ClaimRegistration() => Interlocked.Exchange(ref _registering, 1) == 0;

    public void SetRegistration(Task registration) => Registration = registration;
}
