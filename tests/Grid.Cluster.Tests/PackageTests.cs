using System.Diagnostics;
using Grid.Testing;

namespace Grid.Cluster.Tests;

/// <summary>
/// Grid as an application gets it: the shipped projects are packed into a folder feed, and a new console app outside
/// the repository, referencing the <c>Grid.Silo</c> package from that feed alone (NuGet for Orleans and the rest),
/// runs on the embedded mode and against a cluster that the packed <c>grid</c> .NET tool started.
/// </summary>
public sealed class PackageTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(4);
    private static readonly string[] Shipped = ["Grid.Abstractions", "Grid.ObjectStore", "Grid.Core", "Grid.Client", "Grid.Silo", "Grid.Cli"];

    [Fact]
    public async Task An_app_built_from_the_packages_runs_embedded_and_on_a_cluster_the_packed_tool_started()
    {
        var work = Directory.CreateTempSubdirectory("grid-packages-").FullName;
        var state = Path.Combine(work, "state");
        var grid = Path.Combine(work, "tools", "grid");
        try
        {
            var feed = Path.Combine(work, "feed");
            var repo = GridCli.RepositoryRoot;
            foreach (var project in Shipped)
                await RunAsync("dotnet", ["pack", Path.Combine(repo, project, $"{project}.csproj"), "-c", "Release", "--no-build", "-o", feed], work);
            Assert.Equal(Shipped.Select(p => $"{p}.0.1.0.nupkg").Order(), Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Order());

            var app = Path.Combine(work, "app");
            Directory.CreateDirectory(app);
            await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="grid-local" value="{feed}" />
                  </packageSources>
                  <packageSourceMapping>
                    <packageSource key="grid-local"><package pattern="Grid.*" /></packageSource>
                    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
                  </packageSourceMapping>
                </configuration>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "app.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Grid.Silo" Version="0.1.0" />
                  </ItemGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
                using Grid;

                await using var grid = args.Length == 0
                    ? await GridClient.StartLocalAsync()
                    : await GridClient.ConnectAsync(args[0], Environment.GetEnvironmentVariable("APP_PASSWORD"));
                var square = grid.Function(static (int x) => x * x);
                int[] squares = await grid.GetAsync([.. Enumerable.Range(0, 4).Select(i => square.Remote(i))]);
                Console.WriteLine($"squares: {string.Join(", ", squares)} on {(await grid.GetNodesAsync()).Length} node(s)");
                """);
            await RunAsync("dotnet", ["build", "-c", "Release", "-nologo", "-v", "quiet"], app);
            var dll = Path.Combine(app, "bin", "Release", "net10.0", "app.dll");

            var embedded = await RunAsync("dotnet", [dll], app);
            Assert.Contains("squares: 0, 1, 4, 9 on 1 node(s)", embedded);

            await RunAsync("dotnet", ["tool", "install", "Grid.Cli", "--version", "0.1.0", "--tool-path", Path.GetDirectoryName(grid)!,
                "--configfile", Path.Combine(app, "nuget.config")], app);
            var port = LoopbackPorts.Next().ToString();
            var environment = new Dictionary<string, string> { ["GRID_STATE_DIR"] = state, ["APP_PASSWORD"] = LocalCluster.Password };
            await RunAsync(grid, ["start", "--head", "--port", port, "--password", LocalCluster.Password, "--num-cpus", "2", "--node-ip-address", "127.0.0.1"], app, environment);
            var onCluster = await RunAsync("dotnet", [dll, $"127.0.0.1:{port}"], app, environment);
            Assert.Contains("squares: 0, 1, 4, 9 on 1 node(s)", onCluster);

            var stopped = await RunAsync(grid, ["stop"], app, environment);
            Assert.Contains("Stopped the head node", stopped); // the tool's own processes are recognised as its nodes
        }
        finally
        {
            if (File.Exists(grid))
                try { await RunAsync(grid, ["stop"], work, new Dictionary<string, string> { ["GRID_STATE_DIR"] = state }); } catch (Exception) { /* already stopped */ }
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Runs a command to its end (bounded) and returns its output; a non-zero exit fails the test with both streams.</summary>
    private static async Task<string> RunAsync(string file, string[] args, string directory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("GRID_ADDRESS");
        start.Environment.Remove("GRID_PASSWORD");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using (var cts = new CancellationTokenSource(Step))
        {
            try { await process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {Step}.");
            }
        }
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)}: exit code {process.ExitCode}\n{await output}\n{await error}");
        return await output + await error;
    }
}
