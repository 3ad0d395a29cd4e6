using Grid.Core;

namespace Grid.Unit.Tests;

/// <summary>How a burst of submissions becomes lists: a lone item at once, the rest batched behind it in order.</summary>
public sealed class BurstQueueTests
{
    private sealed class Recorder
    {
        public readonly List<List<int>> Sent = [];
        public readonly List<Action> Releases = [];
        public TaskCompletionSource<bool> Got(int items) { lock (Sent) { _want = items; return _done = new(TaskCreationOptions.RunContinuationsAsynchronously); } }
        private TaskCompletionSource<bool>? _done;
        private int _want;

        public void Send(List<int> items, Action release)
        {
            lock (Sent)
            {
                Sent.Add([.. items]);
                Releases.Add(release);
                if (_done is not null && Sent.Sum(s => s.Count) >= _want) _done.TrySetResult(true);
            }
        }
    }

    [Fact]
    public void An_item_submitted_while_nothing_is_in_flight_goes_at_once_and_alone()
    {
        var recorder = new Recorder();
        var queue = new BurstQueue<int>(recorder.Send);
        queue.Enqueue(7);
        Assert.Equal([[7]], recorder.Sent);
    }

    [Fact]
    public async Task Items_submitted_while_one_is_in_flight_go_out_together_in_submission_order()
    {
        var recorder = new Recorder();
        var queue = new BurstQueue<int>(recorder.Send);
        var all = recorder.Got(11);
        for (var i = 0; i < 11; i++) queue.Enqueue(i);
        await all.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([0], recorder.Sent[0]);
        Assert.Equal(Enumerable.Range(0, 11), recorder.Sent.SelectMany(s => s));
        Assert.True(recorder.Sent.Count < 11, "the burst behind the first item was batched");
    }

    [Fact]
    public async Task A_burst_larger_than_a_batch_goes_as_several_lists_none_over_the_limit_in_order()
    {
        var recorder = new Recorder();
        var queue = new BurstQueue<int>(recorder.Send);
        var count = BurstQueue<int>.MaxBatch * 2 + 10;
        var all = recorder.Got(count);
        for (var i = 0; i < count; i++) queue.Enqueue(i);
        await all.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(recorder.Sent, list => Assert.True(list.Count <= BurstQueue<int>.MaxBatch));
        Assert.Equal(Enumerable.Range(0, count), recorder.Sent.SelectMany(s => s));
    }

    [Fact]
    public void Once_every_send_is_released_the_next_item_goes_at_once_again_and_a_second_release_changes_nothing()
    {
        var recorder = new Recorder();
        var queue = new BurstQueue<int>(recorder.Send);
        queue.Enqueue(1);
        recorder.Releases[0]();
        recorder.Releases[0]();
        queue.Enqueue(2);
        Assert.Equal([[1], [2]], recorder.Sent);
        queue.Enqueue(3); // the second is still in flight: this one waits for a flush
        Assert.Equal(2, recorder.Sent.Count);
    }
}
