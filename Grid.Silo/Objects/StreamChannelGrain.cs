using Grid.Grains;
using Grid.Wire;

namespace Grid.Silo.Objects;

/// <summary>
/// One stream's channel (see <see cref="IStreamChannelGrain"/>). Reentrant: a take or report waiting for the other
/// side must not hold up the call it waits for. It holds only the items reported and not yet taken, and goes away
/// once the consumer took the end or dropped the stream.
/// </summary>
[Reentrant]
internal sealed class StreamChannelGrain : Grain, IStreamChannelGrain
{
    private readonly SortedDictionary<int, ObjectPayload> _held = [];
    private readonly Guid _epoch = Guid.NewGuid(); // this activation: a producer seeing a new one reports its untaken items again
    private int _taken; // the consumer took every item before this index
    private StreamEnd? _end;
    private bool _cancelled;
    private TaskCompletionSource _changed = NewSignal();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Wakes every waiter; each checks again whether what it waits for happened.
    private void Changed()
    {
        _changed.TrySetResult();
        _changed = NewSignal();
    }

    /// <summary>Waits for the next change or until <paramref name="deadline"/>; false once it passed.</summary>
    private async Task<bool> WaitChangeAsync(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        if (left <= TimeSpan.Zero) return false;
        await _changed.Task.WaitAsync(left).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        return true;
    }

    // Items held contiguously from the consumer's place on: the next index a producer must report.
    private int Reached()
    {
        var next = _taken;
        while (_held.ContainsKey(next)) next++;
        return next;
    }

    public Task<int> Open() => Task.FromResult(Reached());

    public async Task<StreamReply> Report(StreamItem[] items, int needTaken, TimeSpan wait)
    {
        Hold(items);
        var deadline = DateTime.UtcNow + wait;
        while (!_cancelled && _taken < needTaken)
            if (!await WaitChangeAsync(deadline)) break;
        return Reply();
    }

    public Task<StreamReply> Finish(StreamItem[] items, StreamEnd end)
    {
        Hold(items);
        _end ??= end;
        Changed();
        if (_cancelled) DeactivateOnIdle();
        return Task.FromResult(Reply());
    }

    private void Hold(StreamItem[] items)
    {
        if (items.Length == 0) return;
        foreach (var item in items)
            if (!_cancelled && item.Index >= _taken) _held.TryAdd(item.Index, item.Payload);
        Changed();
    }

    private StreamReply Reply() => new(_taken, _cancelled, _epoch);

    public async Task<bool> WhenCancelled(TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (!_cancelled && _end is null)
            if (!await WaitChangeAsync(deadline)) break;
        return _cancelled;
    }

    public async Task<StreamBatch> Take(int from, TimeSpan wait)
    {
        Took(from);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            var items = new List<StreamItem>();
            for (var i = from; _held.TryGetValue(i, out var payload); i++) items.Add(new StreamItem(i, payload));
            var end = _end is { } e && from + items.Count >= e.Count ? e : null;
            // The channel stays until the consumer drops it (Cancel): a take racing this one must find the end here too.
            if (items.Count > 0 || end is not null || _cancelled) return new StreamBatch([.. items], end);
            if (!await WaitChangeAsync(deadline)) return new StreamBatch([], null);
        }
    }

    public Task Acknowledge(int taken)
    {
        Took(taken);
        return Task.CompletedTask;
    }

    private void Took(int taken)
    {
        if (taken <= _taken) return;
        _taken = taken;
        while (_held.Count > 0 && _held.First().Key < taken) _held.Remove(_held.First().Key);
        Changed();
    }

    public Task<StreamItem[]> Cancel()
    {
        _cancelled = true;
        StreamItem[] left = [.. _held.Select(h => new StreamItem(h.Key, h.Value))];
        _held.Clear();
        Changed();
        if (_end is not null) DeactivateOnIdle();
        return Task.FromResult(left);
    }
}
