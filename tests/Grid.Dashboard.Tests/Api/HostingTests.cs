using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Grid.Dashboard.Tests.Api;

/// <summary>Bad options and a taken port stop the node's start with a message that names what to change.</summary>
public sealed class HostingTests
{
    [Theory]
    [InlineData("not-an-address", 0, "DashboardOptions.Host")]
    [InlineData("127.0.0.1", 70000, "DashboardOptions.Port")]
    public async Task Bad_dashboard_options_fail_the_start_naming_the_option(string host, int port, string named)
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            GridClient.StartLocalAsync(node => node.NumCpus = 1, silo: s => s.UseGridDashboard(o => { o.Host = host; o.Port = port; })));
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public async Task A_bad_metrics_host_fails_the_start_naming_the_option()
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            GridClient.StartLocalAsync(node => node.NumCpus = 1, silo: s => s.UseGridMetricsEndpoint(o => o.Host = "somewhere")));
        Assert.Contains("MetricsEndpointOptions.Host", e.Message);
    }

    [Fact]
    public async Task A_taken_port_fails_the_start_saying_so()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var e = await Assert.ThrowsAnyAsync<Exception>(() =>
            GridClient.StartLocalAsync(node => node.NumCpus = 1, silo: s => s.UseGridDashboard(o => o.Port = port)));
        var messages = string.Join(" | ", Flatten(e).Select(x => x.Message));
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", messages);
    }

    private static IEnumerable<Exception> Flatten(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            yield return x;
            if (x is AggregateException a)
                foreach (var inner in a.InnerExceptions.SelectMany(Flatten)) yield return inner;
        }
    }
}
