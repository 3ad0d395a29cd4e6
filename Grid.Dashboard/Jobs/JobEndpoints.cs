using Grid.Jobs;
using Grid.Silo;
using Grid.Silo.Gcs;
using Grid.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Text.Json;
using StackExchange.Redis;

namespace Grid.Dashboard.Jobs;

/// <summary>The job routes of the web service (Ray's job REST API): packages, submit, status, logs, stop.</summary>
internal static class JobEndpoints
{
    /// <summary>
    /// The job services (supervisor, package store, <see cref="JobDirectory"/>), added by UseGridDashboard. They need the
    /// head silo's <see cref="IGcs"/>, <see cref="IGrainFactory"/> and <see cref="NodeRuntime"/>, and the dashboard's
    /// options (<see cref="DashboardOptions"/> or IOptions of it), from the same container. The supervisor is a hosted
    /// service: at start it marks FAILED the jobs of heads that went away; at stop it stops the drivers it runs.
    /// </summary>
    public static IServiceCollection AddGridJobs(this IServiceCollection services)
    {
        services.AddSingleton(sp => new JobPackages(sp.GetRequiredService<IGcs>(), sp.GetRequiredService<DashboardOptions>().MaxPackageBytes));
        services.AddSingleton(sp => new JobDirectory(sp.GetRequiredService<IGcs>()));
        services.AddSingleton(sp => new JobSupervisor(sp.GetRequiredService<IGcs>(), sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<NodeRuntime>().NodeId, Options(sp), sp.GetRequiredService<JobPackages>(), sp.GetRequiredService<ILogger<JobSupervisor>>()));
        services.AddHostedService(sp => sp.GetRequiredService<JobSupervisor>());
        return services;
    }

    private static DashboardOptions Options(IServiceProvider services) =>
        services.GetService<DashboardOptions>() ?? services.GetService<IOptions<DashboardOptions>>()?.Value ?? new DashboardOptions();

    /// <summary>Maps PUT/HEAD /api/packages/{hash}, POST /api/jobs, GET /api/jobs/{id}, GET /api/jobs/{id}/logs, POST /api/jobs/{id}/stop (the listing GET /api/jobs is the state API's).</summary>
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/api/packages/{hash}", [HttpMethods.Head], (string hash, JobPackages packages, IServiceProvider services, CancellationToken cancel) =>
            Answer(services, async () => await packages.HasAsync(hash).WaitAsync(cancel).ConfigureAwait(false) ? Results.Ok() : Results.NotFound(), cancel));

        app.MapPut("/api/packages/{hash}", (string hash, HttpContext context, JobPackages packages, IServiceProvider services, CancellationToken cancel) =>
            Answer(services, async () =>
            {
                // Kestrel's own limit (30 MB) would cut a package short with a bare 413; the store applies its own, with a message.
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = packages.MaxBytes + 1;
                await packages.PutAsync(hash, context.Request.Body, context.Request.ContentLength, cancel).ConfigureAwait(false);
                return Results.Ok(new { hash });
            }, cancel, Timeout.InfiniteTimeSpan));

        app.MapPost("/api/jobs", (HttpContext context, JobSupervisor supervisor, IServiceProvider services, CancellationToken cancel) =>
            Answer(services, async () =>
            {
                JobSubmitRequest? request;
                try { request = await context.Request.ReadFromJsonAsync<JobSubmitRequest>(HeadApi.Json, cancel).ConfigureAwait(false); }
                catch (Exception e) when (e is JsonException or InvalidOperationException)
                {
                    throw JobRequestException.BadRequest($"The body is not a job request ({e.Message}); send JSON such as {{\"entrypoint\": [\"dotnet\", \"MyDriver.dll\"]}}.");
                }
                if (request is null) throw JobRequestException.BadRequest("The body must be a job request: {\"entrypoint\": [\"dotnet\", \"MyDriver.dll\"]}.");
                var job = await supervisor.SubmitAsync(request, cancel).ConfigureAwait(false);
                return Results.Json(new JobSubmitResponse(job.Id), HeadApi.Json);
            }, cancel));

        app.MapGet("/api/jobs/{id}", (string id, JobDirectory jobs, IServiceProvider services, CancellationToken cancel) =>
            Answer(services, async () =>
            {
                var view = await jobs.GetAsync(id, cancel).ConfigureAwait(false)
                    ?? throw JobRequestException.NotFound($"There is no job with submission id '{id}' (grid job list shows the cluster's jobs).");
                return Results.Json(view, HeadApi.Json);
            }, cancel));

        app.MapGet("/api/jobs/{id}/logs", (string id, long? offset, JobSupervisor supervisor, IServiceProvider services, CancellationToken cancel) =>
            Answer(services, async () => Results.Json(await supervisor.ReadLogAsync(id, offset ?? 0, cancel).ConfigureAwait(false), HeadApi.Json), cancel));

        app.MapPost("/api/jobs/{id}/stop", (string id, JobSupervisor supervisor, IServiceProvider services, CancellationToken cancel) =>
            Answer(services, async () => Results.Json(new { stopped = await supervisor.StopAsync(id, cancel).ConfigureAwait(false) }, HeadApi.Json), cancel,
                Options(services).GcsTimeout * 2 + JobSupervisor.StopGrace * 3));
        return app;
    }

    /// <summary>
    /// Runs a route's work; a refused request becomes its status with ApiError, a GCS that does not answer within
    /// <see cref="DashboardOptions.GcsTimeout"/> (or <paramref name="limit"/>, for work that waits on more than the GCS) a
    /// 503 that says so (never a hang).
    /// </summary>
    private static async Task<IResult> Answer(IServiceProvider services, Func<Task<IResult>> work, CancellationToken cancel, TimeSpan? limit = null)
    {
        try
        {
            return await work().WaitAsync(limit ?? Options(services).GcsTimeout * 2, cancel).ConfigureAwait(false);
        }
        catch (JobRequestException e)
        {
            return Results.Json(new ApiError(e.Message), HeadApi.Json, statusCode: e.Status);
        }
        catch (Exception e) when (e is TimeoutException or RedisException or GcsUnavailableException)
        {
            return Results.Json(new ApiError($"The cluster's GCS (its Redis) did not answer in time ({e.Message}): it is down or restarting; " +
                "try again once it is back."), HeadApi.Json, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
