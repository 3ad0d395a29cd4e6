using Grid.Batching;

namespace Grid;

/// <summary>
/// Dynamic batching (Ray Serve's <c>@serve.batch</c>): single calls of <see cref="CallAsync"/>, from any callers, are
/// queued and merged into one call of a batch function that takes a list; each caller gets its own output back. An
/// actor holds one and exposes the single-input method:
/// <code>public Task&lt;float&gt; Predict(float[] x, CancellationToken ct) =&gt; _batcher.CallAsync(x, ct);</code>
/// Calls pile up only where the actor runs many at once: an actor with a public method returning <c>Task</c> is an
/// async actor, which has up to <c>ActorOptions.MaxConcurrency</c> calls (1000 by default) in progress. With a
/// MaxConcurrency below <see cref="BatcherOptions.MaxBatchSize"/> batches cannot fill and each waits MaxWait.
/// <para>
/// A batch goes when <see cref="BatcherOptions.MaxBatchSize"/> items wait, or when <see cref="BatcherOptions.MaxWait"/>
/// has passed since its first item arrived. One batch runs at a time, as in Serve; the next fills meanwhile and goes
/// when the running one ends, at once if it is full or due. Items keep their arrival order within and across
/// batches, so the calls of one caller (which an actor starts in that caller's order) reach the batch function in order.
/// </para>
/// <para>
/// The batch function runs on the scheduler of the batcher's first call (in an async actor, the actor's event loop,
/// like its methods: state shared with them needs no lock) and outside any one call: <c>GridContext.Current</c> is not
/// set there; keep what it needs (a <see cref="GridClient"/>) from the constructor. Its token fires when the batcher is
/// disposed. A synchronous batch function holds the loop while it runs, so calls arriving meanwhile queue at the actor
/// until it returns; an asynchronous one that awaits its heavy work (e.g. <c>await Task.Run(...)</c>) lets them reach
/// the queue while it runs.
/// </para>
/// <para>Thread-safe. Dispose it with its actor (Grid disposes an actor that is <see cref="IDisposable"/> when it ends).</para>
/// </summary>
/// <typeparam name="TIn">One caller's input.</typeparam>
/// <typeparam name="TOut">One caller's output.</typeparam>
public sealed class Batcher<TIn, TOut> : IAsyncDisposable, IDisposable
{
    private readonly Func<IReadOnlyList<TIn>, CancellationToken, Task<IReadOnlyList<TOut>>> _function;
    private readonly BatchQueue<Pending> _queue;
    private readonly CancellationTokenSource _disposing = new();
    private Task? _pump; // started by the first call
    private int _disposed;

    /// <summary>
    /// A batcher over an asynchronous batch function. The function must return exactly one output per input, in input
    /// order: otherwise every caller of that batch gets a <see cref="BatchOutputCountException"/>. When it throws, the
    /// batch's items run again one at a time (the function is called once more for each), so an input that throws fails
    /// only its own caller, with that input's exception, and the others get their outputs.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the exception names it).</exception>
    public Batcher(Func<IReadOnlyList<TIn>, CancellationToken, Task<IReadOnlyList<TOut>>> batchFunction, BatcherOptions? options = null)
        : this(batchFunction, options, TimeProvider.System) { }

    /// <summary>A batcher over a synchronous batch function; see the asynchronous overload for its contract.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the exception names it).</exception>
    public Batcher(Func<IReadOnlyList<TIn>, IReadOnlyList<TOut>> batchFunction, BatcherOptions? options = null)
        : this(Wrap(batchFunction), options, TimeProvider.System) { }

    internal Batcher(Func<IReadOnlyList<TIn>, CancellationToken, Task<IReadOnlyList<TOut>>> batchFunction, BatcherOptions? options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(batchFunction);
        Options = options ?? new BatcherOptions();
        Options.Validate();
        _function = batchFunction;
        _queue = new BatchQueue<Pending>(Options.MaxBatchSize, Options.MaxWait, time);
    }

    private static Func<IReadOnlyList<TIn>, CancellationToken, Task<IReadOnlyList<TOut>>> Wrap(Func<IReadOnlyList<TIn>, IReadOnlyList<TOut>> batchFunction)
    {
        ArgumentNullException.ThrowIfNull(batchFunction);
        return (inputs, _) => Task.FromResult(batchFunction(inputs));
    }

    /// <summary>The options it batches with.</summary>
    public BatcherOptions Options { get; }

