using Grid.Wire;

namespace Grid.Silo.Gcs;

/// <summary>
/// The global control store: low-rate cluster metadata (nodes and their resources, actors, named
/// actors). Nothing per task goes through it. A Redis implementation backs real clusters; the
/// in-memory one serves the embedded mode and in-process test clusters.
/// </summary>
public interface IGcs
{
    Task UpsertNodeAsync(NodeInfo node);
    Task<NodeInfo[]> GetNodesAsync();
    Task MarkNodeDeadAsync(NodeId node);

    /// <summary>Registers an actor. If it is named and a live actor already has that name, returns that one instead (atomically).</summary>
    Task<ActorInfo> RegisterActorAsync(ActorInfo actor);
    Task<ActorInfo?> GetActorAsync(ActorId id);
    Task<ActorInfo?> GetNamedActorAsync(string ns, string name);
    Task UpdateActorAsync(ActorInfo actor);
    /// <summary>Completes when the actor is alive (placed and constructed) or dead.</summary>
    Task<ActorInfo> WaitActorPlacedAsync(ActorId id, CancellationToken cancellationToken);
}
