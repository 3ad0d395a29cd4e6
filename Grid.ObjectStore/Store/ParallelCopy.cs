namespace Grid.ObjectStore;

/// <summary>
/// Copies a large buffer into an object with several threads, as Plasma does with its memcpy threads:
/// one core does not saturate memory bandwidth (on the development VM an 800 MB copy ran at 15.8 GB/s
/// on one thread and 23.6 GB/s on two). Small copies stay on the caller's thread, where splitting would
/// cost more than it saves.
/// <para>
/// The helpers are threads of their own, never the thread pool's. A copy into a fresh mapping runs at
/// page-fault speed (800 MB took 2.4 s into a new file), and a node's tasks and puts already occupy
/// the pool threads its declared CPUs account for (<c>WorkerThreads</c>): helper parts queued to the
/// pool took the few threads left for the runtime itself, so Orleans' messages, membership probes
/// and timers queued behind them. Health monitors saw the pool stalled for 1.5–1.7 s in every run of
/// the bench's <c>multi_client_put_gigabytes</c> (3.1 s in issue 12); with dedicated helpers, in none
/// of four runs, and for 1.2 s in a fifth, during a whole-process pause (docs/reliability.md).
/// A copy takes only the helpers idle at its start and never waits for one: when all are busy, the
/// caller copies alone.
/// </para>
/// </summary>
internal static unsafe class ParallelCopy
{
    /// <summary>Below this a copy runs on one thread.</summary>
    public const int Threshold = 16 * 1024 * 1024;

    /// <summary>Most threads a copy uses, the caller's included: past the memory channels more threads only contend.</summary>
    private const int MostParts = 4;

    private static readonly Lazy<Helper[]> Helpers = new(() =>
        [.. Enumerable.Range(1, Math.Min(Environment.ProcessorCount, MostParts) - 1).Select(i => new Helper(i))]);

    public static void Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length < Threshold || Environment.ProcessorCount < 2)
        {
            source.CopyTo(destination);
            return;
        }
        if (destination.Length < source.Length) throw new ArgumentException("The destination is shorter than the source.", nameof(destination));
        var claimed = Helpers.Value.Where(h => h.TryClaim()).ToArray();
        if (claimed.Length == 0)
        {
            source.CopyTo(destination);
            return;
        }
        fixed (byte* from = source)
        fixed (byte* to = destination)
        {
            var length = (long)source.Length;
            // Parts a multiple of 4 KiB long, so no two threads write into one page.
            var part = (length / (claimed.Length + 1) + 4095) & ~4095L;
            for (var i = 0; i < claimed.Length; i++)
            {
                var start = (i + 1) * part;
                claimed[i].Start(from + start, to + start, Math.Max(0, Math.Min(part, length - start)));
            }
            Buffer.MemoryCopy(from, to, Math.Min(part, length), Math.Min(part, length));
            foreach (var helper in claimed) helper.Finish();
        }
    }

    /// <summary>A dedicated copy thread that copies one part at a time for the copy that claimed it.</summary>
    private sealed class Helper
    {
        private readonly SemaphoreSlim _start = new(0);
        private readonly ManualResetEventSlim _done = new(false);
        private int _claimed;
        private byte* _from, _to;
        private long _count;

        public Helper(int number) =>
            new Thread(Run) { IsBackground = true, Name = $"Grid object copy {number}" }.Start();

        public bool TryClaim() => Interlocked.CompareExchange(ref _claimed, 1, 0) == 0;

        public void Start(byte* from, byte* to, long count)
        {
            _from = from;
            _to = to;
            _count = count;
            _done.Reset();
            _start.Release();
        }

        /// <summary>Waits until this helper's part is copied (the caller's buffers stay pinned until then) and frees the helper.</summary>
        public void Finish()
        {
            _done.Wait();
            Volatile.Write(ref _claimed, 0);
        }

        private void Run()
        {
            while (true)
            {
                _start.Wait();
                if (_count > 0) Buffer.MemoryCopy(_from, _to, _count, _count);
                _done.Set();
            }
        }
    }
}
