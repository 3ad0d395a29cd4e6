using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Grid.Testing;

/// <summary>
/// A real redis-server for one test class (or collection): on a free loopback port, with its own
/// temporary directory, no persistence, optionally a password. Started when the fixture initializes
/// (ready once it answers PING) and stopped, with its directory deleted, on dispose.
/// Use it as an xunit class or collection fixture, or create one with <see cref="StartAsync"/>.
/// </summary>
public sealed class RedisServer : IAsyncLifetime, IAsyncDisposable
{
    private const string Binary = "redis-server";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private Process? _process;
    private string? _directory;
    private readonly StringBuilder _output = new();

    public RedisServer() : this(null) { }

    private RedisServer(string? password) => Password = password;

    /// <summary>The server's requirepass, or null when it has none.</summary>
    public string? Password { get; }
    public int Port { get; private set; }
    /// <summary>"127.0.0.1:port".</summary>
    public string Address => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(string? password = null)
    {
        var server = new RedisServer(password);
        await server.InitializeAsync();
        return server;
    }

    public async Task InitializeAsync()
    {
        var binary = FindBinary() ?? throw new InvalidOperationException(
            $"{Binary} is not installed or not on PATH; the Redis tests need a real server. Install it: apt-get install -y redis-server");
        // A port reported free can be taken by another process before redis binds it; try a few.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartOnceAsync(binary, LoopbackPorts.Next());
                return;
            }
            catch (RedisServerStartException) when (attempt < 3)
            {
                await StopAsync();
            }
        }
    }

    private async Task StartOnceAsync(string binary, int port)
    {
        Port = port;
        _directory = Directory.CreateTempSubdirectory("grid-redis-").FullName;
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["--port", port.ToString(), "--bind", "127.0.0.1", "--dir", _directory,
                     "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""])
            start.ArgumentList.Add(arg);
        if (Password is not null) { start.ArgumentList.Add("--requirepass"); start.ArgumentList.Add(Password); }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is null) return;
            lock (_output) _output.AppendLine(e.Data);
            if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal)) ready.TrySetResult();
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.Exited += (_, _) => ready.TrySetException(new RedisServerStartException($"{Binary} exited at start:\n{Output}"));
        process.Start();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await ready.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            throw new RedisServerStartException($"{Binary} did not get ready within {StartTimeout.TotalSeconds} s:\n{Output}");
        }
        await PingAsync();
    }

    /// <summary>Checks the server answers on its port (PING, or NOAUTH when it has a password).</summary>
    private async Task PingAsync()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, Port);
        var stream = socket.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray());
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(StartTimeout);
        var reply = Encoding.ASCII.GetString(buffer, 0, read);
        if (!reply.StartsWith("+PONG", StringComparison.Ordinal) && !reply.StartsWith("-NOAUTH", StringComparison.Ordinal))
            throw new RedisServerStartException($"{Binary} on port {Port} answered PING with '{reply.Trim()}'");
    }

    /// <summary>What the server printed so far (for failure messages).</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    private static string? FindBinary() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/local/bin")
            .Select(dir => Path.Combine(dir, Binary))
            .FirstOrDefault(File.Exists);

    private async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            catch (InvalidOperationException) { /* never started or already reaped */ }
            process.Dispose();
        }
        if (_directory is { } dir)
        {
            _directory = null;
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { /* best effort: it is a temp dir */ }
        }
    }

    public Task DisposeAsync() => StopAsync();

    async ValueTask IAsyncDisposable.DisposeAsync() => await StopAsync();
}

/// <summary>redis-server could not be started (the message carries its output).</summary>
public sealed class RedisServerStartException(string message) : Exception(message);
