using Grid.Grains;
using Grid.Tests.Core;
using Grid.Tests.Fixtures;
using Grid.Wire;
using static Grid.Tests.Fixtures.HeterogeneousClusterFixture;

namespace Grid.Tests.Scheduling;

/// <summary>Resource-aware placement on silos that declare different resources and labels.</summary>
[Collection("heterogeneous")]
public sealed class PlacementTests(HeterogeneousClusterFixture cluster)
{
    private GridClient Grid => cluster.Grid;

    private static string NewGate() => "sched-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task S2_a_4_cpu_node_runs_4_one_cpu_tasks_at_once_and_queues_the_rest_visibly()
    {
        var a = await cluster.NodeAsync("a");
        var gate = NewGate();
        var probe = SchedulingFunctions.ProbeOf(gate);
        var hold = Grid.Function<string, string>(SchedulingFunctions.HoldWhere, new TaskOptions { Scheduling = SchedulingStrategy.NodeAffinity(a.NodeId) });
        var refs = Enumerable.Range(0, 10).Select(_ => hold.Remote(gate)).ToArray();

        // Four run, six wait in the node's queue with a visible reason; nothing more starts meanwhile.
        await Until(async () => probe.Running == 4 && (await cluster.NodeAsync("a")).QueuedTasks == 6, "4 running and 6 queued on node a");
        var waiting = await cluster.NodeAsync("a");
        Assert.Contains(waiting.PendingReasons, r => r.Contains("waiting for resources: CPU"));
        Assert.Equal(4, probe.Running);

        TestFunctions.Gate(gate).TrySetResult(true);
        var nodes = await Grid.GetAsync(refs);
        Assert.All(nodes, n => Assert.Equal(a.NodeId.Value, n));
        Assert.Equal(4, probe.Max);
    }

    [Fact]
    public async Task Hard_node_affinity_runs_only_on_that_node()
    {
        var c = await cluster.NodeAsync("c");
        var where = Grid.Function<string>(SchedulingFunctions.Where, new TaskOptions { Scheduling = SchedulingStrategy.NodeAffinity(c.NodeId) });
        var nodes = await Grid.GetAsync(Enumerable.Range(0, 8).Select(_ => where.Remote()));
        Assert.All(nodes, n => Assert.Equal(c.NodeId.Value, n));
    }

    [Fact]
    public async Task Hard_affinity_to_an_unknown_node_fails_at_once_and_soft_affinity_falls_back()
    {
        var unknown = new NodeId("127.0.0.1:1@1");
        var hard = Grid.Function<string>(SchedulingFunctions.Where, new TaskOptions { Scheduling = SchedulingStrategy.NodeAffinity(unknown) });
        var error = await Assert.ThrowsAsync<UnschedulableException>(async () => await hard.Remote());
        Assert.Contains("dead or not part of the cluster", error.Message);

        var soft = Grid.Function<string>(SchedulingFunctions.Where, new TaskOptions { Scheduling = SchedulingStrategy.NodeAffinity(unknown, soft: true) });
        var nodes = (await Grid.GetNodesAsync()).Select(n => n.NodeId.Value).ToArray();
        Assert.Contains(await soft.Remote(), nodes);
    }

    [Fact]
    public async Task Soft_affinity_to_a_node_without_the_resource_falls_back_to_one_that_has_it()
    {
        var a = await cluster.NodeAsync("a");
        var c = await cluster.NodeAsync("c");
        var options = new TaskOptions { Resources = new Dictionary<string, double> { ["accelerator"] = 1 } };
        var soft = Grid.Function<string>(SchedulingFunctions.Where, options with { Scheduling = SchedulingStrategy.NodeAffinity(a.NodeId, soft: true) });
        Assert.Equal(c.NodeId.Value, await soft.Remote());

        var hard = Grid.Function<string>(SchedulingFunctions.Where, options with { Scheduling = SchedulingStrategy.NodeAffinity(a.NodeId) });
        var error = await Assert.ThrowsAsync<UnschedulableException>(async () => await hard.Remote());
        Assert.Contains("accelerator", error.Message);
    }

    [Fact]
    public async Task Custom_resources_send_work_to_the_node_that_declares_them()
    {
        var c = await cluster.NodeAsync("c");
        var where = Grid.Function<string>(SchedulingFunctions.Where, new TaskOptions { Resources = new Dictionary<string, double> { ["accelerator"] = 0.5 } });
        var nodes = await Grid.GetAsync(Enumerable.Range(0, 4).Select(_ => where.Remote()));
        Assert.All(nodes, n => Assert.Equal(c.NodeId.Value, n));
    }

    [Fact]
    public async Task Node_labels_and_the_node_resource_pin_work_to_nodes()
    {
        var b = await cluster.NodeAsync("b");
        var c = await cluster.NodeAsync("c");
        var byLabel = Grid.Function<string>(SchedulingFunctions.Where, new TaskOptions
        {
            Scheduling = SchedulingStrategy.NodeLabels(new Dictionary<string, string> { ["zone"] = "c" }),
        });
        Assert.All(await Grid.GetAsync(Enumerable.Range(0, 4).Select(_ => byLabel.Remote())), n => Assert.Equal(c.NodeId.Value, n));

        var byResource = Grid.Function<string>(SchedulingFunctions.Where, new TaskOptions
        {
            Resources = new Dictionary<string, double> { ["node:" + b.NodeId.Value] = 0.01 },
        });
        Assert.All(await Grid.GetAsync(Enumerable.Range(0, 4).Select(_ => byResource.Remote())), n => Assert.Equal(b.NodeId.Value, n));

        var softLabel = await Grid.CreateActorAsync(() => new Placed(), new ActorOptions
        {
            Scheduling = SchedulingStrategy.NodeLabels(new Dictionary<string, string>(), soft: new Dictionary<string, string> { ["zone"] = "b" }),
        });
        Assert.Equal(b.NodeId.Value, await softLabel.Call(p => p.Node()));
        await softLabel.KillAsync();
    }

