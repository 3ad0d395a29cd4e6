using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Grid.Dashboard.Jobs;

/// <summary>
/// A submitted job's driver as a child process of the head: started without a shell (the entrypoint's words are its
/// arguments as given), stdin closed, stdout and stderr appended to the job's log file as they come. The cluster's
/// password reaches it through its environment only, never its command line.
/// </summary>
internal sealed partial class DriverProcess : IDisposable
{
    private readonly Process _process;
    private readonly FileStream _log;
    private readonly Lock _logLock = new();
    private readonly Task _pumps;

    private DriverProcess(Process process, FileStream log)
    {
        _process = process;
        Pid = process.Id;
        _log = log;
        _pumps = Task.WhenAll(PumpAsync(process.StandardOutput.BaseStream), PumpAsync(process.StandardError.BaseStream));
    }

    public int Pid { get; }

    /// <summary>
    /// Starts the driver. Throws <see cref="Win32Exception"/> when the program cannot be started (not found, not
    /// executable), with the OS's reason.
    /// </summary>
    public static DriverProcess Start(IReadOnlyList<string> entrypoint, string workingDirectory, IReadOnlyDictionary<string, string?> environment, string logPath)
    {
        var start = new ProcessStartInfo(entrypoint[0])
        {
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in entrypoint.Skip(1)) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        var log = OpenLog(logPath);
        try
        {
            var process = Process.Start(start) ?? throw new Win32Exception($"'{entrypoint[0]}' did not start");
            process.StandardInput.Close(); // a driver reads no input: it must not wait on the head's stdin
            return new DriverProcess(process, log);
        }
        catch
        {
            log.Dispose();
            throw;
        }
    }

    /// <summary>Appends a line of Grid's own (why a job failed to start, that it was stopped) to a job's log.</summary>
    public static void AppendLine(string logPath, string line)
    {
        using var log = OpenLog(logPath);
        log.Write(System.Text.Encoding.UTF8.GetBytes(line + "\n"));
    }

    /// <summary>Opens the log for appending, created readable by its owner only (it holds the driver's output).</summary>
    private static FileStream OpenLog(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FileStream(path, options);
    }

    private async Task PumpAsync(Stream output)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await output.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                lock (_logLock)
                {
                    _log.Write(buffer, 0, read);
                    _log.Flush();
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { /* the pipe closed with the process */ }
    }

    /// <summary>
    /// Waits for the driver's exit, then for its output to be written (for at most <paramref name="drain"/>: a
    /// grandchild that inherited the pipes may keep them open); returns the exit code.
    /// </summary>
    public async Task<int> WaitForExitAsync(TimeSpan drain)
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        await _pumps.WaitAsync(drain).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return _process.ExitCode;
    }

    /// <summary>Whether the driver exited within <paramref name="timeout"/>.</summary>
    public async Task<bool> ExitedWithinAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException) { return false; }
        catch (InvalidOperationException) { return true; } // disposed: its supervision saw it exit
    }

    public bool HasExited
    {
        get
        {
            try { return _process.HasExited; }
            catch (InvalidOperationException) { return true; } // disposed: its supervision saw it exit
        }
    }

    /// <summary>Asks the driver to stop (SIGTERM; on Windows, where there is none, it is killed).</summary>
    public void Terminate()
    {
        if (HasExited) return;
        if (OperatingSystem.IsWindows()) Kill();
        else if (SysKill(Pid, SigTerm) != 0 && !HasExited) Kill();
    }

    /// <summary>Kills the driver and every process it started.</summary>
    public void Kill()
    {
        try { _process.Kill(entireProcessTree: true); }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception) { /* exited meanwhile */ }
    }

    public void Dispose()
    {
        _process.Dispose();
        lock (_logLock) _log.Dispose();
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);
}
