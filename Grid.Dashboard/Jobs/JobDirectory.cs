using Grid.State;

namespace Grid.Dashboard.Jobs;

/// <summary>
/// Every job the cluster knows, as the state API lists them: submitted jobs (the head's <c>JobSupervisor</c>, kept in the
/// GCS) and drivers that connected by themselves (the GCS's job table), a submitted job's driver joined to its row.
/// </summary>
internal sealed class JobDirectory
{
    public Task<IReadOnlyList<JobView>> ListAsync(CancellationToken cancellationToken) => throw new NotImplementedException();
}
