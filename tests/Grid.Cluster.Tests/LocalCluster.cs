using Grid.Samples.Scenarios;
using Grid.Testing;

namespace Grid.Cluster.Tests;

/// <summary>
/// The process cluster of these tests (<see cref="ProcessCluster"/>: real <c>grid</c> processes on loopback), a head and
/// two workers whose nodes load the scenario code of Grid.Samples.
/// </summary>
public class LocalCluster : ProcessCluster
{
    public LocalCluster() : this(workers: 2) { }

    protected LocalCluster(int workers) : base(workers, CodePath) { }

    /// <summary>Where the nodes find the scenario code (Grid.Samples.dll), until clients ship their code.</summary>
    public static string CodePath => Path.GetDirectoryName(typeof(TasksAndObjects).Assembly.Location)!;
}

/// <summary>A head and one worker, for the tests that stop the cluster themselves.</summary>
public sealed class SmallCluster() : LocalCluster(workers: 1);

/// <summary>The three-node cluster shared by the test classes that leave it as they found it.</summary>
[CollectionDefinition(Name)]
public sealed class ThreeNodeCluster : ICollectionFixture<LocalCluster>
{
    public const string Name = "three-node cluster";
}
