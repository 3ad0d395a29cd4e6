using Grid.Grains;
using Grid.Wire;

namespace Grid.Silo;

/// <summary>The silo's owner endpoint: answers other processes about objects this node's core worker owns.</summary>
[NodePinnedPlacement, Reentrant]
internal sealed class NodeOwnerGrain(NodeRuntime node) : Grain, INodeOwnerGrain
{
    public Task<ObjectPayload> GetObject(ObjectId id) => node.Worker.GetOwnedPayload(id);

    public Task<ObjectPayload> RebuildObject(ObjectId id, NodeId lostOn) => node.Worker.RebuildLostAsync(id, lostOn);

    public Task AddBorrower(ObjectId id, GrainId borrower)
    {
        node.Worker.AddBorrower(id, borrower);
        return Task.CompletedTask;
    }

    public Task RemoveBorrower(ObjectId id, GrainId borrower)
    {
        node.Worker.RemoveBorrower(id, borrower);
        return Task.CompletedTask;
    }

    public Task<ReferenceCounts[]> GetReferenceCounts(ObjectId[] ids) => Task.FromResult(node.Worker.GetReferenceCounts(ids));
}
