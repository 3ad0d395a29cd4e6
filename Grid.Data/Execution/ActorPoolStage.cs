using Grid.Data.Plan;
using Grid.Wire;

namespace Grid.Data.Execution;

/// <summary>
/// The actors of one MapBatches actor pool (Ray's ActorPoolMapOperator): MinSize started at once, one more started
/// while every ready actor has MaxTasksPerActor blocks and blocks wait, up to MaxSize. A block goes to the ready actor
/// with the fewest blocks. The actors are killed when the stage ends.
/// </summary>
internal sealed class ActorPool(GridClient grid, ActorPoolNode node, StageSpec stage) : IAsyncDisposable
{
    private readonly ChangeSignal _signal = new();
    private readonly List<(ActorHandle<BatchWorker> Actor, int Busy)> _ready = [];
    private readonly List<Task> _starts = [];
    private int _starting;
    private Exception? _failure;

    public void Start()
    {
        for (int i = 0; i < node.Pool.MinSize; i++) StartOne();
    }

    /// <summary>The actor to send the next block to, counted busy until <see cref="Release"/>.</summary>
    public async ValueTask<ActorHandle<BatchWorker>> AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_signal.Lock)
            {
                if (_failure is not null) throw new DataException($"The actor pool of {node.Name} could not start its actors: {_failure.Message}", _failure);
                int best = -1;
                for (int i = 0; i < _ready.Count; i++)
                    if (_ready[i].Busy < node.Pool.MaxTasksPerActor && (best < 0 || _ready[i].Busy < _ready[best].Busy)) best = i;
                if (best >= 0 && (_ready[best].Busy == 0 || _ready.Count + _starting >= node.Pool.MaxSize))
                {
                    _ready[best] = (_ready[best].Actor, _ready[best].Busy + 1);
                    return _ready[best].Actor;
                }
                // Every ready actor is busy (or none is ready): grow while the pool may.
                if (_ready.Count + _starting < node.Pool.MaxSize && _starting == 0) StartOne();
                else if (best >= 0)
                {
                    _ready[best] = (_ready[best].Actor, _ready[best].Busy + 1);
                    return _ready[best].Actor;
                }
                changed = _signal.Next;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Release(ActorHandle<BatchWorker> actor) => _signal.Change(() =>
    {
        int i = _ready.FindIndex(r => r.Actor == actor);
        if (i >= 0) _ready[i] = (actor, _ready[i].Busy - 1);
    });

    /// <summary>Starts one more actor, counted as starting before this returns (so the pool never starts more than MaxSize).</summary>
    private void StartOne()
    {
        var options = new ActorOptions { NumCpus = node.Pool.NumCpus, NumGpus = node.Pool.NumGpus, Resources = node.Pool.Resources };
        FunctionDescriptor constructor = node.Constructor;
        object?[] arguments = node.Arguments;
        var spec = stage;
        lock (_signal.Lock) _starting++;
        var start = Task.Run(async () =>
        {
            try
            {
                var actor = await grid.CreateActorAsync(() => new BatchWorker(constructor, arguments, spec), options).ConfigureAwait(false);
                _signal.Change(() => _ready.Add((actor, 0)));
            }
            catch (Exception e)
            {
                _signal.Change(() => _failure ??= e);
            }
            finally
            {
                _signal.Change(() => _starting--);
            }
        });
        lock (_signal.Lock) _starts.Add(start);
    }

    public async ValueTask DisposeAsync()
    {
        Task[] starts;
        lock (_signal.Lock) starts = [.. _starts];
        await Task.WhenAll(starts).ConfigureAwait(false);
        List<ActorHandle<BatchWorker>> actors;
        lock (_signal.Lock) actors = [.. _ready.Select(r => r.Actor)];
        foreach (var actor in actors)
        {
            try { await actor.KillAsync().ConfigureAwait(false); }
            catch (GridException) { } // already dead: nothing to free
        }
    }
}

internal sealed partial class Executor
{
    private async IAsyncEnumerable<BlockHandle> ActorPoolAsync(ActorPoolNode node, OperatorCounters[] counters, IAsyncEnumerable<BlockHandle> input,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stage = new StageSpec { Ops = [node.Op] };
        await using var pool = new ActorPool(grid, node, stage);
        pool.Start();
        var slot = new StageSlot(isSource: false);
        var blocks = Ordered.RunAsync(Numbered(input), async (block, ct) =>
        {
            await _budget.StartAsync(slot, ct).ConfigureAwait(false);
            ActorHandle<BatchWorker> actor;
            try { actor = await pool.AcquireAsync(ct).ConfigureAwait(false); }
            catch
            {
                _budget.Stop(slot);
                throw;
            }
            counters[0].TaskStarted();
            var reference = block.Block.Ref;
            int index = block.Index;
            var stream = actor.CallStream(w => w.Process(reference.AsArg(), index), new ActorCallOptions { GeneratorBackpressure = 2 });
            return Consume(stream, counters, () =>
            {
                pool.Release(actor);
                _budget.Stop(slot);
                block.Block.Dispose();
            }, ct);
        }, options.MaxTasksInFlight, () => Done(counters), cancellationToken);
        await foreach (var block in blocks.WithCancellation(cancellationToken).ConfigureAwait(false)) yield return block;
    }
}
