using System.Text.Json;
using Grid.Dashboard.Diagnostics;
using Grid.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Grid.Dashboard.Web;

/// <summary>A request the API refuses (bad query, unknown field): answered with its status and an <see cref="ApiError"/> saying what to fix.</summary>
internal sealed class ApiRequestException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>The head could not read the GCS in time (Redis down or unreachable): answered 503 with this message.</summary>
internal sealed class GcsUnreachableException(string message, Exception? inner) : Exception(message, inner);

/// <summary>How the web service writes JSON answers and turns failures into <see cref="ApiError"/> answers.</summary>
internal static class ApiResults
{
    public static async Task WriteJsonAsync<T>(HttpContext context, T value, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, HeadApi.Json, context.RequestAborted).ConfigureAwait(false);
    }

    public static Task WriteErrorAsync(HttpContext context, int status, string message) => WriteJsonAsync(context, new ApiError(message), status);

    /// <summary>Maps GET <paramref name="pattern"/> to a handler whose result is written as JSON.</summary>
    public static IEndpointConventionBuilder MapGetJson<T>(this IEndpointRouteBuilder routes, string pattern, Func<HttpContext, Task<T>> handler) =>
        routes.MapGet(pattern, async context => await WriteJsonAsync(context, await handler(context).ConfigureAwait(false)).ConfigureAwait(false));

    /// <summary>
    /// The outermost middleware: a refused request answers its status, an unreachable GCS 503, anything else 500, each
    /// with an <see cref="ApiError"/> (logged where it is the head's problem, not the caller's).
    /// </summary>
    public static IApplicationBuilder UseApiErrors(this IApplicationBuilder app, ILogger logger) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.Response.HasStarted && !(e is OperationCanceledException && context.RequestAborted.IsCancellationRequested))
        {
            var (status, message) = e switch
            {
                ApiRequestException r => (r.Status, r.Message),
                GcsUnreachableException g => (StatusCodes.Status503ServiceUnavailable, g.Message),
                _ => (StatusCodes.Status500InternalServerError, $"The head failed to answer {context.Request.Path}: {e.GetType().Name}: {e.Message}"),
            };
            if (e is GcsUnreachableException) DashboardLog.GcsUnreachable(logger, e, context.Request.Method, context.Request.Path);
            else if (e is not ApiRequestException) DashboardLog.RequestFailed(logger, e, context.Request.Method, context.Request.Path);
            context.Response.Clear();
            await WriteErrorAsync(context, status, message).ConfigureAwait(false);
        }
    });
}
