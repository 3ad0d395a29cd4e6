using Grid.Grains;

namespace Grid.ObjectStore;

/// <summary>Serves <see cref="IObjectTransferGrain"/> on the node its key names.</summary>
[NodePinnedPlacement, Reentrant]
internal sealed class ObjectTransferGrain(ObjectTransferServer server) : Grain, IObjectTransferGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // On another silo it would hand out that silo's port under this node's name: refuse, as the store grain does.
        var key = this.GetPrimaryKeyString();
        var here = GrainContext.Address.SiloAddress;
        if (here is not null && key != here.ToParsableString())
            throw new InvalidOperationException($"The transfer grain for node {key} was placed on silo {here.ToParsableString()}; register NodePinnedPlacementDirector for NodePinnedPlacement.");
        return base.OnActivateAsync(cancellationToken);
    }

    public Task<TransferEndpoint?> GetEndpoint() => Task.FromResult(server.Endpoint);
}
