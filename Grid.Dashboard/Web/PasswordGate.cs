using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Grid.Dashboard.Web;

/// <summary>
/// The cluster's password at the door of a web app: a request passes with <c>Authorization: Bearer &lt;password&gt;</c>
/// or, where logins are allowed (the dashboard), with the <see cref="CookieName"/> cookie of a login. Passwords are
/// compared as SHA-256 hashes in constant time. A login's cookie is a random session id, never the password: the head
/// keeps the ids (hashed) in memory, so a logout ends the session and a restart of the head ends them all.
/// With no password every request passes (a cluster without one).
/// </summary>
internal sealed class PasswordGate
{
    public const string CookieName = "grid_session";
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromDays(7);
    private const int MaxSessions = 10_000;

    private readonly byte[]? _passwordHash;
    private readonly bool _logins;
    // SHA-256 of the session id (hex) → when it expires; a lookup by hash leaks nothing usable through its timing.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public PasswordGate(string? password, bool logins, TimeProvider? time = null)
    {
        _passwordHash = string.IsNullOrEmpty(password) ? null : Hash(password);
        _logins = logins;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Whether a password is asked at all.</summary>
    public bool Enabled => _passwordHash is not null;

    public bool IsPassword(string? given) =>
        _passwordHash is not null && given is not null && CryptographicOperations.FixedTimeEquals(Hash(given), _passwordHash);

    public bool Allows(HttpContext context)
    {
        if (_passwordHash is null) return true;
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && IsPassword(authorization["Bearer ".Length..].Trim()))
            return true;
        return _logins && context.Request.Cookies.TryGetValue(CookieName, out var session) && IsSession(session);
    }

    /// <summary>Starts a session (after a right password) and returns its id, the cookie's value.</summary>
    public string StartSession()
    {
        var now = _time.GetUtcNow();
        if (_sessions.Count >= MaxSessions)
        {
            foreach (var (key, expires) in _sessions)
                if (expires <= now) _sessions.TryRemove(key, out _);
            // Still full of live sessions: the oldest go (a login storm must not grow the head's memory without bound).
            foreach (var (key, _) in _sessions.OrderBy(s => s.Value).Take(_sessions.Count - MaxSessions + 1))
                _sessions.TryRemove(key, out _);
        }
        var id = Base64Url(RandomNumberGenerator.GetBytes(32));
        _sessions[SessionKey(id)] = now + SessionLifetime;
        return id;
    }

    public void EndSession(string? id)
    {
        if (!string.IsNullOrEmpty(id)) _sessions.TryRemove(SessionKey(id), out _);
    }

    private bool IsSession(string id)
    {
        var key = SessionKey(id);
        if (!_sessions.TryGetValue(key, out var expires)) return false;
        if (expires > _time.GetUtcNow()) return true;
        _sessions.TryRemove(key, out _);
        return false;
    }

    /// <summary>Requests that need no password: the login page and the login and logout forms.</summary>
    public static bool IsPublic(HttpRequest request) =>
        request.Path.Equals("/login", StringComparison.Ordinal) && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsPost(request.Method))
        || request.Path.Equals("/logout", StringComparison.Ordinal) && HttpMethods.IsPost(request.Method);

    private static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));

    private static string SessionKey(string id) => Convert.ToHexString(Hash(id));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

internal static class PasswordGateMiddleware
{
    /// <summary>
    /// Refuses what the gate does not allow: the API and /metrics with 401 and an <see cref="Grid.State.ApiError"/>
    /// (and a WWW-Authenticate: Bearer header), a page with a redirect to the login page (where there is one).
    /// </summary>
    public static IApplicationBuilder UsePasswordGate(this IApplicationBuilder app, PasswordGate gate, bool loginPage) => app.Use(async (context, next) =>
    {
        if (gate.Allows(context) || loginPage && PasswordGate.IsPublic(context.Request))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        var request = context.Request;
        if (loginPage && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && !request.Path.StartsWithSegments("/api")
            && !request.Path.StartsWithSegments("/metrics"))
        {
            context.Response.Redirect("/login");
            return;
        }
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"grid\"";
        var bearer = request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        await ApiResults.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, bearer
            ? "The password is wrong: give the cluster's password (--password or GRID_PASSWORD) as 'Authorization: Bearer <password>'."
            : "This Grid cluster has a password: give it as 'Authorization: Bearer <password>' (--password or GRID_PASSWORD), or log in at /login.").ConfigureAwait(false);
    });
}
