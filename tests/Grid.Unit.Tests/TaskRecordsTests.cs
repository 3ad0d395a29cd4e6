using Grid.Grains;
using Grid.Silo.State;
using Grid.Wire;

namespace Grid.Unit.Tests;

/// <summary>A node's bounded task records: what it keeps, what it drops first, and counts that no eviction changes.</summary>
public sealed class TaskRecordsTests
{
    private static readonly JobId JobA = new("job-a");
    private static readonly JobId JobB = new("job-b");
    private static ulong _ids;

    private static TaskRecords.Handle Arrive(TaskRecords records, string name = "Work.Run", JobId? job = null, int attempt = 0) =>
        records.Arrive(new ObjectId(7, Interlocked.Increment(ref _ids)), name, job ?? JobA, attempt);

    private static RemoteError Error(string message) => new() { TypeName = "System.InvalidOperationException", Message = message };

    [Fact]
    public void A_record_moves_from_pending_to_running_to_finished_in_place_with_its_times()
    {
        var records = new TaskRecords(10);
        var entry = Arrive(records, attempt: 2);

        var pending = Assert.Single(records.Query(null, null, null, 10));
        Assert.Equal(TaskRecordState.Pending, pending.State);
        Assert.Null(pending.StartedAt);
        Assert.Equal(2, pending.Attempt);

        var waited = records.Start(entry);
        Assert.True(waited >= 0);
        var running = Assert.Single(records.Query(null, null, null, 10));
        Assert.Equal(TaskRecordState.Running, running.State);
        Assert.NotNull(running.StartedAt);
        Assert.True(running.StartedAt >= running.QueuedAt);

        records.End(entry, null);
        var finished = Assert.Single(records.Query(null, null, null, 10));
        Assert.Equal(TaskRecordState.Finished, finished.State);
        Assert.True(finished.EndedAt >= finished.StartedAt);
        Assert.Null(finished.Error);
        Assert.Equal(entry.TaskId, finished.TaskId);
        Assert.Equal(1, records.Counts().Ended);
    }

    [Fact]
    public void A_failed_task_keeps_its_error_type_and_message_and_ends_once()
    {
        var records = new TaskRecords(10);
        var entry = Arrive(records);
        records.Start(entry);
        records.End(entry, Error("boom"));
        records.End(entry, null); // a second end (an exception after the outcome) changes nothing

        var failed = Assert.Single(records.Query(null, null, null, 10));
        Assert.Equal(TaskRecordState.Failed, failed.State);
        Assert.Equal("System.InvalidOperationException: boom", failed.Error);
        var (byName, ended, _) = records.Counts();
        Assert.Equal([0, 0, 0, 1], byName["Work.Run"]);
        Assert.Equal(1, ended);
    }

    [Fact]
    public void The_store_never_holds_more_than_its_capacity_and_drops_the_oldest_ended_record_first()
    {
        var records = new TaskRecords(3);
        var live = Arrive(records, "Long.Run"); // oldest, never ends
        var first = Arrive(records);
        var second = Arrive(records);
        records.End(second, null); // ended first
        records.End(first, null);  // ended second

        var third = Arrive(records); // full: drops `second`, the record that ended first, not the older live one
        Assert.Equal(3, records.Count);
        Assert.Equal([third.TaskId, first.TaskId, live.TaskId], records.Query(null, null, null, 10).Select(r => r.TaskId));

        Arrive(records); // drops `first`, the only ended record left
        Assert.DoesNotContain(first.TaskId, records.Query(null, null, null, 10).Select(r => r.TaskId));
        Assert.Contains(live.TaskId, records.Query(null, null, null, 10).Select(r => r.TaskId));
        Assert.Equal(2, records.Counts().Dropped);
    }

    [Fact]
    public void A_store_full_of_live_tasks_drops_the_oldest_and_a_dropped_task_still_counts_when_it_ends()
    {
        var records = new TaskRecords(2);
        var oldest = Arrive(records);
        var next = Arrive(records);
        var newest = Arrive(records);

        Assert.Equal([newest.TaskId, next.TaskId], records.Query(null, null, null, 10).Select(r => r.TaskId));
        records.Start(oldest);
        records.End(oldest, Error("late"));

        Assert.Equal(2, records.Count);
        var (byName, ended, dropped) = records.Counts();
        Assert.Equal([2, 0, 0, 1], byName["Work.Run"]);
        Assert.Equal(1, ended);
        Assert.Equal(1, dropped);
    }

