using System.Net;
using System.Net.Http.Json;
using Grid.State;
using Grid.Testing;

namespace Grid.Dashboard.Tests.Api;

/// <summary>The state API agrees with what the tests created on a 3-node cluster: counts, names, filters and paging.</summary>
[Collection("dashboard")]
public sealed class StateApiTests(DashboardCluster cluster)
{
    private GridClient Grid => cluster.Grid;

    [Fact]
    public async Task Nodes_lists_the_three_alive_nodes_with_their_resources_and_the_head()
    {
        var page = await cluster.GetAsync<Page<NodeView>>("api/nodes");
        Assert.Equal(DashboardCluster.Nodes, page.Total);
        var expected = cluster.Cluster.Silos.Select(s => GridTestCluster.NodeOf(s).Value).Order().ToArray();
        Assert.Equal(expected, page.Items.Select(n => n.NodeId).Order().ToArray());
        Assert.All(page.Items, n =>
        {
            Assert.Equal("ALIVE", n.State);
            Assert.Equal(DashboardCluster.CpusPerNode, n.Resources["CPU"].Total);
            Assert.NotEmpty(n.Address);
        });
        var head = Assert.Single(page.Items, n => n.IsHead);
        Assert.Equal(GridTestCluster.NodeOf(cluster.Head).Value, head.NodeId);
        Assert.Equal(head, page.Items[0]);

        var filtered = await cluster.GetAsync<Page<NodeView>>($"api/nodes?nodeId={Uri.EscapeDataString(head.NodeId)}");
        Assert.Equal(head.NodeId, Assert.Single(filtered.Items).NodeId);
        Assert.Equal(DashboardCluster.Nodes, (await cluster.GetAsync<Page<NodeView>>("api/nodes?state=alive")).Total);
        Assert.Equal(0, (await cluster.GetAsync<Page<NodeView>>("api/nodes?state=DEAD")).Total);
    }

    [Fact]
    public async Task Nodes_report_their_live_figures_and_metrics_endpoints()
    {
        var page = await cluster.GetAsync<Page<NodeView>>("api/nodes");
        Assert.All(page.Items, n =>
        {
            Assert.True(n.MemoryBytes > 0, $"node {n.NodeId} reports no memory");
            Assert.True(n.Pid > 0);
            Assert.True(n.ObjectStoreCapacityBytes > 0);
            Assert.NotNull(n.MetricsUrl);
        });
        Assert.Equal(cluster.MetricsUrls.Order(), page.Items.Select(n => n.MetricsUrl!).Order());
    }

