using Grid.Wire;
using StackExchange.Redis;

namespace Grid.Silo.Gcs;

public sealed partial class RedisGcs
{
    public async Task AddJobAsync(JobInfo job)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        await db.HashSetAsync(_keys.Jobs, job.JobId.Value, Serialize(job)).ConfigureAwait(false);
    }

    public async Task<JobInfo?> GetJobAsync(JobId id)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        return DeserializeOrNull<JobInfo>(await db.HashGetAsync(_keys.Jobs, id.Value).ConfigureAwait(false));
    }

    public async Task<JobInfo[]> GetJobsAsync()
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var entries = await db.HashGetAllAsync(_keys.Jobs).ConfigureAwait(false);
        return entries.Select(e => Deserialize<JobInfo>(e.Value)).ToArray();
    }

    public async Task FinishJobAsync(JobId id, JobStatus status)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        // Optimistic: the write only lands if the record is still the one read, so of two racing
        // finishers exactly one records the end; the other sees an ended job and stops.
        while (true)
        {
            var current = await db.HashGetAsync(_keys.Jobs, id.Value).ConfigureAwait(false);
            if (current.IsNull || Deserialize<JobInfo>(current).Status != JobStatus.Running) return;
            var ended = Deserialize<JobInfo>(current) with { Status = status, EndTime = DateTimeOffset.UtcNow };
            var transaction = db.CreateTransaction();
            transaction.AddCondition(Condition.HashEqual(_keys.Jobs, id.Value, current));
            _ = transaction.HashSetAsync(_keys.Jobs, id.Value, Serialize(ended));
            if (await transaction.ExecuteAsync().ConfigureAwait(false)) return;
        }
    }
}
