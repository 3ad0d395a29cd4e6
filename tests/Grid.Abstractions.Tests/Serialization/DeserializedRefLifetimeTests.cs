using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Grid.Serialization;
using Grid.Testing;
using static Grid.Abstractions.Tests.Serialization.Util;

namespace Grid.Abstractions.Tests.Serialization;

/// <summary>
/// The refs deserialized from one value: each is counted once with the process's reference tracker, released once
/// when disposed, and the undisposed ones are released when the garbage collector finds none of them reachable.
/// </summary>
public class DeserializedRefLifetimeTests
{
    private static readonly GrainId NodeOwner = GrainId.Create("grid-owner", "node-1");
    private static readonly GrainId OtherOwner = GrainId.Create("grid-owner", "node-2");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Counts what a core worker would: one add per ref instance, one remove per released instance.</summary>
    private sealed class CountingTracker : IObjectResolver, IReferenceTracker
    {
        public readonly ConcurrentDictionary<ObjectId, int> Live = new();
        public int Added, Removed;

        public Task<T> GetAsync<T>(ObjectRef reference, TimeSpan? timeout, CancellationToken cancellationToken) => throw new NotSupportedException();

        public bool AddLocalReference(ObjectId id, GrainId owner)
        {
            Interlocked.Increment(ref Added);
            Live.AddOrUpdate(id, 1, (_, n) => n + 1);
            return true;
        }

        public void RemoveLocalReference(ObjectId id, GrainId owner)
        {
            Interlocked.Increment(ref Removed);
            Live.AddOrUpdate(id, -1, (_, n) => n - 1);
        }
    }

    private static ObjectRef<int>[] Refs(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new ObjectRef<int>(ObjectId.New(), i % 3 == 2 ? OtherOwner : NodeOwner, null))];

    [Fact]
    public void Many_refs_in_one_value_keep_their_ids_and_owners_and_are_counted_once_each()
    {
        var tracker = new CountingTracker();
        var sent = Refs(1000);
        sent[7] = new ObjectRef<int>(ObjectId.New(), default, null);

        var back = S.Deserialize<ObjectRef<int>[]>(S.Serialize(sent), tracker);

        Assert.Equal(sent.Select(r => (r.Id, r.Owner)), back.Select(r => (r.Id, r.Owner)));
        Assert.All(back, r => Assert.Same(tracker, r.Resolver));
        Assert.Equal(1000, tracker.Added);
        Assert.Equal(0, tracker.Removed);
        GC.KeepAlive(back);
    }

    [Fact]
    public void A_value_naming_one_owner_for_many_refs_writes_that_owner_once()
    {
        var one = S.Serialize(Refs(1)).Length;
        var many = S.Serialize(Enumerable.Range(0, 100).Select(_ => new ObjectRef<int>(ObjectId.New(), NodeOwner, null)).ToArray()).Length;
        // Each further ref costs its id and a one-byte owner tag, not the owner's text again.
        Assert.True(many - one <= 99 * (16 + 2), $"100 refs took {many} bytes, one took {one}");
    }

    [Fact]
    public async Task Disposed_refs_are_released_at_once_and_the_others_when_collected_each_exactly_once()
    {
        var tracker = new CountingTracker();
        var ids = DeserializeAndDisposeSome(tracker, count: 500, disposed: [0, 1, 250, 499]);
        Assert.Equal(4, tracker.Removed);

        await Eventually.WaitAsync(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return Task.FromResult(Volatile.Read(ref tracker.Removed) == 500);
        }, Timeout, "every undisposed ref released after a collection");

        Assert.Equal(500, tracker.Added);
        Assert.All(ids, id => Assert.Equal(0, tracker.Live[id]));
    }

    [Fact]
    public async Task A_ref_still_reachable_keeps_its_reference_after_collections()
    {
        var tracker = new CountingTracker();
        var kept = DeserializeAndKeepOne(tracker, count: 100);
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.Equal(1, tracker.Live[kept.Id]);
        kept.Dispose();
        Assert.Equal(0, tracker.Live[kept.Id]);
        kept.Dispose(); // idempotent
        Assert.Equal(0, tracker.Live[kept.Id]);
        await Eventually.WaitAsync(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return Task.FromResult(Volatile.Read(ref tracker.Removed) == 100);
        }, Timeout, "the other refs released once collected");
        Assert.All(tracker.Live.Values, n => Assert.Equal(0, n));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ObjectId[] DeserializeAndDisposeSome(CountingTracker tracker, int count, int[] disposed)
    {
        var back = S.Deserialize<ObjectRef<int>[]>(S.Serialize(Refs(count)), tracker);
        foreach (var i in disposed)
        {
            back[i].Dispose();
            back[i].Dispose(); // idempotent
        }
        Assert.All(disposed, i => Assert.True(back[i].IsDisposed));
        return [.. back.Select(r => r.Id)];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ObjectRef<int> DeserializeAndKeepOne(CountingTracker tracker, int count) =>
        S.Deserialize<ObjectRef<int>[]>(S.Serialize(Refs(count)), tracker)[count / 2];
}
