using System.Net;
using System.Net.Http.Headers;
using Grid.Silo.Diagnostics;
using Grid.Testing;

namespace Grid.Dashboard.Tests.Api;

/// <summary>Every node's /metrics answers Prometheus text (OpenTelemetry's exporter over the runtime's meters).</summary>
[Collection("dashboard")]
public sealed class MetricsTests(DashboardCluster cluster)
{
    [Fact]
    public async Task Every_nodes_metrics_parse_as_prometheus_text_with_the_object_stores_figures()
    {
        // A stored object, so the object store's instruments have a measurement to show.
        var stored = await cluster.Grid.PutAsync(DashboardFunctions.Bytes(1 << 20, 7));
        foreach (var url in cluster.MetricsUrls)
        {
            var (response, text) = await ScrapeAsync(url);
            Assert.Equal(HttpStatusCode.OK, response);
            var samples = PrometheusText.Parse(text);
            Assert.Contains(samples, s => s.Name.StartsWith("grid_objectstore_", StringComparison.Ordinal));
        }
        GC.KeepAlive(stored);
    }

    [Fact]
    public async Task The_task_counters_of_the_nodes_count_the_tasks_run()
    {
        const string Name = "DashboardFunctions.Square";
        var before = await SumAsync("grid_tasks_finished_total", Name);
        await using var job = await cluster.Cluster.ConnectClientAsync();
        var square = job.Function<int, int>(DashboardFunctions.Square);
        const int Count = 40;
        Assert.Equal(Enumerable.Range(0, Count).Sum(i => i * i), (await job.GetAsync(Enumerable.Range(0, Count).Select(i => square.Remote(i)).ToList())).Sum());

        // A task counts once it has returned on its node: the counters catch up with the results at once or very soon.
        var after = await Eventually.WaitAsync(() => SumAsync("grid_tasks_finished_total", Name), v => v >= before + Count,
            DashboardCluster.Patience, $"{Count} more finished tasks in the nodes' metrics");
        Assert.Equal(before + Count, after);
        // Every task that finished was submitted to a node first; the state API's exact counts agree with the metrics.
        Assert.True(await SumAsync("grid_tasks_submitted_total", Name) >= after);
        var summary = await cluster.GetAsync<Grid.State.StateSummary>("api/summary/tasks");
        Assert.Equal(after, Assert.Single(summary.Rows, r => r.Name == Name).ByState["FINISHED"]);
    }

    /// <summary>
    /// The sum over the nodes of a metric for one function: each node's endpoint read for that node's series only (nodes
    /// sharing this process see each other's meters, told apart by their node label).
    /// </summary>
    private async Task<double> SumAsync(string metric, string function)
    {
        double sum = 0;
        foreach (var silo in cluster.Cluster.Silos)
        {
            var node = GridTestCluster.NodeOf(silo).Value;
            var (status, text) = await ScrapeAsync(GridTestCluster.Service<NodeEndpoints>(silo).MetricsUrl!);
            Assert.Equal(HttpStatusCode.OK, status);
            sum += PrometheusText.Parse(text)
                .Where(s => s.Name == metric && s.Labels.GetValueOrDefault("node") == node && s.Labels.GetValueOrDefault("name") == function)
                .Sum(s => s.Value);
        }
        return sum;
    }

    [Fact]
    public void The_parser_refuses_what_is_not_prometheus_text()
    {
        Assert.Throws<FormatException>(() => PrometheusText.Parse("{\"not\": \"prometheus\"}"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse("undeclared_metric 1\n"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse("# TYPE m counter\nm{a=\"1\" b=\"2\"} 1\n"));
        var samples = PrometheusText.Parse("# HELP m_total Things.\n# TYPE m_total counter\nm_total{a=\"x\\\"y\",b=\"2\"} 3 1700000000000\n");
        Assert.Equal(new PrometheusSample("m_total", new Dictionary<string, string> { ["a"] = "x\"y", ["b"] = "2" }, 3).Name, Assert.Single(samples).Name);
        Assert.Equal("x\"y", samples[0].Labels["a"]);
    }

    internal static async Task<(HttpStatusCode Status, string Text)> ScrapeAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DashboardCluster.Password);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
