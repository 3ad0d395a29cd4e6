using Grid.Grains;
using Grid.Silo.Gcs;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Actors;

/// <summary>
/// Ray's fate-sharing of owned actors: an actor created by another actor's code is owned by that actor (its GCS record
/// names it, <see cref="ActorInfo.OwnerActor"/>), and when the owner dies for good its non-detached actors are killed,
/// which kills theirs in turn. A restart of the owner is not a death: what it owns lives on. Told of every death
/// <see cref="ActorRecords"/> writes, on whichever node wrote it (the owner's host, or the node that found its node gone).
/// </summary>
internal sealed partial class OwnedActors(IGcs gcs, IGrainFactory grains, ILogger<OwnedActors> logger)
{
    /// <summary>The actor <paramref name="dead"/> describes was just recorded dead: its owned actors go, in the background.</summary>
    public void OwnerDied(ActorInfo dead) => _ = Task.Run(() => KillOwnedAsync(dead.ActorId, dead.DeathCause ?? "it died"));

    private async Task KillOwnedAsync(ActorId owner, string cause)
    {
        ActorInfo[] owned;
        try { owned = await gcs.GetOwnedActorsAsync(owner).ConfigureAwait(false); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogReadFailed(e, owner);
            return;
        }
        var why = $"its owner actor {owner} died ({cause})";
        await Task.WhenAll(owned.Where(a => a.State != ActorState.Dead && a.Lifetime != ActorLifetime.Detached).Select(async a =>
        {
            try { await grains.GetGrain<IActorHostGrain>(a.ActorId.Value).Kill(why).ConfigureAwait(false); }
            catch (Exception e) when (e is not OutOfMemoryException) { LogKillFailed(e, a.ActorId, owner); }
        })).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 2131, Level = LogLevel.Warning, Message = "Could not read the actors owned by dead actor {Owner}; they live on until their job ends")]
    private partial void LogReadFailed(Exception error, ActorId owner);

    [LoggerMessage(EventId = 2132, Level = LogLevel.Warning, Message = "Could not kill actor {Actor}, owned by dead actor {Owner}; it lives on until its job ends")]
    private partial void LogKillFailed(Exception error, ActorId actor, ActorId owner);
}
