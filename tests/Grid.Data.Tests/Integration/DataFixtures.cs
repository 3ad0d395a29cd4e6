using Grid.Testing;

namespace Grid.Data.Tests.Integration;

/// <summary>A grid the integration tests run datasets on: the client, and its nodes' object stores.</summary>
public interface IDataFixture
{
    GridClient Grid { get; }

    /// <summary>How many nodes the grid spans.</summary>
    int NodeCount { get; }
}

/// <summary>The embedded mode: one in-process silo declaring 4 CPUs and 2 GPUs (declared only: no CUDA needed).</summary>
public sealed class EmbeddedDataFixture : IDataFixture, IAsyncLifetime
{
    public GridClient Grid { get; private set; } = null!;
    public int NodeCount => 1;

    public async Task InitializeAsync() => Grid = await GridClient.StartLocalAsync(node => { node.NumCpus = 4; node.NumGpus = 2; });

    public async Task DisposeAsync()
    {
        if (Grid is not null) await Grid.DisposeAsync();
    }
}

/// <summary>
/// Three silos in this process (<see cref="GridTestCluster"/>), each declaring 4 CPUs and one GPU, sharing an in-memory
/// GCS; the client is outside the silos (it spreads its tasks over the nodes) and every actor and task runs in this
/// process, so static counters see them all.
/// </summary>
public sealed class ClusterDataFixture : IDataFixture, IAsyncLifetime
{
    public GridTestCluster Cluster { get; private set; } = null!;
    public GridClient Grid => Cluster.Grid;
    public int NodeCount => 3;

    public async Task InitializeAsync() =>
        Cluster = await new GridTestClusterBuilder().Silos(NodeCount).ConfigureNodes(o => { o.NumCpus = 4; o.NumGpus = 1; }).StartAsync();

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}

[CollectionDefinition("data-embedded")]
public sealed class EmbeddedDataCollection : ICollectionFixture<EmbeddedDataFixture>;

[CollectionDefinition("data-cluster")]
public sealed class ClusterDataCollection : ICollectionFixture<ClusterDataFixture>;

/// <summary>A temporary folder of a test, deleted with it.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("grid-data-").FullName;

    /// <summary>A path under the folder (not created).</summary>
    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
