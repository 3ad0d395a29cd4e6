using Grid.Wire;
using StackExchange.Redis;

namespace Grid.Silo.Gcs;

internal sealed partial class RedisGcs
{
    public async Task AddJobAsync(JobInfo job)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        if (job.Owner is null || job.Status != JobStatus.Running)
        {
            await db.HashSetAsync(_keys.Jobs, job.JobId.Value, Serialize(job)).ConfigureAwait(false);
            return;
        }
        // A running job with a driver holds a lease from the start, so a driver that dies before its first renewal is noticed too.
        var transaction = db.CreateTransaction();
        _ = transaction.HashSetAsync(_keys.Jobs, job.JobId.Value, Serialize(job));
        _ = transaction.HashSetAsync(_keys.JobLeases, job.JobId.Value, 0, When.NotExists);
        await transaction.ExecuteAsync().ConfigureAwait(false);
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
            _ = transaction.HashDeleteAsync(_keys.JobLeases, id.Value);
            if (await transaction.ExecuteAsync().ConfigureAwait(false)) return;
        }
    }

    public async Task RenewJobLeaseAsync(JobId id)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        // One round trip; only an existing lease is counted, so a renewal racing the job's end leaves nothing behind.
        await db.ScriptEvaluateAsync(RedisScripts.RenewJobLease, [_keys.JobLeases], [id.Value]).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<JobId, long>> GetJobLeasesAsync()
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var entries = await db.HashGetAllAsync(_keys.JobLeases).ConfigureAwait(false);
        return entries.ToDictionary(e => new JobId(e.Name.ToString()), e => (long)e.Value);
    }
}
