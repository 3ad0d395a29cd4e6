using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Grid.Cli;

/// <summary>
/// The head's own <c>redis-server</c>: the cluster's GCS and membership store. It runs daemonized
/// (its own session, so a terminal's Ctrl+C reaches the node first and the node can still record
/// its exit), with a password, AOF persistence and its data under the state directory.
/// </summary>
internal static class RedisServer
{
    public const string ProcessMarker = "redis-server";

    /// <summary>Starts redis-server on <paramref name="port"/>, listening on <paramref name="bindAddresses"/>; returns its pid.</summary>
    /// <paramref name="fresh"/> starts from an empty data directory: a new cluster, without the previous one's nodes, actors and credentials.
    public static async Task<int> StartAsync(int port, string password, IReadOnlyList<IPAddress> bindAddresses, bool fresh, TimeSpan timeout)
    {
        var executable = FindExecutable() ?? throw new GridCliException(
            "redis-server was not found on PATH. Install it (Debian/Ubuntu: 'sudo apt-get install -y redis-server'), " +
            "or point the head at an existing Redis with --redis-url.");
        if (RunningPid() is { } existing)
            throw new GridCliException($"A Redis started by 'grid' already runs on this machine (pid {existing}, state dir {StatePaths.Root}). " +
                "Stop that cluster with 'grid stop' first, or use another GRID_STATE_DIR.");
        EnsurePortFree(port, bindAddresses);
        if (fresh)
        {
            // Only Redis' own data goes: the AOF directory and any snapshot. The config is rewritten below.
            var data = new DirectoryInfo(StatePaths.RedisData);
            foreach (var dir in data.EnumerateDirectories()) dir.Delete(recursive: true);
            foreach (var file in data.EnumerateFiles("*.rdb")) file.Delete();
        }

        File.Delete(StatePaths.RedisPidFile);
        var config = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"port {port}")
            .AppendLine(CultureInfo.InvariantCulture, $"bind {string.Join(' ', bindAddresses)}")
            .AppendLine(CultureInfo.InvariantCulture, $"requirepass \"{password.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"")
            .AppendLine(CultureInfo.InvariantCulture, $"dir \"{StatePaths.RedisData}\"")
            .AppendLine("appendonly yes")
            .AppendLine("daemonize yes")
            .AppendLine(CultureInfo.InvariantCulture, $"pidfile \"{StatePaths.RedisPidFile}\"")
            .AppendLine(CultureInfo.InvariantCulture, $"logfile \"{StatePaths.RedisLog}\"")
            .ToString();
        // The config holds the password: readable by its owner only (and not on the command line, where ps shows it).
        File.WriteAllText(StatePaths.RedisConfig, "");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(StatePaths.RedisConfig, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(StatePaths.RedisConfig, config);

        // Through sh for umask 077: Redis' log, AOF and snapshots are readable by this user only.
        using (var launcher = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "umask 077; exec \"$0\" \"$1\"", executable, StatePaths.RedisConfig])
               { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            var output = launcher.StandardOutput.ReadToEndAsync();
            var error = launcher.StandardError.ReadToEndAsync();
            await launcher.WaitForExitAsync().ConfigureAwait(false);
            if (launcher.ExitCode != 0)
                throw new GridCliException($"redis-server failed to start (exit code {launcher.ExitCode}): {await output}{await error}{LocalProcesses.Tail(StatePaths.RedisLog)}");
        }

        // Daemonized Redis writes its pid file and then opens its port; wait for both.
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (RunningPid() is { } pid && await AcceptsAsync(bindAddresses[0], port).ConfigureAwait(false)) return pid;
            await Task.Delay(50).ConfigureAwait(false);
        }
        throw new GridCliException($"redis-server did not start listening on port {port} within {timeout.TotalSeconds:F0} s. Its log ({StatePaths.RedisLog}):\n{LocalProcesses.Tail(StatePaths.RedisLog)}");
    }

    /// <summary>The pid of the Redis that 'grid' started on this machine, if it still runs.</summary>
    public static int? RunningPid()
    {
        if (!File.Exists(StatePaths.RedisPidFile)) return null;
        return int.TryParse(File.ReadAllText(StatePaths.RedisPidFile).Trim(), out var pid) && LocalProcesses.IsRunning(pid, ProcessMarker) ? pid : null;
    }

    /// <summary>Stops the Redis this machine's head started (SIGTERM: it finishes its AOF and exits); returns its pid, if one ran.</summary>
    public static async Task<(int Pid, bool Stopped)?> StopAsync(TimeSpan timeout)
    {
        if (RunningPid() is not { } pid) return null;
        LocalProcesses.Terminate(pid);
        var left = await LocalProcesses.WaitForExitAsync([pid], [ProcessMarker], timeout).ConfigureAwait(false);
        if (left.Count > 0) LocalProcesses.ForceKill(pid);
        File.Delete(StatePaths.RedisPidFile);
        return (pid, left.Count == 0);
    }

    private static string? FindExecutable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "redis-server")).FirstOrDefault(File.Exists);

    private static void EnsurePortFree(int port, IEnumerable<IPAddress> addresses)
    {
        foreach (var address in addresses)
        {
            try
            {
                using var probe = new TcpListener(address, port);
                probe.Start();
            }
            catch (SocketException e)
            {
                throw new GridCliException($"Port {port} on {address} is not free ({e.SocketErrorCode}); another Redis or cluster may use it. Choose another with --port.");
            }
        }
    }

    private static async Task<bool> AcceptsAsync(IPAddress address, int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(address, port).ConfigureAwait(false);
            return true;
        }
        catch (SocketException) { return false; }
    }
}
