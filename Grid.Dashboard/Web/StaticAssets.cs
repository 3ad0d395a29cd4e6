using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;

namespace Grid.Dashboard.Web;

/// <summary>
/// The page's files, embedded in this assembly under "wwwroot/" (see the csproj): index.html at <c>/</c>, login.html at
/// <c>/login</c>, every other file at its own path (<c>/app.js</c>, <c>/app.css</c>…). Served from memory with
/// <c>Cache-Control: no-cache</c>, so a browser revalidates them after the head is upgraded.
/// </summary>
internal static class StaticAssets
{
    private const string Prefix = "wwwroot/";
    private static readonly Lazy<IReadOnlyDictionary<string, byte[]>> Files = new(Load);

    /// <summary>The embedded file at <paramref name="path"/> (relative to wwwroot, e.g. "app.js"); null when there is none.</summary>
    public static byte[]? Get(string path) => Files.Value.GetValueOrDefault(path);

    public static string LoginPage(bool failed)
    {
        var page = Encoding.UTF8.GetString(Get("login.html") ?? "<!doctype html><title>Grid</title><form method=post action=/login><input type=password name=password><button>Log in</button></form><!--login-error-->"u8.ToArray());
        return failed ? page.Replace("<!--login-error-->", "<p class=\"error\" data-testid=\"login-error\" role=\"alert\">Wrong password.</p>", StringComparison.Ordinal) : page;
    }

    public static IEndpointRouteBuilder MapStaticAssets(this IEndpointRouteBuilder routes)
    {
        var types = new FileExtensionContentTypeProvider();
        foreach (var path in Files.Value.Keys)
        {
            if (path == "login.html") continue; // served by the login route, with or without its error
            var route = path == "index.html" ? "/" : "/" + path;
            var bytes = Files.Value[path];
            var type = types.TryGetContentType(path, out var t) ? t : "application/octet-stream";
            if (type.StartsWith("text/", StringComparison.Ordinal) || type is "application/javascript" or "application/json" or "image/svg+xml") type += "; charset=utf-8";
            routes.MapMethods(route, [HttpMethods.Get, HttpMethods.Head], context => WriteAsync(context, bytes, type));
        }
        if (!Files.Value.ContainsKey("index.html"))
            routes.MapGet("/", context => WriteAsync(context, "<!doctype html><title>Grid</title><p>The dashboard page is not built into this head.</p>"u8.ToArray(), "text/html; charset=utf-8"));
        return routes;
    }

    public static Task WriteAsync(HttpContext context, byte[] bytes, string contentType, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.ContentLength = bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    private static IReadOnlyDictionary<string, byte[]> Load()
    {
        var assembly = typeof(StaticAssets).Assembly;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            // RecursiveDir may carry the platform's separator; routes use '/'.
            files[name[Prefix.Length..].Replace('\\', '/')] = copy.ToArray();
        }
        return files;
    }
}

/// <summary>GET /login (the page), POST /login (form field "password": a session cookie, then /), POST /logout.</summary>
internal static class LoginEndpoints
{
    public static IEndpointRouteBuilder MapLogin(this IEndpointRouteBuilder routes, PasswordGate gate, Action<HttpContext>? refused = null)
    {
        routes.MapMethods("/login", [HttpMethods.Get, HttpMethods.Head], context =>
            gate.Enabled && !gate.Allows(context) ? Page(context, failed: false) : Redirect(context, "/"));
        routes.MapPost("/login", async context =>
        {
            if (!gate.Enabled)
            {
                await Redirect(context, "/").ConfigureAwait(false);
                return;
            }
            string? password = null;
            if (context.Request.HasFormContentType)
                password = (await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false))["password"].ToString();
            if (!gate.IsPassword(password))
            {
                refused?.Invoke(context);
                await Page(context, failed: true, StatusCodes.Status401Unauthorized).ConfigureAwait(false);
                return;
            }
            context.Response.Cookies.Append(PasswordGate.CookieName, gate.StartSession(), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                Path = "/",
                MaxAge = PasswordGate.SessionLifetime,
            });
            await Redirect(context, "/").ConfigureAwait(false);
        });
        routes.MapPost("/logout", context =>
        {
            if (context.Request.Cookies.TryGetValue(PasswordGate.CookieName, out var session)) gate.EndSession(session);
            context.Response.Cookies.Delete(PasswordGate.CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict });
            return Redirect(context, gate.Enabled ? "/login" : "/");
        });
        return routes;
    }

    private static Task Page(HttpContext context, bool failed, int status = StatusCodes.Status200OK) =>
        StaticAssets.WriteAsync(context, Encoding.UTF8.GetBytes(StaticAssets.LoginPage(failed)), "text/html; charset=utf-8", status);

    // 303: the browser follows a form's POST with a GET.
    private static Task Redirect(HttpContext context, string to)
    {
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = to;
        return Task.CompletedTask;
    }
}
