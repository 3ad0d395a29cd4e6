using Grid.Wire;
using StackExchange.Redis;

namespace Grid.Silo.Gcs;

internal sealed partial class RedisGcs
{
    public async Task AddTaskEventsAsync(IReadOnlyList<TaskEvent> events)
    {
        if (events.Count == 0) return;
        var db = await DatabaseAsync().ConfigureAwait(false);
        // One round trip per batch: append all, then trim to the newest TaskEventCapacity, atomically.
        var transaction = db.CreateTransaction();
        _ = transaction.ListRightPushAsync(_keys.TaskEvents, events.Select(e => (RedisValue)Serialize(e)).ToArray());
        _ = transaction.ListTrimAsync(_keys.TaskEvents, -_options.TaskEventCapacity, -1);
        await transaction.ExecuteAsync().ConfigureAwait(false);
    }

    public async Task<TaskEvent[]> GetTaskEventsAsync(int limit)
    {
        if (limit <= 0) return [];
        var db = await DatabaseAsync().ConfigureAwait(false);
        var values = await db.ListRangeAsync(_keys.TaskEvents, -limit, -1).ConfigureAwait(false);
        return values.Select(v => Deserialize<TaskEvent>(v)).ToArray();
    }
}
