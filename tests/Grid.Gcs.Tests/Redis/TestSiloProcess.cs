using System.Diagnostics;
using System.Text;

namespace Grid.Gcs.Tests.Redis;

/// <summary>A Grid silo in a child process (tests/Shared/TestSilo), so a test can kill a node with SIGKILL.</summary>
internal sealed class TestSiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private TestSiloProcess(Process process) => _process = process;

    /// <summary>The silo's parsable address (its node id).</summary>
    public string SiloAddress { get; private set; } = "";

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static Task<TestSiloProcess> StartAsync(string redisAddress, string clusterId, int siloPort, int gatewayPort, string? password) =>
        StartAsync(password is null
            ? [redisAddress, clusterId, siloPort.ToString(), gatewayPort.ToString()]
            : [redisAddress, clusterId, siloPort.ToString(), gatewayPort.ToString(), password]);

    /// <summary>
    /// A client (driver) in a child process instead of a silo (see Grid.TestSilo's DyingClient); its "READY" line's
    /// words are in <see cref="SiloAddress"/>.
    /// </summary>
    public static Task<TestSiloProcess> StartClientAsync(string redisAddress, string clusterId, string password) =>
        StartAsync(["client", redisAddress, clusterId, password]);

    private static async Task<TestSiloProcess> StartAsync(string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Grid.TestSilo.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var silo = new TestSiloProcess(process);
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is null) return;
            lock (silo._output) silo._output.AppendLine(e.Data);
            if (e.Data.StartsWith("READY ", StringComparison.Ordinal)) ready.TrySetResult(e.Data["READY ".Length..]);
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"The test process exited at start:\n{silo.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            silo.SiloAddress = await ready.Task.WaitAsync(TimeSpan.FromSeconds(120));
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the silo without any goodbye (SIGKILL): the cluster must notice by itself.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try { await KillAsync(); }
        catch (InvalidOperationException) { /* never started */ }
        _process.Dispose();
    }
}
