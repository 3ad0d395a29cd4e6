using System.Collections.Concurrent;
using Grid.Core;
using Grid.Wire;

namespace Grid.Silo.Actors;

/// <summary>
/// The actors this silo hosts that are built and alive, for its own core worker (the embedded client, and tasks and
/// actors running here) to call without a grain message (see <see cref="ILocalActors"/>). A host joins once its
/// constructor succeeded and leaves when it is killed or deactivated; a call that finds no host here, or one that
/// cannot start at once, goes through the host grain as before, which handles activation, ordering waits and death.
/// </summary>
internal sealed class LocalActors : ILocalActors
{
    private readonly ConcurrentDictionary<ActorId, ActorHostGrain> _hosts = new();

    /// <summary>Actors built and alive on this node.</summary>
    public int Count => _hosts.Count;

    public void Add(ActorId id, ActorHostGrain host) => _hosts[id] = host;

    public void Remove(ActorId id, ActorHostGrain host) => _hosts.TryRemove(new KeyValuePair<ActorId, ActorHostGrain>(id, host));

    public bool TryStart(ActorCallSpec call, TaskCompletionSource<ObjectPayload> result) =>
        _hosts.TryGetValue(call.ActorId, out var host) && host.TryStartLocal(call, result);
}
