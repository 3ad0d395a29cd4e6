using System.Diagnostics;

namespace Grid.Chaos;

/// <summary>
/// One chaos run: starts a cluster (head + workers, real processes, real Redis), connects a client
/// that runs the <see cref="TaskStream"/>, the <see cref="ActorStream"/> and the <see cref="ObjectStream"/>
/// at once, and meanwhile SIGKILLs workers — the first one the actor's node when that is a worker — at
/// set fractions of the tasks, and restarts Redis once if asked. Every wait is bounded by the run's
/// deadline; what is pending then counts as lost and is named.
/// </summary>
public sealed class ChaosRun(ChaosOptions options, TextWriter log)
{
    /// <summary>Fraction of the tasks settled at which the Redis restart happens (after the kills' first).</summary>
    private const double RedisRestartAt = 0.6;
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DisposeTimeout = TimeSpan.FromSeconds(60);

    private readonly ChaosReport _report = new();
    private readonly long _started = Stopwatch.GetTimestamp();

    public async Task<ChaosReport> RunAsync(CancellationToken cancellationToken)
    {
        Log($"starting a head and {options.Workers} workers ({Environment.ProcessorCount} cores here)");
        await using var cluster = await ChaosCluster.StartAsync(options.Workers, options.StateDir, options.KeepLogs, cancellationToken);
        if (options.KeepLogs) Log($"state directory (node and Redis logs): {cluster.StateDir}");
        using var counters = new ClientCounters();
        var grid = await GridClient.ConnectAsync(new Hosting.GridClientOptions
        {
            Address = cluster.Address,
            Password = ChaosCluster.Password,
            Code = { Assemblies = [typeof(ChaosWork).Assembly] },
        }, cancellationToken);
        try
        {
            _report.Add("cluster", $"head + {options.Workers} workers, 2 CPUs each, {Environment.ProcessorCount} cores, Redis with AOF at {cluster.Address}");
            _report.Add("cluster start", Stopwatch.GetElapsedTime(_started));
            _report.Add("task scheduling", options.Spread ? "SPREAD" : "default");
            await RunWorkloadAsync(cluster, grid, counters, cancellationToken);
        }
        finally
        {
            try { await grid.DisposeAsync().AsTask().WaitAsync(DisposeTimeout, CancellationToken.None); }
            catch (TimeoutException) { _report.Problem($"the client did not close within {DisposeTimeout.TotalSeconds:F0} s"); }
        }
        return _report;
    }

    private async Task RunWorkloadAsync(ChaosCluster cluster, GridClient grid, ClientCounters counters, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new TaskStream(grid, options);
        var actor = new ActorStream(grid, options.ActorCalls);
        var objects = new ObjectStream(grid, options);
        await actor.CreateAsync();

        deadline.CancelAfter(options.Deadline);
        var workloadStart = Stopwatch.GetTimestamp();
        var tasksRun = tasks.RunAsync(deadline.Token);
        Func<double> progress = () => (double)tasks.Settled / tasks.Expected;
        var actorRun = actor.RunAsync(progress, deadline.Token);
        var objectsRun = objects.RunAsync(progress, deadline.Token);
        var faults = new List<(string Name, long At)>();
        var faultsRun = InjectFaultsAsync(cluster, tasks, actor, tasksRun, faults, deadline.Token);
        var all = Task.WhenAll(tasksRun, actorRun, objectsRun, faultsRun);
        while (await Task.WhenAny(all, Task.Delay(ProgressEvery, CancellationToken.None)) != all)
            Log($"{tasks.Settled:N0}/{tasks.Expected:N0} tasks settled ({tasks.Received:N0} results, {tasks.Failed.Total:N0} failed), " +
                $"{actor.Succeeded:N0} actor calls, {objects.Succeeded}/{objects.Rounds} object rounds");
        await all;
        var workload = Stopwatch.GetElapsedTime(workloadStart);

        _report.Add("workload time", workload);
        _report.Add("deadline hit", deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested ? $"yes, after {options.Deadline.TotalSeconds:F0} s" : "no");
        _report.Add("results expected", $"{tasks.Expected:N0}");
        _report.Add("results received", $"{tasks.Received:N0}");
        _report.Check(tasks.Lost == 0, "lost", $"{tasks.Lost:N0}");
        _report.Check(tasks.Failed.Total == 0, "failed", tasks.Failed.ToString());
        _report.Check(tasks.Wrong == 0, "wrong results", $"{tasks.Wrong}");
        _report.Check(tasks.Pending == 0, "pending at the deadline", tasks.Pending == 0 ? "0" : $"{tasks.Pending:N0} (first: {string.Join(", ", tasks.PendingIds(10))})");
        _report.Add("tasks retried", counters.Read(ClientCounters.TasksRetried) is { } retried ? $"{retried:N0}" : "n/a");
        _report.Add("objects reconstructed", counters.ReadMentioning("reconstruct") is { } rebuilt ? $"{rebuilt:N0}" : "n/a (no counter in this build)");
        _report.Add("tasks per second", $"{tasks.Settled / workload.TotalSeconds:N0} /s");
        _report.Check(objects.Failed.Total == 0 && objects.Succeeded == objects.Rounds && objects.MadeVerified == objects.Rounds, "object rounds",
            $"{objects.Succeeded} of {objects.Rounds} verified ({options.ObjectMegabytes} MiB each), {objects.MadeVerified} task-made arrays checked at the end, failed {objects.Failed}");
        _report.Add("puts lost with a node", $"{objects.PutsLost} (ObjectLostException by design; put again)");
        _report.Check(actor.Succeeded == actor.Calls, "actor calls", $"{actor.Succeeded:N0} of {actor.Calls:N0} returned, " +
            $"{actor.Submitted - actor.Succeeded - actor.Failed.Total:N0} pending at the deadline{(actor.StoppedEarly is { } why ? $", stopped {why}" : "")}");
        _report.Add("actor restarts", $"{actor.Restarts}");
        _report.Check(actor.Failed.Total == 0, "actor calls failed", actor.Failed.ToString());
        _report.Check(actor.InOrder, "actor sequence in order", actor.InOrder ? "yes" : "no");
        foreach (var (name, at) in faults)
        {
            var (first, done, inFlight, pending) = tasks.RecoveryAfter(at);
            _report.Add($"{name} to first result", first);
            _report.Add($"{name} to in-flight work done", done, $"n/a ({pending:N0} of the {inFlight:N0} tasks in flight never settled)");
            if (done is not null) _report.Add($"{name} tasks in flight", $"{inFlight:N0}");
        }
        foreach (var example in tasks.Failed.Examples().Concat(actor.Failed.Examples()).Concat(objects.Failed.Examples()))
            _report.Add("error example", example);
        // The report is stdout; the full traces go to stderr, where they do not break its `name: value` lines.
        foreach (var e in tasks.Failed.FirstOfEachType().Concat(actor.Failed.FirstOfEachType()).Concat(objects.Failed.FirstOfEachType()))
            Console.Error.WriteLine($"first {e.GetType().Name}: {e}");
    }

