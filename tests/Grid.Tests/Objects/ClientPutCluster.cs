using Grid.ObjectStore;
using Grid.Testing;
using Grid.Wire;

namespace Grid.Tests.Objects;

/// <summary>
/// Two in-process silos (<see cref="GridTestCluster"/>) sharing an in-memory GCS, each with a store of <see cref="CapacityBytes"/> of memory and
/// <see cref="MaxSpillBytes"/> of disk, and remote clients (Orleans cluster clients in this process, so on the
/// nodes' machine): what a driver talking to a local cluster is.
/// </summary>
public sealed class ClientPutClusterFixture : IAsyncLifetime
{
    public const long CapacityBytes = 48L << 20;
    public const long MaxSpillBytes = 80L << 20;

    public GridTestCluster Cluster { get; private set; } = null!;
    public GridClient Grid => Cluster.Grid;

    public async Task InitializeAsync() =>
        Cluster = await new GridTestClusterBuilder()
            .Silos(2)
            .ConfigureNodes(o => o.NumCpus = 2)
            .ConfigureStores(store =>
            {
                store.CapacityBytes = CapacityBytes;
                store.MaxSpillBytes = MaxSpillBytes;
            })
            .StartAsync();

    /// <summary>A client (job) with its own object-transfer settings.</summary>
    public Task<GridClient> ConnectAsync(ObjectStoreOptions transfer) => Cluster.ConnectClientAsync(store: transfer);

    /// <summary>Every silo's object store.</summary>
    internal LocalObjectStore[] Stores() => Cluster.Stores();

    public Task<NodeId[]> NodesAsync() => Cluster.NodesAsync();

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
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
