using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Grid.Samples.Scenarios;
using Grid.State;
using Grid.Testing;

namespace Grid.Cluster.Tests;

/// <summary>
/// <c>grid list</c> and <c>grid summary</c> on real <c>grid</c> processes (the head's web service, found through this
/// machine's current-cluster file) agree with what the test created, and every node's Prometheus endpoint asks for
/// the cluster's password.
/// </summary>
[Collection(ThreeNodeCluster.Name)]
public sealed class StateCommandTests(LocalCluster cluster)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private async Task<T> JsonOfAsync<T>(params string[] args)
    {
        var result = await cluster.Cli.RunAsync([.. args, "--format", "json"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonSerializer.Deserialize<T>(result.Output, Json)!;
    }

    [Fact]
    public async Task List_nodes_shows_the_three_alive_nodes_and_the_head_with_their_resources()
    {
        var nodes = await JsonOfAsync<NodeView[]>("list", "nodes", "--filter", "state=ALIVE");

        Assert.Equal((await cluster.AliveNodesAsync()).Select(n => n.NodeId.Value).Order(), nodes.Select(n => n.NodeId).Order());
        Assert.Single(nodes, n => n.IsHead);
        Assert.All(nodes, n => Assert.Equal(LocalCluster.CpusPerNode, n.Resources["CPU"].Total));
        Assert.All(nodes, n => Assert.NotNull(n.MetricsUrl));

        var table = await cluster.Cli.RunAsync("list", "nodes");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("(head)", table.Output);
        Assert.Contains("3 nodes.", table.Output);
    }

    [Fact]
    public async Task A_named_actor_and_the_tasks_run_are_listed_and_summarized_with_exact_counts()
    {
        await using var grid = await GridClient.ConnectAsync(cluster.Address, LocalCluster.Password);
        var name = "state-" + Guid.NewGuid().ToString("N")[..8];
        var counter = await grid.CreateActorAsync(() => new Counter(0, 0, "S10"), new ActorOptions { Name = name });
        Assert.Equal(1, await grid.GetAsync(counter.Call(c => c.Increment())));

        var actors = await JsonOfAsync<ActorView[]>("list", "actors", "--filter", $"name={name}");
        var actor = Assert.Single(actors);
        Assert.Equal("ALIVE", actor.State);
        Assert.Contains(nameof(Counter), actor.ClassName);
        Assert.NotNull(actor.NodeId);

        static long Finished(StateSummary s) => s.Rows.Where(r => r.Name.Contains(nameof(TasksAndObjects.Square))).Sum(r => r.ByState.GetValueOrDefault("FINISHED"));
        var before = Finished(await JsonOfAsync<StateSummary>("summary", "tasks"));
        var square = grid.Function<int, int>(TasksAndObjects.Square, new TaskOptions { Scheduling = SchedulingStrategy.Spread });
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i * i), await grid.GetAsync([.. Enumerable.Range(0, 40).Select(i => square.Remote(i))]));

        // The nodes count a task when it ends, before its answer reaches the client: by now all 40 are counted.
        Assert.Equal(before + 40, Finished(await JsonOfAsync<StateSummary>("summary", "tasks")));

        var page = await JsonOfAsync<TaskView[]>("list", "tasks", "--filter", "state=FINISHED", "--limit", "5");
        Assert.Equal(5, page.Length);
        Assert.All(page, t => Assert.Equal("FINISHED", t.State));

        var summaryTable = await cluster.Cli.RunAsync("summary", "actors");
        Assert.True(summaryTable.ExitCode == 0, summaryTable.ToString());
        Assert.Contains(nameof(Counter), summaryTable.Output);
    }

    [Fact]
    public async Task A_stored_object_is_listed_on_its_node()
    {
        await using var grid = await GridClient.ConnectAsync(cluster.Address, LocalCluster.Password);
        using var data = await grid.PutAsync(new byte[1 << 20]);

        var objects = await JsonOfAsync<ObjectView[]>("list", "objects", "--filter", $"objectId={data.Id}");

        var row = Assert.Single(objects);
        Assert.True(row.SizeBytes >= 1 << 20);
        Assert.Equal(1, row.LocalRefs);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_by_the_web_service_and_by_every_metrics_endpoint()
    {
        var refused = await cluster.Cli.RunAsync("list", "nodes", "--password", "not-the-password");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("password", refused.Error, StringComparison.OrdinalIgnoreCase);

        var nodes = await JsonOfAsync<NodeView[]>("list", "nodes");
        using var http = new HttpClient();
        foreach (var node in nodes)
        {
            using (var anonymous = await http.GetAsync(node.MetricsUrl))
                Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            using var request = new HttpRequestMessage(HttpMethod.Get, node.MetricsUrl);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LocalCluster.Password);
            using var scraped = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
            Assert.Contains("# TYPE ", await scraped.Content.ReadAsStringAsync());
        }
    }
}
