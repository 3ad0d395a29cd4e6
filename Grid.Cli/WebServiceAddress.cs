using System.CommandLine;
using Grid.Hosting;
using Grid.State;

namespace Grid.Cli;

/// <summary>
/// Where the commands that talk to the head's web service (<c>grid list</c>, <c>grid summary</c>, <c>grid job</c>) send
/// their requests, and with which password: --address, else GRID_DASHBOARD_ADDRESS, else the web service of the cluster
/// started on this machine (its current-cluster file); --password, else GRID_PASSWORD, else that file's.
/// </summary>
internal static class WebServiceAddress
{
    public static Option<string?> AddressOption() =>
        new("--address") { Description = $"The head's web service, e.g. http://head:8265 (default: {HeadApi.AddressVariable}, else the cluster started on this machine)." };

    public static Option<string?> PasswordOption() =>
        new("--password") { Description = "The cluster's password (default: GRID_PASSWORD, else the one recorded on this machine)." };

    /// <summary>
    /// Opens a client of the web service (<see cref="GridStateClient"/>, <see cref="Jobs.GridJobClient"/>) at the resolved
    /// address with the resolved password. The password recorded on this machine goes only to this machine's head,
    /// never to another address.
    /// </summary>
    public static T Open<T>(Func<string, string?, T> create, string? address, string? password)
    {
        var current = CurrentCluster.TryRead();
        var resolved = NullIfEmpty(address) ?? NullIfEmpty(Environment.GetEnvironmentVariable(HeadApi.AddressVariable)) ?? current?.DashboardUrl
            ?? throw new GridCliException(current is null
                ? $"No Grid cluster was started on this machine: give the head's web service with --address http://HEAD:8265 or set {HeadApi.AddressVariable}."
                : "This machine's cluster serves no web service (its head runs with --dashboard-port 0): restart the head with a dashboard port, " +
                  "or give another head's with --address http://HEAD:8265.");
        var secret = NullIfEmpty(password) ?? NullIfEmpty(Environment.GetEnvironmentVariable(GridClusterAddress.PasswordVariable))
            ?? (current?.DashboardUrl is { } url && SameAddress(url, resolved) ? current.Password : null);
        try
        {
            return create(resolved, secret);
        }
        catch (ArgumentException e)
        {
            throw new GridCliException(e.Message);
        }
    }

    private static bool SameAddress(string a, string b) =>
        string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase) ||
        string.Equals(a.TrimEnd('/'), "http://" + b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
