using Grid.Hosting;
using Grid.ObjectStore;
using Grid.Silo;
using Grid.Silo.Gcs;
using Grid.Testing;
using Grid.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace Grid.Tests.Objects;

/// <summary>
/// Two in-process silos sharing an in-memory GCS, each with a store of <see cref="CapacityBytes"/> of memory and
/// <see cref="MaxSpillBytes"/> of disk, and remote clients (Orleans cluster clients in this process, so on the
/// nodes' machine): what a driver talking to a local cluster is.
/// </summary>
public sealed class ClientPutClusterFixture : IAsyncLifetime
{
    public const long CapacityBytes = 48L << 20;
    public const long MaxSpillBytes = 80L << 20;
    private readonly InMemoryGcs _gcs = new();
    private readonly List<GridClient> _clients = [];

    public InProcessTestCluster Cluster { get; private set; } = null!;
    public GridClient Grid { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<IGcs>(_gcs);
            silo.UseGrid(o => o.NumCpus = 2, store =>
            {
                store.CapacityBytes = CapacityBytes;
                store.MaxSpillBytes = MaxSpillBytes;
            });
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Grid = await ConnectAsync(new ObjectStoreOptions());
        await Eventually.WaitAsync(async () => (await Grid.GetNodesAsync()).Length == 2, TimeSpan.FromSeconds(30), "two nodes in the cluster view");
    }

    /// <summary>A client (job) with its own object-transfer settings.</summary>
    public async Task<GridClient> ConnectAsync(ObjectStoreOptions transfer)
    {
        var factory = new GridClientFactory(Cluster.Client, Options.Create(new GridClientOptions()), Options.Create(transfer));
        var client = await factory.CreateAsync(null);
        lock (_clients) _clients.Add(client);
        return client;
    }

    /// <summary>Every silo's object store.</summary>
    internal LocalObjectStore[] Stores() =>
        [.. Cluster.Silos.Select(s => ((InProcessSiloHandle)s).ServiceProvider.GetRequiredService<LocalObjectStore>())];

    public async Task<NodeId[]> NodesAsync() => [.. (await Grid.GetNodesAsync()).Where(n => n.State == NodeState.Alive).Select(n => n.NodeId)];

    public async Task DisposeAsync()
    {
        foreach (var c in _clients) await c.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>Remote functions of the client-put tests.</summary>
public static class ClientPutFunctions
{
    /// <summary>Depends on every element and its position: equal sums mean equal arrays, for test purposes.</summary>
    public static long Checksum(long[] data)
    {
        long sum = data.Length;
        for (var i = 0; i < data.Length; i++) sum = unchecked(sum * 31 + data[i] * (i + 1));
        return sum;
    }

    public static long RecordChecksum(LargeRecord record) =>
        unchecked(Checksum(record.Values) * 31 + record.Name.Length * 7 + record.Labels.Sum(l => (long)l.Length));

    public static long[] Pattern(int length, long seed)
    {
        var data = new long[length];
        for (var i = 0; i < length; i++) data[i] = unchecked((i + 1) * 2654435761L ^ seed);
        return data;
    }
}

/// <summary>A value that is not a primitive array: it takes the general serializer on its way into the store.</summary>
public sealed record LargeRecord(string Name, long[] Values, List<string> Labels);
