using Grid.Silo.Gcs;
using Grid.Silo.Raylet;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Actors;

/// <summary>
/// Decides what follows an actor's death, from its GCS record: the next incarnation (its constructor run again on
/// a feasible node, as in Ray) while its MaxRestarts allows, else Dead (which releases its name). Every live node
/// watches membership (<see cref="ClusterView.NodeLeft"/>) and looks for actors recorded on the node that left, so
/// the decision does not depend on one node surviving; a conditional GCS write per incarnation
/// (<see cref="IActorTable.TryUpdateActorAsync"/>) makes exactly one node act on each death. The node that wins
/// records itself as the restart's driver; if it dies before the actor is built, another node takes the restart
/// over (without counting it twice). The node's own core worker also hears of the departure, so its calls to
/// actors that lived there stop waiting.
/// </summary>
internal sealed partial class ActorRestarter(ClusterView view, IGcs gcs, NodeRuntime node, ILogger<ActorRestarter> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ActorRestarter), ServiceLifecycleStage.Active, _ =>
        {
            view.NodeLeft += OnNodeLeft;
            return Task.CompletedTask;
        }, _ =>
        {
            view.NodeLeft -= OnNodeLeft;
            return Task.CompletedTask;
        });

    private void OnNodeLeft(NodeId gone)
    {
        node.Worker.ActorNodeLeft(gone);
        _ = Task.Run(() => RecoverActorsOfAsync(gone));
    }

    private async Task RecoverActorsOfAsync(NodeId gone)
    {
        try
        {
            foreach (var actor in await gcs.GetActorsAsync().ConfigureAwait(false))
                if (actor.Node == gone && actor.State is ActorState.Alive or ActorState.Restarting)
                    await RestartOrEndAsync(actor, $"its node {gone} died").ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogRecoveryFailed(e, gone);
        }
    }

    /// <summary>
    /// The incarnation <paramref name="dying"/> describes is gone (its node died, or it was killed for a restart):
    /// starts the next one, or records the actor dead, unless another node already decided for this incarnation.
    /// </summary>
    public async Task RestartOrEndAsync(ActorInfo dying, string cause)
    {
        if (dying.State == ActorState.Restarting)
        {
            // The node driving this restart died before the actor was built: drive it from here, as the same restart.
            var takeover = dying with { Node = node.NodeId };
            if (await gcs.TryUpdateActorAsync(dying, takeover).ConfigureAwait(false)) await BuildAsync(takeover).ConfigureAwait(false);
            return;
        }
        if (!dying.MayRestart)
        {
            var dead = dying with { State = ActorState.Dead, DeathCause = cause, PendingReason = null, DiedAt = DateTimeOffset.UtcNow };
            if (await gcs.TryUpdateActorAsync(dying, dead).ConfigureAwait(false)) LogDied(dying.ActorId, cause, dying.RestartCount);
            return;
        }
        var restarting = dying with
        {
            State = ActorState.Restarting, RestartCount = dying.RestartCount + 1, Node = node.NodeId, DeathCause = cause, DiedAt = DateTimeOffset.UtcNow,
        };
        if (await gcs.TryUpdateActorAsync(dying, restarting).ConfigureAwait(false)) await BuildAsync(restarting).ConfigureAwait(false);
    }

    private async Task BuildAsync(ActorInfo restarting)
    {
        LogRestarting(restarting.ActorId, restarting.RestartCount, restarting.MaxRestarts, restarting.DeathCause ?? "");
        try
        {
            await node.Worker.RestartActorAsync(restarting.Spec!.ForIncarnation(restarting.RestartCount)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Placement records unschedulable actors dead itself; anything else that stopped the restart is recorded here.
            var now = await gcs.GetActorAsync(restarting.ActorId).ConfigureAwait(false);
            if (now is { State: ActorState.Restarting } && now.Node == node.NodeId)
                await gcs.TryUpdateActorAsync(now, now with { State = ActorState.Dead, DeathCause = $"it could not be restarted after {restarting.DeathCause}: {e.Message}" }).ConfigureAwait(false);
            LogRestartFailed(e, restarting.ActorId);
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Restarting actor {Actor} (restart {Restart} of {MaxRestarts}; -1 is unlimited): {Cause}")]
    private partial void LogRestarting(ActorId actor, int restart, int maxRestarts, string cause);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Actor {Actor} is dead after {Restarts} restarts: {Cause}")]
    private partial void LogDied(ActorId actor, string cause, int restarts);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Restarting actor {Actor} failed")]
    private partial void LogRestartFailed(Exception error, ActorId actor);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Looking for the actors of departed node {Node} failed; they are restarted when another node notices")]
    private partial void LogRecoveryFailed(Exception error, NodeId node);
}
