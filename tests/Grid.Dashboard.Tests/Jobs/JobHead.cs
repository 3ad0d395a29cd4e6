using System.Net;
using Grid.Dashboard.Jobs;
using Grid.Silo;
using Grid.Silo.Gcs;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grid.Dashboard.Tests.Jobs;

/// <summary>
/// A real one-node cluster for the job tests: a head silo in this process whose GCS and membership are a real
/// redis-server with a password (the cluster's address is that Redis, as `grid start --head` makes it), with the job
/// services (alone: their objects are then reachable from the test; <see cref="DashboardJobHead"/> serves them through the
/// web service instead). Drivers it runs are separate processes that join through GRID_ADDRESS and GRID_PASSWORD, as
/// users' do.
/// </summary>
public class JobHead : IAsyncLifetime
{
    public const string Password = "job-test-secret";
    private RedisServer? _redis;
    private IHost? _host;

    public string JobsDirectory { get; } = System.IO.Directory.CreateTempSubdirectory("grid-jobs-test-").FullName;
    public string Address => _redis!.Address;
    internal IServiceProvider Services => _host!.Services;
    internal JobSupervisor Supervisor => Services.GetRequiredService<JobSupervisor>();
    internal JobPackages Packages => Services.GetRequiredService<JobPackages>();
    internal JobDirectory Jobs => Services.GetRequiredService<JobDirectory>();
    internal IGcs Gcs => Services.GetRequiredService<IGcs>();

    /// <summary>
    /// The job tests' driver: <c>dotnet Grid.TestSilo.dll job …</c> (tests/Shared/TestSilo/JobDriver.cs). Not the samples'
    /// job mode: this head runs in the test process and loads the code drivers ship, and the samples' assemblies
    /// reference ones (Grid.Data, Grid.Inference) this test process lacks, which the next silo started here would fail on.
    /// </summary>
    public static string[] Driver(params string[] options) =>
        ["dotnet", GridCli.BuildOutput(Path.Combine("tests", "Shared", "TestSilo"), "Grid.TestSilo.dll"), "job", .. options];

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync(Password);
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var redis = _redis.Address;
        builder.UseOrleans(silo =>
        {
            silo.ConfigureEndpoints(IPAddress.Loopback, LoopbackPorts.Next(), LoopbackPorts.Next())
                .UseGridRedis(o => { o.Address = redis; o.Password = Password; })
                .UseGrid(o => o.NumCpus = 2);
            if (ServesDashboard)
                silo.UseGridDashboard(o => { o.Port = 0; o.Password = Password; o.ClusterAddress = redis; o.JobsDirectory = JobsDirectory; });
        });
        if (!ServesDashboard)
        {
            builder.Services.AddSingleton(new DashboardOptions { ClusterAddress = redis, Password = Password, JobsDirectory = JobsDirectory });
            builder.Services.AddGridJobs();
        }
        _host = builder.Build();
        await _host.StartAsync();
    }

    /// <summary>Whether the head serves the web service (UseGridDashboard, on a free port), which then holds the job services.</summary>
    protected virtual bool ServesDashboard => false;

    /// <summary>The web service's URL, with <see cref="ServesDashboard"/>.</summary>
    public string DashboardUrl => Services.GetRequiredService<DashboardEndpoint>().Url ?? throw new InvalidOperationException("The head serves no dashboard.");

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
        if (_redis is not null) await _redis.DisposeAsync();
        try { System.IO.Directory.Delete(JobsDirectory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The head serving the web service: the job routes with the cluster's password, as `grid start --head` serves them.</summary>
public sealed class DashboardJobHead : JobHead
{
    protected override bool ServesDashboard => true;
}
