using Grid.Wire;
using StackExchange.Redis;

namespace Grid.Silo.Gcs;

internal sealed partial class RedisGcs
{
    public async Task<bool> AddSubmittedJobAsync(SubmittedJobInfo job)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        // HSETNX: of two submitters of the same id (on one head or two), exactly one adds its record.
        return await db.HashSetAsync(_keys.SubmittedJobs, job.Id, Serialize(job), When.NotExists).ConfigureAwait(false);
    }

    public async Task<SubmittedJobInfo?> GetSubmittedJobAsync(string id)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        return DeserializeOrNull<SubmittedJobInfo>(await db.HashGetAsync(_keys.SubmittedJobs, id).ConfigureAwait(false));
    }

    public async Task<SubmittedJobInfo[]> GetSubmittedJobsAsync()
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var entries = await db.HashGetAllAsync(_keys.SubmittedJobs).ConfigureAwait(false);
        return entries.Select(e => Deserialize<SubmittedJobInfo>(e.Value)).ToArray();
    }

    public async Task<bool> TryUpdateSubmittedJobAsync(SubmittedJobStatus expected, SubmittedJobInfo updated)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        // Optimistic, as FinishJobAsync: the write lands only if the record is still the one read (and read with the
        // expected status). A write that lost to an unrelated change of the same status reads again and retries.
        while (true)
        {
            var current = await db.HashGetAsync(_keys.SubmittedJobs, updated.Id).ConfigureAwait(false);
            if (current.IsNull || Deserialize<SubmittedJobInfo>(current).Status != expected) return false;
            var transaction = db.CreateTransaction();
            transaction.AddCondition(Condition.HashEqual(_keys.SubmittedJobs, updated.Id, current));
            _ = transaction.HashSetAsync(_keys.SubmittedJobs, updated.Id, Serialize(updated));
            if (await transaction.ExecuteAsync().ConfigureAwait(false)) return true;
        }
    }
}
