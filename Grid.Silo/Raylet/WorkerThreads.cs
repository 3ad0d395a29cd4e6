namespace Grid.Silo.Raylet;

/// <summary>
/// Ray's raylet keeps a worker process for each running task and each actor. Grid runs them on the
/// thread pool, where user code may block a thread (Thread.Sleep, synchronous I/O), and the pool adds
/// threads past its minimum only slowly: declared CPUs would sit idle behind blocked tasks, and a
/// blocked actor would hold up others. So the minimum covers what the nodes in this process can run at
/// once — their declared CPUs and GPUs, plus one thread per live actor — and the cores for the runtime
/// itself. No more: up to its minimum the pool starts a thread for every queued item, and hundreds of
/// threads contending for two cores slow tiny tasks and grain calls alike (a fixed minimum of 256
/// halved raw Orleans' own call rate in the benchmark). The pool is per process, so nodes sharing one
/// (a test cluster) add up.
/// </summary>
internal static class WorkerThreads
{
    /// <summary>Past this the pool's own starvation handling takes over.</summary>
    private const int Most = 512;

    private static readonly Lock Gate = new();
    private static int s_original = -1, s_processors, s_actors;

    public static void NodeStarted(double declaredProcessors) => Change(ref s_processors, (int)Math.Ceiling(declaredProcessors));
    public static void NodeStopped(double declaredProcessors) => Change(ref s_processors, -(int)Math.Ceiling(declaredProcessors));
    public static void ActorStarted() => Change(ref s_actors, 1);
    public static void ActorStopped() => Change(ref s_actors, -1);

    private static void Change(ref int count, int delta)
    {
        lock (Gate)
        {
            count = Math.Max(0, count + delta);
            ThreadPool.GetMinThreads(out var workers, out var io);
            if (s_original < 0) s_original = workers;
            var wanted = Math.Clamp(Environment.ProcessorCount + s_processors + s_actors, s_original, Most);
            if (wanted != workers) ThreadPool.SetMinThreads(wanted, io);
        }
    }
}
