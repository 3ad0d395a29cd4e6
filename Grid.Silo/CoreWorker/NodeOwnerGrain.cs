using Grid.Grains;
using Grid.Wire;

namespace Grid.Silo;

/// <summary>The silo's owner endpoint: answers other processes about objects this node's core worker owns.</summary>
[NodePinnedPlacement, Reentrant]
internal sealed class NodeOwnerGrain(NodeRuntime node) : Grain, INodeOwnerGrain
{
    public Task<ObjectPayload> GetObject(ObjectId id) => node.Worker.GetOwnedPayload(id);
}
