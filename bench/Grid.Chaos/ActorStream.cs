namespace Grid.Chaos;

/// <summary>
/// A stream of ordered calls to one <see cref="SequenceActor"/>, in windows of <see cref="WindowSize"/>
/// calls; window w starts once w/windows of the tasks have settled, so the calls spread over the run
/// and its faults. Each call returns what the actor saw; the stream checks that
/// every incarnation of the actor ran its calls in sequence order and counts the incarnations
/// (a restart runs the constructor again) and the calls that failed.
/// </summary>
public sealed class ActorStream(GridClient grid, int calls)
{
    private const int WindowSize = 20;

    private readonly List<ActorStep> _steps = [];
    private ActorHandle<SequenceActor>? _actor;

    public int Submitted { get; private set; }
    public int Succeeded => _steps.Count;
    public FailureCounts Failed { get; } = new();
    /// <summary>Why the stream stopped before the tasks did, if it did.</summary>
    public string? StoppedEarly { get; private set; }
    /// <summary>The node the actor ran its latest call on.</summary>
    public string? LastNode { get; private set; }

    public async Task CreateAsync()
    {
        // Restarted forever, its in-flight calls resent forever: a caller sees no failed call, in order.
        var options = new ActorOptions { MaxRestarts = -1, MaxTaskRetries = -1 };
        _actor = await grid.CreateActorAsync(() => new SequenceActor(), options);
        await _actor.Ready;
    }

    public int Calls => calls;

    /// <summary>Makes the calls, paced by <paramref name="progress"/> (the fraction of tasks settled), until all are made or the deadline fires.</summary>
    public async Task RunAsync(Func<double> progress, CancellationToken cancellationToken)
    {
        var actor = _actor ?? throw new InvalidOperationException("Create the actor first.");
        while (Submitted < calls)
        {
            try
            {
                while (progress() < (double)Submitted / calls) await Task.Delay(20, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { return; }
            var window = Enumerable.Range(Submitted, Math.Min(WindowSize, calls - Submitted)).Select(seq => (Sequence: seq, Result: actor.Call(a => a.Step(seq)))).ToList();
            Submitted += window.Count;
            var failedBefore = Failed.Total;
            foreach (var (sequence, result) in window)
            {
                try
                {
                    var step = await grid.GetAsync(result, cancellationToken: cancellationToken);
                    if (step.Sequence != sequence) throw new InvalidOperationException($"Call {sequence} returned the step of call {step.Sequence}.");
                    _steps.Add(step);
                    LastNode = step.Node;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { return; }
                catch (Exception e) { Failed.Add(e); }
            }
            if (Failed.Total - failedBefore == window.Count)
            {
                // Every call of a window failed: the actor is gone for good (no restarts allowed), and more calls only repeat it.
                StoppedEarly = $"after call {Submitted - 1}: all {window.Count} calls of a window failed";
                return;
            }
        }
    }

    /// <summary>Constructions of the actor beyond the first, as the calls' results show them.</summary>
    public int Restarts => Math.Max(0, _steps.Select(s => s.Incarnation).Distinct().Count() - 1);

    /// <summary>
    /// Whether each incarnation ran its calls in sequence order: every call ran after one with a lower
    /// sequence number (or first), and never before a call it follows. A failed call may have run
    /// unseen, so a step may follow a later predecessor than the previous call whose result came back.
    /// </summary>
    public bool InOrder
    {
        get
        {
            var lastByIncarnation = new Dictionary<Guid, int>();
            foreach (var step in _steps.OrderBy(s => s.Sequence))
            {
                if (step.Previous >= step.Sequence) return false;
                if (lastByIncarnation.TryGetValue(step.Incarnation, out var last) && step.Previous < last) return false;
                lastByIncarnation[step.Incarnation] = step.Sequence;
            }
            return true;
        }
    }
}
