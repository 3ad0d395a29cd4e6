using Microsoft.Extensions.Options;

namespace Grid.Dashboard;

/// <summary>Checks <see cref="DashboardOptions"/> when the silo starts, each failure saying which option and what to give.</summary>
internal sealed class DashboardOptionsValidator : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        List<string> failures = [.. Listening.Check("DashboardOptions", options.Host, options.Port)];
        if (options.MaxPackageBytes <= 0)
            failures.Add($"DashboardOptions.MaxPackageBytes is {options.MaxPackageBytes}: give a positive size (256 MiB by default), the largest working directory a job may upload.");
        if (options.GcsTimeout <= TimeSpan.Zero)
            failures.Add($"DashboardOptions.GcsTimeout is {options.GcsTimeout}: give a positive time (5 s by default), how long a request waits for the GCS before it answers 503.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Checks <see cref="MetricsEndpointOptions"/> when the silo starts.</summary>
internal sealed class MetricsEndpointOptionsValidator : IValidateOptions<MetricsEndpointOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsEndpointOptions options)
    {
        var failures = Listening.Check("MetricsEndpointOptions", options.Host, options.Port).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal static class Listening
{
    public static IEnumerable<string> Check(string owner, string? host, int port)
    {
        if (KestrelApps.ParseHost(host) is null)
            yield return $"{owner}.Host is '{host}': give the IP address to listen on, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface).";
        if (port is < 0 or > 65535)
            yield return $"{owner}.Port is {port}: give a port from 1 to 65535, or 0 for a free one.";
    }
}