    /// <summary>
    /// Queues one input for the next batch and completes with its output, or with the exception its input threw when
    /// run alone, or a <see cref="BatchOutputCountException"/> when the batch function broke its count contract.
    /// When <paramref name="cancellationToken"/> fires the task is cancelled at once; an input not yet sent leaves the
    /// queue, one already sent stays in its batch and its output is dropped. After disposal it fails with
    /// <see cref="ObjectDisposedException"/>, as do the inputs still queued when the batcher is disposed.
    /// </summary>
    public Task<TOut> CallAsync(TIn input, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<TOut>(cancellationToken);
        var pending = new Pending(input);
        // Registered before the input is queued, so that whoever completes the task disposes the registration.
        if (cancellationToken.CanBeCanceled)
            pending.Cancellation = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var (queue, pending) = ((BatchQueue<Pending>, Pending))state!;
                pending.TrySetCanceled(token);
                if (Volatile.Read(ref pending.Entry) is { } entry) queue.TryRemove(entry);
            }, (_queue, pending));
        if (!_queue.TryAdd(pending, out var added))
        {
            pending.Fail(Disposed());
            return pending.Task;
        }
        // A full fence each side (this exchange, the callback's completion of the task): one of the two removes it.
        Interlocked.Exchange(ref pending.Entry, added);
        if (pending.Task.IsCanceled) _queue.TryRemove(added); // cancelled while it was being queued
        StartPump();
        return pending.Task;
    }

    private void StartPump()
    {
        if (Volatile.Read(ref _pump) is not null) return;
        // Where the first call runs (an async actor's event loop), and with no caller's context flowing into it.
        var scheduler = TaskScheduler.Current;
        using (ExecutionContext.SuppressFlow())
        {
            var pump = new Task<Task>(PumpAsync);
            if (Interlocked.CompareExchange(ref _pump, pump.Unwrap(), null) is null) pump.Start(scheduler);
        }
    }

    // Never throws: a batch's failures go to its callers.
    private async Task PumpAsync()
    {
        while (await _queue.NextBatchAsync() is { } batch)
        {
            BatchingMetrics.BatchSize.Record(batch.Count);
            var error = await RunAsync(batch);
            if (error is null) continue;
            if (batch.Count == 1 || _disposing.IsCancellationRequested)
            {
                foreach (var item in batch) item.Fail(error);
                continue;
            }
            // One input may have failed the batch: run each alone (in order) so that it fails only its own caller.
            foreach (var item in batch)
            {
                if (item.Task.IsCompleted) continue; // its caller cancelled
                if (await RunAsync([item]) is { } own) item.Fail(own);
            }
        }
    }

    /// <summary>Calls the batch function and hands out its outputs; returns what it threw, for the caller to deal with.</summary>
    private async Task<Exception?> RunAsync(IReadOnlyList<Pending> batch)
    {
        IReadOnlyList<TOut>? outputs;
        try
        {
            var inputs = new TIn[batch.Count];
            for (var i = 0; i < inputs.Length; i++) inputs[i] = batch[i].Input;
            outputs = await _function(inputs, _disposing.Token);
        }
        catch (Exception e)
        {
            return e;
        }
        if (outputs is null || outputs.Count != batch.Count)
        {
            var mismatch = new BatchOutputCountException(batch.Count, outputs?.Count);
            foreach (var item in batch) item.Fail(mismatch);
            return null;
        }
        for (var i = 0; i < batch.Count; i++) batch[i].Succeed(outputs[i]);
        return null;
    }

    private ObjectDisposedException Disposed() =>
        new("Batcher", "The batcher was disposed (its actor ended) before this input was sent to the batch function; call a live one.");

    /// <summary>
    /// Stops batching: later calls and the inputs still queued fail with <see cref="ObjectDisposedException"/>, and the
    /// running batch's token fires. Completes when the running batch (if any) has ended and its callers are answered.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        if (Volatile.Read(ref _pump) is { } pump) await pump.ConfigureAwait(false);
    }

    /// <summary>As <see cref="DisposeAsync"/>, without waiting for the running batch to end.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var item in _queue.Close()) item.Fail(Disposed());
        _disposing.Cancel();
    }

    /// <summary>One caller's input and the task it awaits.</summary>
    private sealed class Pending(TIn input) : TaskCompletionSource<TOut>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public TIn Input { get; } = input;
        public CancellationTokenRegistration Cancellation { get; set; }
        public BatchQueue<Pending>.Entry? Entry; // its place in the queue, once queued

        public void Succeed(TOut output)
        {
            TrySetResult(output);
            Cancellation.Dispose();
        }

        public void Fail(Exception error)
        {
            TrySetException(error);
            Cancellation.Dispose();
        }
    }
}
