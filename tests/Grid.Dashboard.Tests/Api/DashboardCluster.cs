using System.Net.Http.Headers;
using System.Net.Http.Json;
using Grid.Silo.Diagnostics;
using Grid.State;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Grid.Dashboard.Tests.Api;

/// <summary>
/// Three in-process silos (4 CPUs each) with a password: the first (Silo_0) serves the web service, every one its
/// Prometheus endpoint, all on free ports. Shared by the API test classes of the "dashboard" collection.
/// </summary>
public sealed class DashboardCluster : IAsyncLifetime
{
    public const string Password = "s3cret-dashboard-password";
    public const int Nodes = 3;
    public const double CpusPerNode = 4;
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>The name of the silo that serves the web service (the test cluster's first).</summary>
    public const string HeadSilo = "Silo_0";

    public GridTestCluster Cluster { get; private set; } = null!;
    public GridClient Grid => Cluster.Grid;
    /// <summary>The web service's base URL, e.g. http://127.0.0.1:41234.</summary>
    public string Url { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Cluster = await new GridTestClusterBuilder()
            .Silos(Nodes)
            .ConfigureNodes(o => o.NumCpus = CpusPerNode)
            .ConfigureSilos((name, silo) =>
            {
                silo.UseGridMetricsEndpoint(o => { o.Port = 0; o.Password = Password; });
                if (name == HeadSilo) silo.UseGridDashboard(o => { o.Port = 0; o.Password = Password; });
            })
            .Patience(TimeSpan.FromSeconds(90))
            .StartAsync();
        Url = GridTestCluster.Service<DashboardEndpoint>(Head).Url ?? throw new InvalidOperationException("The dashboard did not report its URL.");
    }

    /// <summary>The silo serving the web service.</summary>
    public InProcessSiloHandle Head => Cluster.Silos.Single(s => s.ServiceProvider.GetService<DashboardEndpoint>()?.Url is not null);

    /// <summary>Every node's metrics URL as its silo reports it.</summary>
    public IReadOnlyList<string> MetricsUrls => [.. Cluster.Silos.Select(s => GridTestCluster.Service<NodeEndpoints>(s).MetricsUrl!)];

    /// <summary>A client of the web service: with the password as bearer token, with <paramref name="bearer"/> instead, or with none. No redirects followed, no cookie jar.</summary>
    public HttpClient Http(bool authenticated = true, string? bearer = null)
    {
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = new Uri(Url + "/"),
            Timeout = TimeSpan.FromSeconds(60),
        };
        if (authenticated || bearer is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer ?? Password);
        return http;
    }

    /// <summary>GET <paramref name="path"/> as JSON, failing with the service's own message on an error status.</summary>
    public async Task<T> GetAsync<T>(string path)
    {
        using var http = Http();
        using var response = await http.GetAsync(path);
        if (!response.IsSuccessStatusCode) Assert.Fail($"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(HeadApi.Json))!;
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}

[CollectionDefinition("dashboard")]
public sealed class DashboardCollection : ICollectionFixture<DashboardCluster>;

/// <summary>The work the API tests create: a function with a name they filter on, an actor class, a function that waits on a gate.</summary>
public static class DashboardFunctions
{
    public static int Square(int x) => x * x;

    public static int Fail(int x) => throw new InvalidOperationException($"failing on purpose ({x})");

    public static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

public sealed class Tally
{
    private int _total;
    public int Add(int x) => _total += x;
}
