using System.Collections.Concurrent;
using Grid.Tests.Core;

namespace Grid.Tests.Scheduling;

/// <summary>Remote functions and actors of the scheduling tests: they report where they run and what they hold.</summary>
public static class SchedulingFunctions
{
    private static readonly ConcurrentDictionary<string, Probe> Probes = new();

    /// <summary>Counts the tasks of one test that run at once (in-process silos share it).</summary>
    public sealed class Probe
    {
        private int _running;
        private int _max;
        public int Running => Volatile.Read(ref _running);
        public int Max => Volatile.Read(ref _max);
        public ConcurrentBag<int[]> Gpus { get; } = [];

        public void Enter()
        {
            var now = Interlocked.Increment(ref _running);
            int seen;
            while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen) { }
        }

        public void Exit() => Interlocked.Decrement(ref _running);
    }

    public static Probe ProbeOf(string key) => Probes.GetOrAdd(key, _ => new Probe());

    public static string Where() => GridContext.Current.NodeId.Value;

    /// <summary>Runs until the test opens <paramref name="gate"/>, counted by the probe of the same name; answers its node.</summary>
    public static async Task<string> HoldWhere(string gate)
    {
        var probe = ProbeOf(gate);
        probe.Enter();
        probe.Gpus.Add([.. GridContext.Current.GpuIds]);
        try
        {
            await TestFunctions.Gate(gate).Task;
            return GridContext.Current.NodeId.Value;
        }
        finally
        {
            probe.Exit();
        }
    }

    /// <summary>The GPU ids this task holds, answered once the gate opens (so that several hold GPUs at once).</summary>
    public static async Task<int[]> HoldGpus(string gate)
    {
        var probe = ProbeOf(gate);
        probe.Enter();
        try
        {
            await TestFunctions.Gate(gate).Task;
            return [.. GridContext.Current.GpuIds];
        }
        finally
        {
            probe.Exit();
        }
    }
}

/// <summary>An actor that tells where it lives and which GPUs it holds.</summary>
public sealed class Placed
{
    public string Node() => GridContext.Current.NodeId.Value;
    public int[] Gpus() => [.. GridContext.Current.GpuIds];
}
