using Grid.Wire;

namespace Grid.Gcs.Tests.Contract;

/// <summary>Small GCS records for the tests.</summary>
internal static class GcsRecords
{
    private static int _nodes;

    public static NodeInfo Node(double cpus = 4, double available = 4) => new()
    {
        NodeId = new NodeId($"127.0.0.1:{11000 + Interlocked.Increment(ref _nodes)}@1"),
        Total = ResourceSet.From([KeyValuePair.Create(ResourceSet.Cpu, cpus)]),
        Available = ResourceSet.From([KeyValuePair.Create(ResourceSet.Cpu, available)]),
        Labels = new Dictionary<string, string> { ["zone"] = "a" },
        LastHeartbeat = DateTimeOffset.UtcNow,
        GatewayAddress = "127.0.0.1:30000",
        HostName = "test-host",
    };

    public static ActorInfo Actor(string? name = null, string ns = "default") => new()
    {
        ActorId = ActorId.New(),
        Name = name,
        Namespace = ns,
        ClassName = "Tests.Counter",
        Job = new JobId("job1"),
    };

    public static JobInfo Job() => new()
    {
        JobId = JobId.New(),
        Driver = "test-host:1 (tests)",
        CodePackage = "abc123",
        StartTime = DateTimeOffset.UtcNow,
    };

    public static TaskEvent Event(int n) => new()
    {
        TaskId = ObjectId.New(),
        Job = new JobId("job1"),
        Function = $"f{n}",
        Kind = TaskEventKind.Finished,
        Time = DateTimeOffset.UtcNow,
    };
}