    [Fact]
    public async Task Spread_places_tasks_and_actors_on_all_three_nodes()
    {
        var all = (await Grid.GetNodesAsync()).Select(n => n.NodeId.Value).Order().ToArray();
        var gate = NewGate();
        var hold = Grid.Function<string, string>(SchedulingFunctions.HoldWhere, new TaskOptions { Scheduling = SchedulingStrategy.Spread });
        var refs = Enumerable.Range(0, 6).Select(_ => hold.Remote(gate)).ToArray();
        await Until(() => Task.FromResult(SchedulingFunctions.ProbeOf(gate).Running == 6), "6 spread tasks running");
        TestFunctions.Gate(gate).TrySetResult(true);
        Assert.Equal(all, (await Grid.GetAsync(refs)).Distinct().Order().ToArray());

        var actors = new List<ActorHandle<Placed>>();
        for (var i = 0; i < 3; i++)
            actors.Add(await Grid.CreateActorAsync(() => new Placed(), new ActorOptions { Scheduling = SchedulingStrategy.Spread }));
        var homes = await Grid.GetAsync(actors.Select(a => a.Call(p => p.Node())));
        Assert.Equal(all, homes.Order().ToArray());
        foreach (var actor in actors) await actor.KillAsync();
    }

    [Fact]
    public async Task Fractional_gpu_requests_share_one_gpu_id_and_a_whole_gpu_gets_its_own()
    {
        var b = await cluster.NodeAsync("b");
        var gate = NewGate();
        var half = Grid.Function<string, int[]>(SchedulingFunctions.HoldGpus, new TaskOptions { NumGpus = 0.5 });
        var whole = Grid.Function<string, int[]>(SchedulingFunctions.HoldGpus, new TaskOptions { NumGpus = 1 });
        var halves = new[] { half.Remote(gate), half.Remote(gate) };
        await Until(() => Task.FromResult(SchedulingFunctions.ProbeOf(gate).Running == 2), "two half-GPU tasks running together");
        var one = whole.Remote(gate);
        await Until(() => Task.FromResult(SchedulingFunctions.ProbeOf(gate).Running == 3), "the whole-GPU task running beside them");
        TestFunctions.Gate(gate).TrySetResult(true);

        var (h1, h2, w) = (await halves[0], await halves[1], await one);
        Assert.Single(h1);
        Assert.Equal(h1, h2);
        Assert.Single(w);
        Assert.NotEqual(h1[0], w[0]);
        Assert.All(new[] { h1[0], w[0] }, id => Assert.InRange(id, 0, (int)b.Total[ResourceSet.Gpu] - 1));
    }

    [Fact]
    public async Task A_gpu_actor_never_lands_on_a_cpu_only_silo()
    {
        var b = await cluster.NodeAsync("b");
        var actors = new List<ActorHandle<Placed>>();
        // Spread would use every node if it could: only the GPU silo can hold these.
        for (var i = 0; i < 4; i++)
            actors.Add(await Grid.CreateActorAsync(() => new Placed(), new ActorOptions { NumGpus = 0.5, Scheduling = SchedulingStrategy.Spread }));
        var homes = await Grid.GetAsync(actors.Select(a => a.Call(p => p.Node())));
        Assert.All(homes, h => Assert.Equal(b.NodeId.Value, h));
        var gpus = await Grid.GetAsync(actors.Select(a => a.Call(p => p.Gpus())));
        Assert.All(gpus, g => Assert.Single(g));
        foreach (var actor in actors) await actor.KillAsync();
    }

    [Fact]
    public async Task S11_two_of_four_gpu_actors_start_two_wait_with_a_reason_and_one_starts_when_a_gpu_actor_dies()
    {
        var gcs = Grid.Worker.Grains.GetGrain<IGcsGrain>(0);
        var actors = new List<ActorHandle<Placed>>();
        for (var i = 0; i < 4; i++)
            actors.Add(await Grid.CreateActorAsync(() => new Placed(), new ActorOptions { NumGpus = 1 }));
        async Task<ActorInfo[]> InfosAsync() => await Task.WhenAll(actors.Select(async a => (await gcs.GetActor(a.ActorId))!));

        await Until(async () =>
        {
            var infos = await InfosAsync();
            return infos.Count(i => i.State == ActorState.Alive) == 2
                && infos.Count(i => i.State == ActorState.Pending && i.PendingReason == "waiting for resources: GPU") == 2;
        }, "2 GPU actors alive and 2 pending for a GPU");
        await Until(async () => (await cluster.NodeAsync("b")).PendingReasons.Any(r => r.Contains("waiting for resources: GPU")), "the GPU node's pending reason");

        var alive = actors.Where(a => a.Ready.IsCompleted).ToList();
        var victim = alive[0];
        await victim.KillAsync();
        actors.Remove(victim);
        await Until(async () => (await InfosAsync()).Count(i => i.State == ActorState.Alive) == 2, "a pending GPU actor to start after the kill");
        Assert.Single(await InfosAsync(), i => i.State == ActorState.Pending);

        // Clean up in the order they can start: a pending actor becomes killable once placed.
        while (actors.Count > 0)
        {
            var ready = actors.First(a => a.Ready.IsCompleted);
            await ready.KillAsync();
            actors.Remove(ready);
            if (actors.Count > 0) await Task.WhenAny(actors.Select(a => a.Ready));
        }
    }
}

[CollectionDefinition("heterogeneous")]
public sealed class HeterogeneousCollection : ICollectionFixture<HeterogeneousClusterFixture>;
