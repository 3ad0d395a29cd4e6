using Grid.Core;
using Grid.Grains;
using Grid.Wire;

namespace Grid.Hosting;

/// <summary>A client's owner endpoint: an Orleans observer that answers for the client's objects.</summary>
internal sealed class ClientOwnerEndpoint : IClientOwner
{
    public CoreWorker? Worker { get; set; }

    private CoreWorker Ready => Worker ?? throw new InvalidOperationException("The client is still starting.");

    public Task<ObjectPayload> GetObject(ObjectId id) => Ready.GetOwnedPayload(id);

    public Task<ObjectPayload> RebuildObject(ObjectId id, NodeId lostOn) => Ready.RebuildLostAsync(id, lostOn);

    public Task AddBorrower(ObjectId id, GrainId borrower)
    {
        Ready.AddBorrower(id, borrower);
        return Task.CompletedTask;
    }

    public Task RemoveBorrower(ObjectId id, GrainId borrower)
    {
        Ready.RemoveBorrower(id, borrower);
        return Task.CompletedTask;
    }

    public Task<ReferenceCounts[]> GetReferenceCounts(ObjectId[] ids) => Task.FromResult(Ready.GetReferenceCounts(ids));
}
