using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grid.Core.References;
using Grid.Grains;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Core;

/// <summary>
/// Lineage reconstruction (Ray's object recovery). A reader that finds every copy of a stored object gone with its node
/// tells the object's owner (<see cref="RecoverLostAsync"/>); the owner re-runs the task that made the object, counted
/// against that task's <c>MaxRetries</c>, and answers with the new payload (<see cref="RebuildLostAsync"/>). An argument of
/// that task that is lost too is rebuilt the same way, by the node that runs the rebuild asking the argument's owner.
/// Objects without lineage (puts, actor results, tasks with <c>MaxRetries = 0</c>) fail with <see cref="ObjectLostException"/>.
/// </summary>
internal sealed partial class CoreWorker
{
    private static readonly Counter<long> ObjectsReconstructed = Meter.CreateCounter<long>("grid.objects.reconstructed",
        description: "Lost stored objects whose task this owner ran again");

    /// <summary>How long an owner waits for a node a reader could not read from to be declared dead before it rebuilds.</summary>
    private static readonly TimeSpan DeathConfirmation = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a reader that could not read a copy waits for the copy's node to be declared dead before it reads the
    /// copy again: membership declares a killed node dead in about 3 s, and a client's view follows within its refresh.
    /// </summary>
    private static readonly TimeSpan ReaderDeathWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Rebuild k sends attempts numbered from k × this: far from the attempts of the first run, which a raylet may still
    /// remember (a lost answer is kept a while), so a rebuild is never mistaken for one of them.
    /// </summary>
    private const int RebuildAttemptStride = 1000;

    /// <summary>A reader asks the owner at most this many times per read: a value lost again while it is read is rare.</summary>
    private const int MaxRecoveriesPerRead = 3;

    private int _lineageFullLogged;

    /// <summary>The default of <see cref="MaxLineageBytes"/>: 256 MiB.</summary>
    public const long DefaultMaxLineageBytes = OwnedObjects.DefaultMaxLineageBytes;

    /// <summary>The most bytes of task specs this owner keeps as lineage; past it, new results cannot be rebuilt.</summary>
    public long MaxLineageBytes
    {
        get => Owned.MaxLineageBytes;
        set => Owned.MaxLineageBytes = value >= 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxLineageBytes must be 0 (keep no lineage) or more (256 MiB by default).");
    }

    /// <summary>Bytes of task specs kept as lineage now.</summary>
    public long LineageBytes => Owned.LineageBytes;

    /// <param name="returnIndex">Which of the task's returns <paramref name="entry"/> is (see CoreWorker.Returns).</param>
    internal void KeepLineage(OwnedObject entry, TaskSpec spec, int maxRetries, int returnIndex = 0)
    {
        if (maxRetries == 0 || Owned.KeepLineage(entry, spec, maxRetries, returnIndex)) return;
        if (Interlocked.Exchange(ref _lineageFullLogged, 1) == 0) Log.LineageFull(_logger, Owned.MaxLineageBytes);
    }

    /// <summary>Whether a read of a stored copy failed because the copy is gone (its node died, or it holds no such object).</summary>
    private static bool IsCopyLost(Exception e) => e is ObjectLostException || FailureClassifier.IsNodeFailure(e);

    /// <summary>
    /// Reader side: no copy of stored object <paramref name="id"/> (<paramref name="lost"/>) could be read, the last try
    /// failing with <paramref name="failure"/>. Returns the payload to read instead, once its owner rebuilt it, or throws
    /// the error that says why it cannot be.
    /// </summary>
    private async Task<ObjectPayload> RecoverLostAsync(ObjectId id, GrainId owner, ObjectPayload lost, Exception failure)
    {
        // A silo that could not place the copy's store because its membership has the node dead is proof enough: this
        // process's own view, read from the GCS every couple of seconds, may lag (or the GCS grain died with the node).
        if (failure is NodeDiedException { InnerException: null }) OnNodeDied(lost.Node);
        // A read can fail on the way to a copy that is fine (a gateway that died carried it): while the copy's node is
        // not known dead, wait for its death a while, and if it lives, read the same copy again.
        if (!await ConfirmDeadAsync(lost.Node, ReaderDeathWait).ConfigureAwait(false)) return lost;
        ObjectPayload next;
        if (owner == OwnerAddress) next = await RebuildLostAsync(id, lost.Node).ConfigureAwait(false);
        else
        {
            try
            {
                var asked = Grains.GetGrain<IObjectOwner>(owner).RebuildObject(id, lost.Node);
                var gone = _references.IsNodeOwner(owner) ? null : _references.WhenGone(owner);
                next = gone is not null && await Task.WhenAny(asked, gone).ConfigureAwait(false) == gone
                    ? ObjectPayload.Failed(OwnerErrors.Died(id, owner, gone.Result))
                    : await asked.ConfigureAwait(false);
            }
            catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
            {
                next = ObjectPayload.Failed(OwnerErrors.Died(id, owner, $"{e.GetType().Name}: {e.Message}"));
            }
        }
        if (next.Kind == PayloadKind.Error) throw Serializer.ToException(next.Error!);
        if (next.Kind == PayloadKind.Stored && next.Node == lost.Node)
            throw new ObjectLostException($"Object {id} could not be read from node {lost.Node} ({failure.GetType().Name}: {failure.Message}), and its owner still lists that copy; get it again.");
        if (_borrowed.TryGetValue(id, out var cached)) _borrowed.TryUpdate(id, next, cached);
        return next;
    }