    [Fact]
    public async Task Actors_lists_the_actors_created_with_their_names_classes_and_nodes()
    {
        await using var job = await cluster.Cluster.ConnectClientAsync();
        var name = $"tally-{Guid.NewGuid():N}";
        var named = await job.CreateActorAsync(() => new Tally(), new ActorOptions { Name = name });
        var others = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => job.CreateActorAsync(() => new Tally())));
        Assert.Equal(1, await named.Call(t => t.Add(1)));
        foreach (var other in others) Assert.Equal(2, await other.Call(t => t.Add(2)));

        var mine = await cluster.GetAsync<Page<ActorView>>($"api/actors?jobId={job.JobId.Value}&limit=1000");
        Assert.Equal(4, mine.Total);
        Assert.All(mine.Items, a =>
        {
            Assert.Equal("ALIVE", a.State);
            Assert.Equal(typeof(Tally).FullName, a.ClassName);
            Assert.NotNull(a.NodeId);
        });
        var byName = await cluster.GetAsync<Page<ActorView>>($"api/actors?name={name}");
        Assert.Equal(name, Assert.Single(byName.Items).Name);
        Assert.Equal(1, mine.Items.Count(a => a.Name == name));

        var summary = await cluster.GetAsync<StateSummary>("api/summary/actors");
        var row = Assert.Single(summary.Rows, r => r.Name == mine.Items[0].ClassName);
        Assert.True(row.ByState["ALIVE"] >= 4);
    }

    [Fact]
    public async Task Tasks_lists_the_tasks_run_with_state_and_name_filters_and_pages()
    {
        await using var job = await cluster.Cluster.ConnectClientAsync();
        var square = job.Function<int, int>(DashboardFunctions.Square);
        const int Count = 25;
        var results = await job.GetAsync(Enumerable.Range(0, Count).Select(i => square.Remote(i)).ToList());
        Assert.Equal(Enumerable.Range(0, Count).Select(i => i * i), results);
        var fail = job.Function<int, int>(DashboardFunctions.Fail, new TaskOptions { MaxRetries = 0 });
        await Assert.ThrowsAnyAsync<Exception>(async () => await fail.Remote(1));

        var finished = await Eventually.WaitAsync(
            () => cluster.GetAsync<Page<TaskView>>($"api/tasks?jobId={job.JobId.Value}&state=FINISHED&limit=1000"),
            p => p.Total == Count, DashboardCluster.Patience, $"{Count} finished tasks of the job listed");
        Assert.All(finished.Items, t => Assert.Equal("DashboardFunctions.Square", t.Name));
        Assert.Equal(Count, finished.Items.Select(t => t.TaskId).Distinct().Count());

        var failed = await Eventually.WaitAsync(
            () => cluster.GetAsync<Page<TaskView>>($"api/tasks?jobId={job.JobId.Value}&state=FAILED"),
            p => p.Total == 1, DashboardCluster.Patience, "the failed task listed");
        Assert.Contains("failing on purpose", failed.Items[0].Error);

        var byName = await cluster.GetAsync<Page<TaskView>>($"api/tasks?jobId={job.JobId.Value}&name=dashboardfunctions.square");
        Assert.Equal(Count, byName.Total);

        // Pages: disjoint, in order, together the whole listing.
        var seen = new List<string>();
        for (var offset = 0; offset < Count; offset += 10)
        {
            var page = await cluster.GetAsync<Page<TaskView>>($"api/tasks?jobId={job.JobId.Value}&state=FINISHED&limit=10&offset={offset}");
            Assert.Equal(Count, page.Total);
            Assert.Equal((10, offset), (page.Limit, page.Offset));
            Assert.Equal(Math.Min(10, Count - offset), page.Items.Count);
            seen.AddRange(page.Items.Select(t => t.TaskId));
        }
        Assert.Equal(finished.Items.Select(t => t.TaskId).Order(), seen.Order());

        var summary = await cluster.GetAsync<StateSummary>("api/summary/tasks");
        var row = Assert.Single(summary.Rows, r => r.Name == "DashboardFunctions.Square");
        Assert.True(row.ByState["FINISHED"] >= Count);
        Assert.Equal(summary.Rows.Sum(r => r.Total), summary.ByState.Values.Sum());
    }

    [Fact]
    public async Task An_unknown_filter_or_a_bad_limit_is_refused_naming_what_there_is()
    {
        using var http = cluster.Http();
        using var unknown = await http.GetAsync("api/actors?colour=red");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var error = (await unknown.Content.ReadFromJsonAsync<ApiError>(HeadApi.Json))!.Error;
        Assert.Contains("colour", error);
        Assert.Contains("className", error);
        Assert.Contains("state", error);

        foreach (var bad in (string[])["limit=0", "limit=10001", "limit=ten", "offset=-1"])
        {
            using var refused = await http.GetAsync($"api/nodes?{bad}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }
        using var noRoute = await http.GetAsync("api/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, noRoute.StatusCode);
        using var noSummary = await http.GetAsync("api/summary/everything");
        Assert.Equal(HttpStatusCode.NotFound, noSummary.StatusCode);
    }

    [Fact]
    public async Task Objects_lists_the_stored_objects_and_their_summary_counts_them_by_node()
    {
        const int Size = 2 << 20;
        var stored = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => Grid.PutAsync(DashboardFunctions.Bytes(Size, i))));
        var ids = stored.Select(r => r.Id.ToString()).ToHashSet();

        var page = await cluster.GetAsync<Page<ObjectView>>("api/objects?limit=10000");
        var mine = page.Items.Where(o => ids.Contains(o.ObjectId)).ToList();
        Assert.Equal(ids.Order(), mine.Select(o => o.ObjectId).Distinct().Order());
        Assert.All(mine, o => Assert.True(o.SizeBytes >= Size));
        Assert.All(mine, o => Assert.True(o.LocalRefs >= 1, "the owner counts the reference this test holds"));

        var node = mine[0].NodeId;
        var onNode = await cluster.GetAsync<Page<ObjectView>>($"api/objects?nodeId={Uri.EscapeDataString(node)}&limit=10000");
        Assert.All(onNode.Items, o => Assert.Equal(node, o.NodeId));

        var summary = await cluster.GetAsync<StateSummary>("api/summary/objects");
        var row = Assert.Single(summary.Rows, r => r.Name == node);
        Assert.True(row.ByState["COUNT"] >= mine.Count(o => o.NodeId == node));
        Assert.True(summary.ByState["BYTES"] >= 3L * Size);
        GC.KeepAlive(stored);
    }

    [Fact]
    public async Task Placement_groups_lists_a_created_group_with_its_bundles_and_nodes()
    {
        var group = await Grid.CreatePlacementGroupAsync(
            [new Dictionary<string, double> { ["CPU"] = 1 }, new Dictionary<string, double> { ["CPU"] = 1 }], PlacementGroupStrategy.StrictSpread);
        try
        {
            await group.ReadyAsync(TimeSpan.FromSeconds(30));
            var page = await cluster.GetAsync<Page<PlacementGroupView>>($"api/placement-groups?placementGroupId={group.Id.Value}");
            var view = Assert.Single(page.Items);
            Assert.Equal("CREATED", view.State);
            Assert.Equal("STRICT_SPREAD", view.Strategy);
            Assert.Equal(2, view.Bundles.Count);
            Assert.Equal(1, view.Bundles[0]["CPU"]);
            Assert.Equal(2, view.BundleNodes.Distinct().Count());
            Assert.All(view.BundleNodes, n => Assert.NotNull(n));
            var onNode = await cluster.GetAsync<Page<PlacementGroupView>>($"api/placement-groups?bundleNodes={Uri.EscapeDataString(view.BundleNodes[0]!)}");
            Assert.Contains(onNode.Items, g => g.PlacementGroupId == group.Id.Value);
        }
        finally
        {
            await group.RemoveAsync();
        }
        var removed = await cluster.GetAsync<Page<PlacementGroupView>>($"api/placement-groups?placementGroupId={group.Id.Value}");
        Assert.Equal("REMOVED", Assert.Single(removed.Items).State);
    }

    [Fact]
    public async Task History_grows_a_sample_a_second_for_every_node()
    {
        var first = await Eventually.WaitAsync(() => cluster.GetAsync<ClusterHistory>("api/history?minutes=1"),
            h => h.Nodes.Count == DashboardCluster.Nodes && h.Tasks.Count > 0, DashboardCluster.Patience, "a sample of every node");
        var later = await Eventually.WaitAsync(() => cluster.GetAsync<ClusterHistory>("api/history?minutes=1"),
            h => h.Tasks.Count > 0 && h.Tasks[^1].Time > first.Tasks[^1].Time, DashboardCluster.Patience, "a newer sample");
        Assert.All(later.Nodes.Values, samples => Assert.True(samples.Count >= 1));
        Assert.True(later.Tasks.Zip(later.Tasks.Skip(1)).All(p => p.First.Time < p.Second.Time), "samples come oldest first");
        using var http = cluster.Http();
        using var refused = await http.GetAsync("api/history?minutes=60");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task Prometheus_targets_list_every_alive_nodes_metrics_endpoint()
    {
        using var http = cluster.Http();
        using var response = await http.GetAsync("api/prometheus/targets");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var groups = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(DashboardCluster.Nodes, groups.Count);
        var expected = cluster.MetricsUrls.Select(u => new Uri(u).Authority).Order();
        Assert.Equal(expected, groups.Select(g => Assert.Single(g.GetProperty("targets").EnumerateArray()).GetString()!).Order());
        Assert.All(groups, g => Assert.Equal("/metrics", g.GetProperty("labels").GetProperty("__metrics_path__").GetString()));
    }
}
