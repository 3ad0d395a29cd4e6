using System.Diagnostics;

namespace Grid.Testing;

/// <summary>Runs the built <c>grid</c> command (<c>dotnet Grid.Cli.dll …</c>) as a real process, isolated by GRID_STATE_DIR.</summary>
public sealed class GridCli(string stateDir)
{
    public string StateDir { get; } = stateDir;

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
    }

    /// <summary>The Grid.Cli build next to this test build (same configuration), e.g. Grid.Cli/bin/Release/net10.0/Grid.Cli.dll.</summary>
    public static string Dll { get; } = BuildOutput("Grid.Cli", "Grid.Cli.dll");

    public async Task<Result> RunAsync(params string[] args) => await RunAsync(args, TimeSpan.FromMinutes(3));

    public Task<Result> RunAsync(string[] args, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null) =>
        RunDllAsync(Dll, args, timeout, environment);

    /// <summary>Runs <c>dotnet <paramref name="dll"/> …</c> (the grid command, or another tool of the repository) in this state directory.</summary>
    public async Task<Result> RunDllAsync(string dll, string[] args, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["GRID_STATE_DIR"] = StateDir;
        start.Environment.Remove("GRID_ADDRESS");
        start.Environment.Remove("GRID_PASSWORD");
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{(dll == Dll ? "grid" : Path.GetFileNameWithoutExtension(dll))} {string.Join(' ', args)} did not finish within {timeout}.");
        }
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>The repository's root: the directory above this build that holds Grid.sln.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Grid.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException($"No Grid.sln above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>
    /// The build of another project of the repository in this build's configuration, e.g.
    /// <c>BuildOutput("Grid.Silo", "Grid.Silo.dll")</c> → Grid.Silo/bin/Release/net10.0/Grid.Silo.dll.
    /// </summary>
    public static string BuildOutput(string projectDirectory, string assembly)
    {
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory);
        // <project>/bin/<Configuration>/<tfm>/ (a test project's, or a tool's such as bench/Grid.Chaos)
        var tfm = baseDir.Name;
        var configuration = baseDir.Parent!.Name;
        for (var dir = baseDir; dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Grid.sln"))) continue;
            var dll = Path.Combine(dir.FullName, projectDirectory, "bin", configuration, tfm, assembly);
            if (File.Exists(dll)) return dll;
            throw new FileNotFoundException($"Build {projectDirectory} ({configuration}) first: {dll} is missing.");
        }
        throw new DirectoryNotFoundException($"No Grid.sln above {baseDir.FullName}.");
    }
}
