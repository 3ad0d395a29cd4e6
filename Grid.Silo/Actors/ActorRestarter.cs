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
/// (<see cref="ActorRecords.TryUpdateAsync"/>) makes exactly one node act on each death. The node that wins
/// records itself as the restart's driver; if it dies before the actor is built, another node takes the restart
/// over (without counting it twice). The node's own core worker also hears of the departure, so its calls to
/// actors that lived there stop waiting.
/// </summary>
internal sealed partial class ActorRestarter(ClusterView view, ActorRecords records, NodeRuntime node, ILogger<ActorRestarter> logger) : ILifecycleParticipant<ISiloLifecycle>
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
            foreach (var actor in await records.GetAllAsync().ConfigureAwait(false))
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
        // Each decision is for the incarnation that died, as recorded: once another node has written its own, this one
        // no longer applies.
        var fence = ActorFence.Of(dying);
        bool Dying(ActorInfo stored) => ActorFence.Of(stored) == fence;
        if (dying.State == ActorState.Restarting)
        {
            // The node driving this restart died before the actor was built: drive it from here, as the same restart.
            if (await records.TryUpdateAsync(dying, stored => Dying(stored) ? stored with { Node = node.NodeId } : null).ConfigureAwait(false) is { } takeover)
                await BuildAsync(takeover).ConfigureAwait(false);
            return;
        }
        if (!dying.MayRestart)
        {
            if (await records.RecordDeadAsync(dying, cause, Dying).ConfigureAwait(false) is not null) LogDied(dying.ActorId, cause, dying.RestartCount);
            return;
        }
        var restarting = await records.TryUpdateAsync(dying, stored => Dying(stored) ? stored with
        {
            State = ActorState.Restarting, RestartCount = stored.RestartCount + 1, Node = node.NodeId, DeathCause = cause, DiedAt = DateTimeOffset.UtcNow,
        } : null).ConfigureAwait(false);
        if (restarting is not null) await BuildAsync(restarting).ConfigureAwait(false);
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
            // Placement records unschedulable actors dead itself; anything else that stopped the restart is recorded
            // here, if the restart is still this node's to drive.
            await records.RecordDeadAsync(restarting.ActorId, $"it could not be restarted after {restarting.DeathCause}: {e.Message}",
                stored => stored is { State: ActorState.Restarting } && stored.Node == node.NodeId).ConfigureAwait(false);
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
