using System.Diagnostics;
using System.Globalization;
using Grid.Hosting;

namespace Grid.Cli;

/// <summary>
/// Starts a node in the background (<c>grid start</c> without <c>--block</c>): the same command with
/// <c>--block</c>, in its own session (a closing terminal does not stop it), its output appended to a
/// log in the state directory. Returns once the node has joined the cluster.
/// </summary>
internal static class NodeLauncher
{
    public static async Task<NodeRecord> StartDetachedAsync(NodeSettings settings, GridClusterAddress cluster, TimeSpan timeout)
    {
        var launchId = Guid.NewGuid().ToString("N")[..12];
        var log = Path.Combine(StatePaths.Logs, $"{settings.Role}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{launchId[..6]}.log");
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        // sh redirects the node's output to its log and then becomes the node (exec), so the pid stays the node's.
        // umask 077: the log and every file the node creates are its user's only.
        foreach (var arg in (string[])["/bin/sh", "-c", "umask 077; exec \"$0\" \"$@\" >>\"$GRID_NODE_LOG\" 2>&1 </dev/null"]) start.ArgumentList.Add(arg);
        foreach (var arg in SelfCommand()) start.ArgumentList.Add(arg);
        foreach (var arg in ChildArguments(settings, cluster)) start.ArgumentList.Add(arg);
        start.Environment[NodeHost.LaunchIdVariable] = launchId;
        start.Environment[NodeHost.LogVariable] = log;
        // The password travels in the environment, not on the command line, where ps would show it.
        start.Environment[GridClusterAddress.PasswordVariable] = cluster.Password ?? "";
        start.Environment.Remove(GridClusterAddress.AddressVariable);

        using var child = Process.Start(start) ?? throw new GridCliException("Could not start the node process (setsid /bin/sh).");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (NodeRecord.ReadRunning().FirstOrDefault(r => r.LaunchId == launchId) is { } ready) return ready;
            if (child.HasExited)
                throw new GridCliException($"The {settings.Role} node exited during start-up (exit code {child.ExitCode}). Its log ({log}):\n{LocalProcesses.Tail(log)}");
            if (DateTime.UtcNow >= deadline)
            {
                LocalProcesses.Terminate(child.Id);
                throw new GridCliException($"The {settings.Role} node did not join the cluster within {timeout.TotalSeconds:F0} s; stopped it. Its log ({log}):\n{LocalProcesses.Tail(log)}");
            }
            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>How to run this very command again: the apphost, or <c>dotnet Grid.Cli.dll</c>.</summary>
    public static IEnumerable<string> SelfCommand()
    {
        var process = Environment.ProcessPath ?? throw new GridCliException("Cannot tell which executable runs this command.");
        yield return process;
        if (Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            yield return typeof(NodeLauncher).Assembly.Location;
    }

    private static IEnumerable<string> ChildArguments(NodeSettings s, GridClusterAddress cluster)
    {
        yield return "start";
        if (s.Head) { yield return "--head"; yield return "--redis-url"; }
        else yield return "--address";
        yield return cluster.Address;
        yield return "--block";
        yield return "--cluster-id"; yield return cluster.ClusterId;
        if (s.NumCpus is { } cpus) { yield return "--num-cpus"; yield return cpus.ToString(CultureInfo.InvariantCulture); }
        if (s.NumGpus is { } gpus) { yield return "--num-gpus"; yield return gpus.ToString(CultureInfo.InvariantCulture); }
        if (s.Resources.Count > 0) { yield return "--resources"; yield return System.Text.Json.JsonSerializer.Serialize(s.Resources); }
        if (s.Labels.Count > 0) { yield return "--labels"; yield return string.Join(',', s.Labels.Select(kv => $"{kv.Key}={kv.Value}")); }
        if (s.NodeIp is { } ip) { yield return "--node-ip-address"; yield return ip.ToString(); }
        if (s.Listen is { } listen) { yield return "--listen"; yield return listen.ToString(); }
        if (s.Insecure) yield return "--insecure";
        if (s.NodePort > 0) { yield return "--node-port"; yield return s.NodePort.ToString(CultureInfo.InvariantCulture); }
        if (s.GatewayPort > 0) { yield return "--gateway-port"; yield return s.GatewayPort.ToString(CultureInfo.InvariantCulture); }
        foreach (var dir in s.CodePath) { yield return "--code-path"; yield return Path.GetFullPath(dir); }
        if (s.Head)
        {
            yield return "--dashboard-port"; yield return s.DashboardPort.ToString(CultureInfo.InvariantCulture);
            yield return "--dashboard-host"; yield return s.DashboardHost.ToString();
        }
        if (s.MetricsPort > 0) { yield return "--metrics-port"; yield return s.MetricsPort.ToString(CultureInfo.InvariantCulture); }
    }
}