    /// <summary>
    /// Owner side: a reader found every copy of owned object <paramref name="id"/>, last stored on <paramref name="lostOn"/>,
    /// gone. Once that node is confirmed dead, the first such report re-runs the object's task; every report gets the
    /// rebuilt payload, or an error payload (<see cref="ObjectLostException"/>) when the object cannot be rebuilt.
    /// </summary>
    public async Task<ObjectPayload> RebuildLostAsync(ObjectId id, NodeId lostOn)
    {
        if (!Owned.TryGetEntry(id, out var entry)) return await GetOwnedPayload(id).ConfigureAwait(false);
        var current = entry.Payload.Task;
        if (current is not { IsCompletedSuccessfully: true, Result: { Kind: PayloadKind.Stored } stored } || stored.Node != lostOn)
            return await current.ConfigureAwait(false); // rebuilt already, or being rebuilt
        if (!await ConfirmDeadAsync(lostOn, DeathConfirmation).ConfigureAwait(false))
            return LostError(id, $"it could not be read from node {lostOn}, which is still in the cluster after {DeathConfirmation.TotalSeconds:0} s; get it again");
        if (!entry.TryStartRebuild(lostOn, e => Unrecoverable(e, lostOn), out var now, out var next))
            return await GetOwnedPayload(id).ConfigureAwait(false); // freed meanwhile
        if (next is not null) StartRebuild(entry, next, lostOn);
        return await now.ConfigureAwait(false);
    }

    /// <summary>Null (and one more rebuild counted) when <paramref name="entry"/> can be rebuilt; else the error it ends with.</summary>
    private ObjectPayload? Unrecoverable(OwnedObject entry, NodeId lostOn)
    {
        if (entry.Lineage is not { } lineage)
            return LostError(entry.Id, $"node {lostOn}, which held its only copy, died. It was made by a put, an actor call, or a task with " +
                "MaxRetries = 0 (or while the owner's lineage budget was full), so it cannot be rebuilt: put it again, or submit its task again");
        if (!lineage.CanRebuildAgain)
            return LostError(entry.Id, $"node {lostOn}, which held its only copy, died, and task {lineage.Spec.DisplayName} has been run again " +
                $"{lineage.Rebuilds} times already, its MaxRetries; raise TaskOptions.MaxRetries to rebuild more often (-1: always)");
        lineage.Rebuilds++;
        return null;
    }

    private ObjectPayload LostError(ObjectId id, string why) =>
        ObjectPayload.Failed(Serializer.ToRemoteError(new ObjectLostException($"Object {id} is lost: {why}."), null));

    /// <summary>Runs the object's task again into <paramref name="next"/>, holding its ref arguments until it ends.</summary>
    private void StartRebuild(OwnedObject entry, TaskCompletionSource<ObjectPayload> next, NodeId lostOn)
    {
        if (entry.Lineage is not { } lineage)
        {
            next.TrySetResult(LostError(entry.Id, "it was freed while it was being rebuilt"));
            return;
        }
        ObjectsReconstructed.Add(1);
        Log.Rebuilding(_logger, entry.Id, lineage.Spec.DisplayName, lostOn, lineage.Rebuilds);
        PinArguments(next.Task, lineage.Spec.Args, null);
        // Each rebuild is one of the task's retries; the retries it makes itself come out of what is left.
        var first = lineage.Rebuilds * RebuildAttemptStride;
        var maxRetries = lineage.MaxRetries < 0 ? -1 : first + lineage.MaxRetries - lineage.Rebuilds;
        // A task whose value is split runs into a future of its own, and the lost return takes its part.
        _ = Tasks.RunTaskAsync(lineage.Spec, maxRetries, lineage.Spec.NumReturns > 0 ? RebuildReturn(lineage, next, lostOn) : next, null, first);
    }

    /// <summary>True once <paramref name="node"/> is known dead here; false when it is still alive after <paramref name="wait"/>.</summary>
    private async Task<bool> ConfirmDeadAsync(NodeId node, TimeSpan wait)
    {
        if (IsKnownDead(node)) return true;
        await RefreshViewAsync().ConfigureAwait(false);
        var deadline = Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency);
        while (!IsKnownDead(node))
        {
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero) return false;
            // Cancelled when the node dies (in a client, also when another node dies: then look again).
            await Task.Delay(left, DeathOf(node)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Object {Object} was lost with node {Node}: running task {Task} again to rebuild it (rebuild {Rebuild})")]
        public static partial void Rebuilding(ILogger logger, ObjectId @object, string task, NodeId node, int rebuild);

        [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "The lineage budget of {Bytes} bytes is full: results submitted from now on cannot be rebuilt if lost, until older ones are freed")]
        public static partial void LineageFull(ILogger logger, long bytes);
    }
}
