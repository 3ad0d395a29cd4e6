using Grid.Grains;
using Grid.Wire;

namespace Grid.Silo.Gcs;

/// <summary>Answers GCS questions from clients and grains out of the local silo's GCS connection.</summary>
[StatelessWorker]
internal sealed class GcsGrain(IGcs gcs, Raylet.ClusterView view) : Grain, IGcsGrain
{
    public Task<NodeInfo[]> GetNodes() => Task.FromResult(view.Nodes);
    public Task<ActorInfo> RegisterActor(ActorInfo actor) => gcs.RegisterActorAsync(actor);
    public Task<ActorInfo?> GetActor(ActorId id) => gcs.GetActorAsync(id);
    public Task<ActorInfo?> GetNamedActor(string ns, string name) => gcs.GetNamedActorAsync(ns, name);
    public Task<ActorInfo> WaitActorPlaced(ActorId id) => gcs.WaitActorPlacedAsync(id, CancellationToken.None);
    public Task UpdateActor(ActorInfo actor) => gcs.UpdateActorAsync(actor);
}
