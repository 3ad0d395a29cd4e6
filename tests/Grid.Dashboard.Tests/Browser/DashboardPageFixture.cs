using Grid.Testing;
using Microsoft.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Grid.Dashboard.Tests.Browser;

/// <summary>
/// One cluster and one browser for the page's tests: three in-process nodes of 4 CPUs, the first the head serving the
/// dashboard on a free port with a password, and a headless chromium.
/// </summary>
public sealed class DashboardPageFixture : IAsyncLifetime
{
    /// <summary>The cluster's password (a fresh one per run).</summary>
    public string Password { get; } = "pw-" + Guid.NewGuid().ToString("N");
    public GridTestCluster Cluster { get; private set; } = null!;
    /// <summary>The dashboard's base address, e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public string Url { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;
    /// <summary>Where the head keeps submitted jobs' directories and logs: the test's own, removed at the end.</summary>
    public string JobsDirectory { get; } = Directory.CreateTempSubdirectory("grid-page-jobs-").FullName;
    private IPlaywright? _playwright;

    public async Task InitializeAsync()
    {
        // A give-up bound for the page to show what the cluster did (polled each second, on 2 loaded cores), not a timing.
        Assertions.SetDefaultExpectTimeout(30_000);
        // The first silo configured is the head (its name is the test cluster's: "Silo_0" with Orleans 10).
        string? head = null;
        Cluster = await new GridTestClusterBuilder()
            .Silos(3)
            .ConfigureNodes(node => node.NumCpus = 4)
            .ConfigureSilos((name, silo) =>
            {
                if ((Interlocked.CompareExchange(ref head, name, null) ?? name) == name)
                    silo.UseGridDashboard(o => { o.Port = 0; o.Password = Password; o.JobsDirectory = JobsDirectory; });
            })
            .StartAsync();
        Url = GridTestCluster.Service<DashboardEndpoint>(Head).Url?.TrimEnd('/')
              ?? throw new InvalidOperationException("The head started without its dashboard's URL.");
        _playwright = await Playwright.CreateAsync();
        Browser = await Chromium.LaunchAsync(_playwright);
    }

    /// <summary>The silo serving the dashboard.</summary>
    public InProcessSiloHandle Head => Cluster.Silos.Single(s => s.ServiceProvider.GetService<DashboardEndpoint>() is not null);

    /// <summary>A fresh browser context (its own cookies) with a window wide enough for the nodes table.</summary>
    public Task<IBrowserContext> NewContextAsync() =>
        Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 }, BaseURL = Url });

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Cluster is not null) await Cluster.DisposeAsync();
        Directory.Delete(JobsDirectory, recursive: true);
    }
}