    /// <summary>The faults, in order, each once the tasks reach its fraction (skipped when the tasks end first).</summary>
    private async Task InjectFaultsAsync(ChaosCluster cluster, TaskStream tasks, ActorStream actor, Task tasksRun, List<(string, long)> faults, CancellationToken cancellationToken)
    {
        var plan = Enumerable.Range(0, options.Kills).Select(k => (At: 0.15 + 0.5 * k / options.Kills, Kill: k + 1)).ToList();
        if (options.RedisRestart) plan.Add((RedisRestartAt, 0));
        try
        {
            foreach (var (at, kill) in plan.OrderBy(p => p.At))
            {
                while ((double)tasks.Settled / tasks.Expected < at && !tasksRun.IsCompleted) await Task.Delay(20, cancellationToken);
                var name = kill > 0 ? $"kill {kill}" : "redis restart";
                if (tasksRun.IsCompleted)
                {
                    _report.Problem($"{name} not done: the tasks ended before {at:P0} of them had settled");
                    continue;
                }
                if (kill > 0) faults.Add((name, await KillWorkerAsync(cluster, kill, actor.LastNode, cancellationToken)));
                else faults.Add((name, await RestartRedisAsync(cluster, cancellationToken)));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _report.Problem("the deadline came before every fault was done");
        }
    }

    /// <summary>SIGKILLs a worker and waits until the GCS lists it as no longer alive; returns when it was killed.</summary>
    private async Task<long> KillWorkerAsync(ChaosCluster cluster, int number, string? actorNode, CancellationToken cancellationToken)
    {
        var victim = cluster.KillWorker(preferred: actorNode);
        var killed = Stopwatch.GetTimestamp();
        Log($"kill {number}: SIGKILL worker {victim.NodeId} (pid {victim.Pid}{(victim.NodeId == actorNode ? ", the actor's node" : "")})");
        _report.Add($"kill {number}", $"worker {victim.NodeId}, pid {victim.Pid}{(victim.NodeId == actorNode ? ", hosting the actor" : "")}, at {SinceStart(killed)}");
        while ((await cluster.TryAliveNodeIdsAsync())?.Contains(victim.NodeId) != false) await Task.Delay(50, cancellationToken);
        var detected = Stopwatch.GetElapsedTime(killed);
        Log($"kill {number}: the GCS lists {victim.NodeId} dead after {detected.TotalSeconds:F2} s");
        _report.Add($"kill {number} to detection", detected);
        return killed;
    }

    private string SinceStart(long at) => $"{Stopwatch.GetElapsedTime(_started, at).TotalSeconds:F1} s into the run";

    /// <summary>SIGKILLs redis-server, keeps it down for <see cref="ChaosOptions.RedisDowntime"/>, restarts it and waits until the GCS answers again.</summary>
    private async Task<long> RestartRedisAsync(ChaosCluster cluster, CancellationToken cancellationToken)
    {
        await cluster.KillRedisAsync(cancellationToken);
        var killed = Stopwatch.GetTimestamp();
        Log("redis restart: SIGKILL redis-server");
        await Task.Delay(options.RedisDowntime, cancellationToken); // the outage itself, not a wait for an event
        await cluster.RestartRedisAsync(cancellationToken);
        _report.Add("redis down for", Stopwatch.GetElapsedTime(killed));
        while (await cluster.TryAliveNodeIdsAsync() is null) await Task.Delay(50, cancellationToken);
        var readable = Stopwatch.GetElapsedTime(killed);
        Log($"redis restart: the GCS answers again {readable.TotalSeconds:F2} s after the kill");
        _report.Add("redis kill to GCS readable", readable);
        return killed;
    }

    private void Log(string text) => log.WriteLine($"[{Stopwatch.GetElapsedTime(_started).TotalSeconds,6:F1} s] {text}");
}
