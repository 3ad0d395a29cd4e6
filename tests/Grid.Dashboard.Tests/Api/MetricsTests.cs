using System.Net;
using System.Net.Http.Headers;

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
