using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Grid.Cli;

/// <summary>Signals and liveness checks for the processes the <c>grid</c> command starts (Linux/macOS).</summary>
internal static partial class LocalProcesses
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "getuid")]
    private static partial uint GetUid();

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);

    /// <summary>Makes every file and directory this process creates from now on its user's only (umask 077).</summary>
    public static void RestrictNewFiles()
    {
        if (!OperatingSystem.IsWindows()) Umask(0x3F);
    }

    /// <summary>Asks a process to stop gracefully (SIGTERM): Grid nodes leave the cluster, Redis saves and exits.</summary>
    public static bool Terminate(int pid) => Kill(pid, SigTerm) == 0;

    public static bool ForceKill(int pid) => Kill(pid, SigKill) == 0;

    /// <summary>
    /// Whether <paramref name="pid"/> is alive, runs as this user and its command line contains one of <paramref name="markers"/>,
    /// so neither a pid reused by an unrelated process after a crash nor another user's node is ever signalled.
    /// </summary>
    public static bool IsRunning(int pid, params string[] markers)
    {
        if (pid <= 0) return false;
        var cmdline = $"/proc/{pid}/cmdline";
        if (File.Exists(cmdline))
        {
            try
            {
                var text = File.ReadAllText(cmdline).Replace('\0', ' ');
                return markers.Any(m => text.Contains(m, StringComparison.Ordinal)) && !IsZombie(pid) && IsOwn(pid);
            }
            catch (IOException) { return false; }
        }
        if (OperatingSystem.IsLinux()) return false;
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }

    /// <summary>Whether the process's real user is this process's (the "Uid:" line of /proc/PID/status).</summary>
    private static bool IsOwn(int pid)
    {
        var uid = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?
            .Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
        return uid is not null && uint.TryParse(uid, out var owner) && owner == GetUid();
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat[(stat.LastIndexOf(')') + 2)..];
            return afterName.StartsWith('Z');
        }
        catch (IOException) { return false; }
    }

    /// <summary>Waits until none of <paramref name="pids"/> runs any more, or the deadline passes; returns those still running.</summary>
    public static async Task<IReadOnlyList<int>> WaitForExitAsync(IReadOnlyCollection<int> pids, string[] markers, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var running = pids.Where(p => IsRunning(p, markers)).ToList();
            if (running.Count == 0 || DateTime.UtcNow >= deadline) return running;
            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>The last lines of a log file, for error messages that point at it.</summary>
    public static string Tail(string path, int lines = 20)
    {
        try
        {
            return File.Exists(path) ? string.Join(Environment.NewLine, File.ReadLines(path).TakeLast(lines)) : "";
        }
        catch (IOException) { return ""; }
    }
}
