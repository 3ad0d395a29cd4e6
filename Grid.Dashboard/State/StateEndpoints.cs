using System.Globalization;
using Grid.Dashboard.Web;
using Grid.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.Dashboard.State;

/// <summary>The state API's routes (see the routes table in docs): the overview, the six listings, summaries, history, Prometheus targets.</summary>
internal static class StateEndpoints
{
    public static IEndpointRouteBuilder MapStateEndpoints(this IEndpointRouteBuilder routes)
    {
        var state = routes.ServiceProvider.GetRequiredService<StateReader>();
        var summaries = routes.ServiceProvider.GetRequiredService<StateSummaries>();
        var monitor = routes.ServiceProvider.GetRequiredService<ClusterMonitor>();

        routes.MapGetJson("/api/cluster", c => state.OverviewAsync(c.RequestAborted));
        routes.MapGetJson("/api/nodes", async c => Listing.Query(await state.NodesAsync(c.RequestAborted), c.Request.Query, "nodes"));
        routes.MapGetJson("/api/actors", async c => Listing.Query(await state.ActorsAsync(c.RequestAborted), c.Request.Query, "actors"));
        routes.MapGetJson("/api/tasks", async c => Listing.Query(await state.TasksAsync(c.RequestAborted), c.Request.Query, "tasks"));
        routes.MapGetJson("/api/objects", async c => Listing.Query(await state.ObjectsAsync(c.RequestAborted), c.Request.Query, "objects"));
        routes.MapGetJson("/api/placement-groups", async c => Listing.Query(await state.PlacementGroupsAsync(c.RequestAborted), c.Request.Query, "placement groups"));
        routes.MapGetJson("/api/jobs", async c => Listing.Query(await state.JobsAsync(c.RequestAborted), c.Request.Query, "jobs"));
        routes.MapGetJson("/api/summary/{kind}", c => summaries.SummarizeAsync((string)c.Request.RouteValues["kind"]!, c.RequestAborted));
        routes.MapGetJson("/api/history", c => Task.FromResult(monitor.History(Minutes(c.Request.Query["minutes"].ToString()))));
        routes.MapGetJson("/api/prometheus/targets", c => TargetsAsync(state, c.RequestAborted));
        // Anything else under /api: a 404 in the API's own shape (the job routes, mapped beside these, win over it).
        routes.MapFallback("/api/{**rest}", c => ApiResults.WriteErrorAsync(c, StatusCodes.Status404NotFound,
            $"{c.Request.Method} {c.Request.Path} is not a route of the Grid head's API."));
        return routes;
    }

    private static double Minutes(string text)
    {
        if (text.Length == 0) return 5;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes) || minutes <= 0 || minutes > ClusterMonitor.Keep.TotalMinutes)
            throw new ApiRequestException(StatusCodes.Status400BadRequest,
                $"minutes={text} is not allowed: the head keeps the last {ClusterMonitor.Keep.TotalMinutes:0} minutes; give a number above 0 and up to that.");
        return minutes;
    }

    /// <summary>
    /// Prometheus' HTTP service discovery (http_sd_configs): one target group per alive node that serves metrics, labelled
    /// with its node id, so one scrape job follows the cluster as nodes come and go.
    /// </summary>
    private static async Task<IReadOnlyList<PrometheusTargetGroup>> TargetsAsync(StateReader state, CancellationToken cancellationToken)
    {
        var nodes = await state.NodesAsync(cancellationToken).ConfigureAwait(false);
        return [.. nodes.Where(n => n.State == "ALIVE" && n.MetricsUrl is not null).Select(n =>
        {
            var url = new Uri(n.MetricsUrl!);
            return new PrometheusTargetGroup([url.Authority], new Dictionary<string, string>
            {
                ["__scheme__"] = url.Scheme,
                ["__metrics_path__"] = url.AbsolutePath,
                ["node_id"] = n.NodeId,
                ["is_head"] = n.IsHead ? "true" : "false",
            });
        })];
    }
}

/// <summary>One group of Prometheus' http_sd format: the targets (HOST:PORT) and their labels.</summary>
internal sealed record PrometheusTargetGroup(IReadOnlyList<string> Targets, IReadOnlyDictionary<string, string> Labels);
