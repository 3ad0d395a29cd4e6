using System.CommandLine;

namespace Grid.Chaos;

/// <summary>What one chaos run does: the size of the workload and the faults injected while it runs.</summary>
public sealed record ChaosOptions
{
    /// <summary>Short tasks (1–5 ms each); every 10th takes the result of the task 5 before it as an argument.</summary>
    public int Tasks { get; init; } = 100_000;
    /// <summary>Worker nodes beside the head; each node declares 2 CPUs.</summary>
    public int Workers { get; init; } = 3;
    /// <summary>Workers killed with SIGKILL, one after the other, during the run (at most Workers − 1, so one stays).</summary>
    public int Kills { get; init; } = 2;
    /// <summary>Kill redis-server with SIGKILL once during the run and restart it (same port, data dir, AOF).</summary>
    public bool RedisRestart { get; init; }
    /// <summary>How long Redis stays down before it is restarted.</summary>
    public TimeSpan RedisDowntime { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>Submit the short tasks with <c>SchedulingStrategy.Spread</c> instead of the default strategy.</summary>
    public bool Spread { get; init; }
    /// <summary>Tasks submitted and not yet finished, at most (the client streams the rest as these finish).</summary>
    public int Window { get; init; } = 2_000;
    /// <summary>Ordered calls to the actor, spread over the run (default: one per 10 tasks, at least 200).</summary>
    public int ActorCalls { get; init; } = 10_000;
    /// <summary>Put-then-verify rounds of one large array each, spread over the run.</summary>
    public int ObjectRounds { get; init; } = 100;
    /// <summary>Size of each large array, in MiB.</summary>
    public int ObjectMegabytes { get; init; } = 8;
    /// <summary>Bound on the whole workload; what is still pending then is reported as lost.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>Keep the state directory (node logs, Redis log) after the run, and print where it is.</summary>
    public bool KeepLogs { get; init; }
    /// <summary>The state directory of the cluster (default: a new temp directory).</summary>
    public string? StateDir { get; init; }

    /// <summary>The checks an options object must pass before a cluster is started for it.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Tasks < 10) errors.Add("--tasks must be at least 10.");
        if (Workers < 1) errors.Add("--workers must be at least 1.");
        if (Kills < 0 || Kills > Workers - 1) errors.Add($"--kills must be between 0 and --workers − 1 ({Workers - 1}), so that a worker survives.");
        if (Window < 1) errors.Add("--window must be at least 1.");
        if (ActorCalls < 1) errors.Add("--actor-calls must be at least 1.");
        if (ObjectRounds < 0) errors.Add("--objects must not be negative.");
        if (ObjectMegabytes is < 1 or > 1024) errors.Add("--object-mb must be between 1 and 1024.");
        if (Deadline <= TimeSpan.Zero) errors.Add("--deadline must be positive.");
        return errors;
    }

    /// <summary>The tool's command line; <c>--quick</c> is 10,000 tasks, one kill, 20 object rounds and a 5-minute deadline unless told otherwise.</summary>
    public static RootCommand Command(Func<ChaosOptions, Task<int>> run)
    {
        var tasks = new Option<int?>("--tasks") { Description = "Short tasks to run (default 100,000; --quick 10,000)." };
        var workers = new Option<int>("--workers") { Description = "Worker nodes beside the head.", DefaultValueFactory = _ => 3 };
        var kills = new Option<int?>("--kills") { Description = "Workers to SIGKILL during the run (default 2; --quick 1)." };
        var redis = new Option<bool>("--redis-restart") { Description = "Also SIGKILL redis-server once and restart it on the same port and data." };
        var quick = new Option<bool>("--quick") { Description = "A short run: 10,000 tasks, one kill, 20 object rounds, 5-minute deadline." };
        var window = new Option<int>("--window") { Description = "Tasks in flight at most.", DefaultValueFactory = _ => 2_000 };
        var actorCalls = new Option<int?>("--actor-calls") { Description = "Ordered calls to the actor (default: one per 10 tasks, at least 200)." };
        var objects = new Option<int?>("--objects") { Description = "Large-object rounds (default 100; --quick 20)." };
        var objectMb = new Option<int>("--object-mb") { Description = "MiB per large object.", DefaultValueFactory = _ => 8 };
        var deadline = new Option<int?>("--deadline-s") { Description = "Seconds the workload may take before pending work counts as lost (default 900; --quick 300)." };
        var keep = new Option<bool>("--keep-logs") { Description = "Keep the cluster's state directory (node and Redis logs) after the run." };
        var stateDir = new Option<string?>("--state-dir") { Description = "State directory of the cluster (default: a new temp directory)." };
        var spread = new Option<bool>("--spread") { Description = "Submit the short tasks with SchedulingStrategy.Spread (default: the default strategy)." };
        var command = new RootCommand("Chaos run: SIGKILLs workers and restarts Redis under load on a loopback cluster and reports what was lost.")
        {
            tasks, workers, kills, redis, quick, window, actorCalls, objects, objectMb, deadline, keep, stateDir, spread,
        };
        command.SetAction(parse =>
        {
            var isQuick = parse.GetValue(quick);
            var taskCount = parse.GetValue(tasks) ?? (isQuick ? 10_000 : 100_000);
            return run(new ChaosOptions
            {
                Tasks = taskCount,
                ActorCalls = parse.GetValue(actorCalls) ?? Math.Max(200, taskCount / 10),
                Workers = parse.GetValue(workers),
                Kills = parse.GetValue(kills) ?? (isQuick ? 1 : 2),
                RedisRestart = parse.GetValue(redis),
                Window = parse.GetValue(window),
                ObjectRounds = parse.GetValue(objects) ?? (isQuick ? 20 : 100),
                ObjectMegabytes = parse.GetValue(objectMb),
                Deadline = TimeSpan.FromSeconds(parse.GetValue(deadline) ?? (isQuick ? 300 : 900)),
                KeepLogs = parse.GetValue(keep),
                StateDir = parse.GetValue(stateDir),
                Spread = parse.GetValue(spread),
            });
        });
        return command;
    }
}
