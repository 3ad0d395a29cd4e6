using System.Collections.Concurrent;
using Grid.Wire;

namespace Grid.Core;

/// <summary>
/// The objects this process owns (Ray's reference table plus in-memory store): for each, a future
/// of its payload. Small values live here inline; large ones are recorded by location.
/// Freeing entries when the last reference goes is the reference-counting issue's work; the table
/// is the place it hooks in.
/// </summary>
internal sealed class OwnedObjects
{
    private readonly ConcurrentDictionary<ObjectId, TaskCompletionSource<ObjectPayload>> _objects = new();

    public int Count => _objects.Count;

    /// <summary>Registers an object whose payload will come later (a submitted task's result).</summary>
    public TaskCompletionSource<ObjectPayload> AddPending(ObjectId id)
    {
        var tcs = new TaskCompletionSource<ObjectPayload>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_objects.TryAdd(id, tcs)) throw new InvalidOperationException($"Object {id} is registered twice; this is a Grid bug.");
        return tcs;
    }

    /// <summary>Registers an object that is ready now (a put).</summary>
    public void AddReady(ObjectId id, ObjectPayload payload) => AddPending(id).SetResult(payload);

    public bool TryGet(ObjectId id, out Task<ObjectPayload> payload)
    {
        if (_objects.TryGetValue(id, out var tcs)) { payload = tcs.Task; return true; }
        payload = null!;
        return false;
    }
}
