using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Grid.Data.Execution;

/// <summary>
/// One stage's loop: starts a run (a task or actor call) per input, at most <c>maxInFlight</c> at once, and puts out
/// the runs' blocks in input order, each run's as it makes them. A run after the head keeps one block buffered here
/// and is then held back (its stream's backpressure pauses the producer). Ending the enumeration early (a limit, an
/// error, cancellation) cancels what is running and releases every block not handed out.
/// </summary>
internal static class Ordered
{
    public static async IAsyncEnumerable<BlockHandle> RunAsync<TIn>(IAsyncEnumerable<TIn> inputs,
        Func<TIn, CancellationToken, ValueTask<IAsyncEnumerable<BlockHandle>>> start, int maxInFlight, Action onDone,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var runs = Channel.CreateBounded<Channel<BlockHandle>>(new BoundedChannelOptions(Math.Max(1, maxInFlight - 1)) { SingleReader = true, SingleWriter = true });
        var pumps = new List<Task>();
        var launcher = Task.Run(async () =>
        {
            try
            {
                await foreach (var input in inputs.WithCancellation(cancel.Token).ConfigureAwait(false))
                {
                    var output = Channel.CreateBounded<BlockHandle>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
                    await runs.Writer.WriteAsync(output, cancel.Token).ConfigureAwait(false);
                    try
                    {
                        var blocks = await start(input, cancel.Token).ConfigureAwait(false);
                        lock (pumps) pumps.Add(PumpAsync(blocks, output, cancel.Token));
                    }
                    catch (Exception e)
                    {
                        output.Writer.TryComplete(e);
                        throw;
                    }
                }
                runs.Writer.TryComplete();
            }
            catch (Exception e)
            {
                runs.Writer.TryComplete(e is OperationCanceledException && cancel.IsCancellationRequested ? null : e);
            }
        }, CancellationToken.None);
        Channel<BlockHandle>? current = null;
        try
        {
            await foreach (var output in runs.Reader.ReadAllAsync(cancel.Token).ConfigureAwait(false))
            {
                current = output;
                await foreach (var block in output.Reader.ReadAllAsync(cancel.Token).ConfigureAwait(false))
                    yield return block;
            }
            await launcher.ConfigureAwait(false);
            onDone();
        }
        finally
        {
            await cancel.CancelAsync().ConfigureAwait(false);
            Task[] all;
            lock (pumps) all = [launcher, .. pumps];
            await Task.WhenAll(all).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            if (current is not null) Release(current);
            while (runs.Reader.TryRead(out var output)) Release(output);
        }
    }

    private static async Task PumpAsync(IAsyncEnumerable<BlockHandle> blocks, Channel<BlockHandle> output, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var block in blocks.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                try { await output.Writer.WriteAsync(block, cancellationToken).ConfigureAwait(false); }
                catch
                {
                    block.Dispose();
                    throw;
                }
            }
            output.Writer.TryComplete();
        }
        catch (Exception e)
        {
            output.Writer.TryComplete(e);
            if (cancellationToken.IsCancellationRequested) Release(output);
        }
    }

    private static void Release(Channel<BlockHandle> output)
    {
        while (output.Reader.TryRead(out var block)) block.Dispose();
    }
}
