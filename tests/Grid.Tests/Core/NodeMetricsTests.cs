using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grid.Grains;
using Grid.ObjectStore;
using Grid.Silo.Diagnostics;
using Grid.Testing;

namespace Grid.Tests.Core;

/// <summary>
/// The runtime's metrics ("Grid.Runtime", "Grid.ObjectStore") as an exporter reads them, through a MeterListener: each
/// node's measurements carry its node tag and match the work that node did. Other clusters in this process report to
/// the same meters; only this cluster's node tags are read.
/// </summary>
public sealed class NodeMetricsTests(NodeStateCluster fixture) : IClassFixture<NodeStateCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private GridClient Grid => fixture.Grid;

    [Fact]
    public async Task Each_nodes_task_counters_match_the_work_it_did_and_its_resources_and_store_are_reported()
    {
        var oks = Enumerable.Range(0, 30).Select(i => Grid.Function<int, int>(MetricFunctions.Ok).Remote(i)).ToArray();
        var bads = Enumerable.Range(0, 10).Select(i => Grid.Function<int, int>(MetricFunctions.Bad).Remote(i)).ToArray();
        Assert.Equal(Enumerable.Range(0, 30), await Grid.GetAsync(oks, Timeout));
        foreach (var bad in bads) await Assert.ThrowsAsync<InvalidOperationException>(() => Grid.GetAsync(bad, Timeout));
        var stats = await Eventually.WaitAsync(fixture.StatsAsync,
            s => NodeStateCluster.Sum(s, OkName).Finished == 30 && NodeStateCluster.Sum(s, BadName).Failed == 10, Timeout, "every task ended");

        var seen = Observe(stats.Select(s => s.NodeId.Value).ToHashSet());

        foreach (var node in stats)
        {
            var id = node.NodeId.Value;
            var ok = node.TaskCountsByName.GetValueOrDefault(OkName) ?? new long[4];
            Assert.Equal(ok[(int)TaskRecordState.Finished], seen.Value(GridMetrics.TasksFinished, id, ("name", OkName)));
            Assert.Equal(ok.Sum(), seen.Value(GridMetrics.TasksSubmitted, id, ("name", OkName)));
            Assert.Equal(node.TaskCountsByName.GetValueOrDefault(BadName)?[(int)TaskRecordState.Failed] ?? 0, seen.Value(GridMetrics.TasksFailed, id, ("name", BadName)));
            Assert.Equal(0, seen.Value(GridMetrics.TasksRunning, id, ("name", OkName)));
            Assert.Equal(4, seen.Value(GridMetrics.ResourcesCapacity, id, ("resource", "CPU")));
            Assert.Equal(0, seen.Value(GridMetrics.ResourcesUsed, id, ("resource", "CPU")));
            Assert.Equal(0, seen.Value(GridMetrics.QueueLength, id));
            Assert.Equal(node.ObjectStoreCapacityBytes, seen.Value(ObjectStoreMeter.Capacity, id));
            Assert.True(node.ObjectStoreCapacityBytes > 0);
        }
        Assert.Equal(30, seen.Sum(GridMetrics.TasksFinished, ("name", OkName)));
        Assert.Equal(10, seen.Sum(GridMetrics.TasksFailed, ("name", BadName)));
        Assert.Equal(0, seen.Sum(GridMetrics.TasksFinished, ("name", BadName)));
        Assert.Equal(40, seen.Sum(GridMetrics.TasksSubmitted, ("name", OkName)) + seen.Sum(GridMetrics.TasksSubmitted, ("name", BadName)));
    }

    [Fact]
    public async Task Scheduling_latency_is_recorded_once_per_task_and_actor_calls_by_class()
    {
        var nodes = (await fixture.Cluster.NodesAsync()).Select(n => n.Value).ToHashSet();
        var latencies = new ConcurrentBag<(string Node, double Seconds)>();
        var calls = new ConcurrentBag<(string Node, string Class, long Count)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GridMetrics.MeterName && instrument.Name is GridMetrics.SchedulingLatency or GridMetrics.ActorCalls) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            if (Tag(tags, "node") is { } node && nodes.Contains(node)) latencies.Add((node, value));
        });
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (Tag(tags, "node") is { } node && nodes.Contains(node)) calls.Add((node, Tag(tags, "class")!, value));
        });
        listener.Start();

        var refs = Enumerable.Range(0, 25).Select(i => Grid.Function<int, int>(MetricFunctions.Timed).Remote(i)).ToArray();
        await Grid.GetAsync(refs, Timeout);
        var counter = await Grid.CreateActorAsync(() => new MetricCounter());
        for (var i = 1; i <= 5; i++) Assert.Equal(i, await counter.Call(c => c.Add()).GetAsync(Timeout));

        Assert.Equal(25, latencies.Count);
        Assert.All(latencies, l => Assert.InRange(l.Seconds, 0, Timeout.TotalSeconds));
        var host = (await counter.GetInfoAsync()).Node!.Value.Value;
        Assert.All(calls, c => Assert.Equal(host, c.Node));
        Assert.Equal(5, calls.Where(c => c.Class == typeof(MetricCounter).FullName).Sum(c => c.Count));

        var seen = Observe(nodes);
        Assert.True(seen.Value(GridMetrics.ActorsByState, host, ("state", "ALIVE")) >= 1);
    }

    /// <summary>Every observable measurement of both meters tagged with one of <paramref name="nodes"/>, read once.</summary>
    private static Observed Observe(HashSet<string> nodes)
    {
        var seen = new Observed();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name is GridMetrics.MeterName or ObjectStoreMeter.Name) l.EnableMeasurementEvents(instrument);
        };
        void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (Tag(tags, "node") is { } node && nodes.Contains(node))
                seen.Rows.Add((instrument.Name, node, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString()), value));
        }
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
            if (tag.Key == key) return tag.Value?.ToString();
        return null;
    }

    private sealed class Observed
    {
        public ConcurrentBag<(string Instrument, string Node, Dictionary<string, string?> Tags, double Value)> Rows { get; } = [];

        /// <summary>The one measurement of <paramref name="instrument"/> for the node and tag (0 when the node has none).</summary>
        public double Value(string instrument, string node, params (string Key, string Value)[] tags) =>
            Rows.Where(r => r.Instrument == instrument && r.Node == node && tags.All(t => r.Tags.GetValueOrDefault(t.Key) == t.Value))
                .Select(r => r.Value).SingleOrDefault();

        public double Sum(string instrument, params (string Key, string Value)[] tags) =>
            Rows.Where(r => r.Instrument == instrument && tags.All(t => r.Tags.GetValueOrDefault(t.Key) == t.Value)).Sum(r => r.Value);
    }

    private static readonly string OkName = $"{nameof(MetricFunctions)}.{nameof(MetricFunctions.Ok)}";
    private static readonly string BadName = $"{nameof(MetricFunctions)}.{nameof(MetricFunctions.Bad)}";
}

public static class MetricFunctions
{
    public static int Ok(int x) => x;

    public static int Timed(int x) => x;

    public static int Bad(int x) => throw new InvalidOperationException($"bad {x}");
}

public sealed class MetricCounter
{
    private int _count;
    public int Add() => ++_count;
}
