namespace Grid;

/// <summary>
/// The cluster refused this process: its Redis (GCS and membership store) refused the password or asked for one
/// that was not given, or a node refused the TLS handshake (no credentials, or another cluster's). The message names
/// the setting to fix; the library's own exception is the inner one.
/// </summary>
[GenerateSerializer]
public sealed class GridAuthenticationException : GridException
{
    public GridAuthenticationException(string message, string address) : base(message) => Address = address;
    public GridAuthenticationException(string message, string address, Exception? inner) : base(message, inner) => Address = address;

    /// <summary>The address that refused: the cluster's (its Redis, "host:port") or the gateways tried.</summary>
    [Id(0)] public string Address { get; }
}

/// <summary>
/// The cluster's Redis could not be reached within the connect timeout (wrong address, server down,
/// firewall). The message names the address and what to check.
/// </summary>
[GenerateSerializer]
public sealed class GridConnectionException : GridException
{
    public GridConnectionException(string message, string address) : base(message) => Address = address;
    public GridConnectionException(string message, string address, Exception? inner) : base(message, inner) => Address = address;

    /// <summary>The Redis address, "host:port".</summary>
    [Id(0)] public string Address { get; }
}

/// <summary>
/// The cluster's GCS (its Redis) stayed unreachable longer than a call waits for it, e.g. while Redis restarts. Work
/// already placed keeps running meanwhile; calls that need the GCS (creating or finding actors, registering jobs) can
/// be retried once it is back.
/// </summary>
[GenerateSerializer]
public sealed class GcsUnavailableException : GridException
{
    public GcsUnavailableException(string message) : base(message) { }
    public GcsUnavailableException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>
/// The head's web service (dashboard, state API, jobs) refused or failed a request: a wrong or missing password (401),
/// an unknown job (404), a head that cannot reach its GCS (503), or no answer at the address. The message is the
/// service's own, in Grid's words; an HTTP failure is the inner exception.
/// </summary>
[GenerateSerializer]
public sealed class GridApiException : GridException
{
    public GridApiException(string message, string address, int statusCode, Exception? inner = null) : base(message, inner) =>
        (Address, StatusCode) = (address, statusCode);

    /// <summary>The web service's address, e.g. http://head:8265.</summary>
    [Id(0)] public string Address { get; }
    /// <summary>The HTTP status of the answer; 0 when none came (connection refused, timeout).</summary>
    [Id(1)] public int StatusCode { get; }
}
