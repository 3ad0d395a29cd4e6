using Grid.Silo.Gcs;

namespace Grid.Gcs.Tests.Contract;

/// <summary>The contract against the in-memory GCS; "another client" is the same instance, as silos of one process share it.</summary>
public sealed class InMemoryGcsContractTests : GcsContractTests
{
    private InMemoryGcs? _gcs;

    private protected override Task<IGcs> CreateAsync(int taskEventCapacity) =>
        Task.FromResult<IGcs>(_gcs = new InMemoryGcs { TaskEventCapacity = taskEventCapacity });

    private protected override Task<IGcs> ConnectAnotherAsync() => Task.FromResult<IGcs>(_gcs!);
}