    [Fact]
    public void Counts_stay_exact_by_name_and_latest_state_while_thousands_of_records_are_dropped()
    {
        var records = new TaskRecords(50);
        var rng = new Random(5);
        var expected = new Dictionary<string, long[]>();
        for (var i = 0; i < 5_000; i++)
        {
            var name = i % 3 == 0 ? "A.Square" : "B.Fail";
            var entry = Arrive(records, name);
            var counts = expected.TryGetValue(name, out var c) ? c : expected[name] = new long[4];
            switch (rng.Next(4))
            {
                case 0: counts[0]++; break; // left pending
                case 1: records.Start(entry); counts[1]++; break;
                case 2: records.Start(entry); records.End(entry, null); counts[2]++; break;
                default: records.End(entry, Error("no")); counts[3]++; break; // failed before it ran (e.g. its argument failed)
            }
        }

        Assert.True(records.Count <= 50);
        var (byName, ended, dropped) = records.Counts();
        Assert.Equal(expected.Keys.Order(), byName.Keys.Order());
        foreach (var (name, counts) in expected) Assert.Equal(counts, byName[name]);
        Assert.Equal(expected.Values.Sum(c => c[2] + c[3]), ended);
        Assert.Equal(5_000 - 50, dropped);
    }

    [Fact]
    public void Queries_filter_by_state_job_and_name_newest_first_up_to_the_limit()
    {
        var records = new TaskRecords(100);
        var a1 = Arrive(records, "A.Run", JobA);
        var b1 = Arrive(records, "B.Run", JobB);
        var a2 = Arrive(records, "A.Run", JobB);
        var a3 = Arrive(records, "A.Run", JobA);
        records.End(a1, null);
        records.Start(a3);

        Assert.Equal([a3.TaskId, a2.TaskId, a1.TaskId], records.Query(null, null, "A.Run", 10).Select(r => r.TaskId));
        Assert.Equal([a2.TaskId, b1.TaskId], records.Query(null, JobB, null, 10).Select(r => r.TaskId));
        Assert.Equal([a1.TaskId], records.Query(TaskRecordState.Finished, null, null, 10).Select(r => r.TaskId));
        Assert.Equal([a3.TaskId], records.Query(TaskRecordState.Running, JobA, "A.Run", 10).Select(r => r.TaskId));
        Assert.Equal([a2.TaskId], records.Query(TaskRecordState.Pending, null, "A.Run", 10).Select(r => r.TaskId));
        Assert.Equal([a3.TaskId, a2.TaskId], records.Query(null, null, null, 2).Select(r => r.TaskId));
        Assert.Empty(records.Query(null, null, "C.Run", 10));
        Assert.Empty(records.Query(null, null, null, 0));
    }

    [Fact]
    public void Concurrent_tasks_are_counted_exactly()
    {
        var records = new TaskRecords(64);
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var entry = Arrive(records, i % 2 == 0 ? "Even.Run" : "Odd.Run");
            records.Start(entry);
            records.End(entry, i % 10 == 1 ? Error("odd") : null);
        });

        var (byName, ended, dropped) = records.Counts();
        Assert.Equal([0, 0, 10_000, 0], byName["Even.Run"]);
        Assert.Equal([0, 0, 8_000, 2_000], byName["Odd.Run"]);
        Assert.Equal(20_000, ended);
        Assert.Equal(20_000 - 64, dropped);
        Assert.Equal(64, records.Count);
    }

    [Fact]
    public void A_late_call_with_the_handle_of_a_dropped_record_does_not_touch_the_task_that_reuses_its_storage()
    {
        var records = new TaskRecords(1);
        var first = Arrive(records, "A.Run");
        records.End(first, null);
        var second = Arrive(records, "B.Run"); // drops `first`, whose storage it reuses

        records.Start(first);
        records.End(first, Error("late"));

        var kept = Assert.Single(records.Query(null, null, null, 10));
        Assert.Equal(second.TaskId, kept.TaskId);
        Assert.Equal(TaskRecordState.Pending, kept.State);
        Assert.Equal("B.Run", kept.Name);
        var (byName, ended, _) = records.Counts();
        Assert.Equal([0, 0, 1, 0], byName["A.Run"]);
        Assert.Equal([1, 0, 0, 0], byName["B.Run"]);
        Assert.Equal(1, ended);
    }

    [Fact]
    public void A_capacity_below_one_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaskRecords(0));
}
