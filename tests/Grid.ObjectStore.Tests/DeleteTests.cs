namespace Grid.ObjectStore.Tests;

/// <summary>
/// The rule: Delete removes the object from the store and its file from the directory at once; the memory stays
/// mapped, and readable, until the last lease (StoredObject or Pin handle) is released.
/// </summary>
public sealed class DeleteTests
{
    [Fact]
    public void Delete_removes_the_object_and_its_file()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        store.Put(id, TestData.Pattern(5000, seed: 3));
        var path = store.PathOf(id);
        Assert.True(File.Exists(path));

        Assert.True(store.Delete(id));

        Assert.False(File.Exists(path));
        Assert.False(store.TryGet(id, out _));
        Assert.False(store.Delete(id));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Directory));
    }

    [Fact]
    public void A_held_view_stays_readable_after_Delete_and_is_unmapped_when_released()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        var data = TestData.Pattern(3 * 1024 * 1024, seed: 4);
        store.Put(id, data);
        Assert.True(store.TryGet(id, out var obj));
        var memory = obj.Lease;

        Assert.True(store.Delete(id));

        Assert.False(File.Exists(store.PathOf(id))); // the name is gone at once
        Assert.False(memory.IsUnmapped);
        Assert.True(obj.Span.SequenceEqual(data)); // and the held view still reads the right bytes

        obj.Dispose();
        Assert.True(memory.IsUnmapped);
        Assert.Throws<ObjectDisposedException>(() => obj.Memory);
    }

    [Fact]
    public unsafe void A_pin_keeps_the_memory_mapped_after_the_lease_and_the_object_are_gone()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        store.Put(id, TestData.Pattern(8192, seed: 5));
        Assert.True(store.TryGet(id, out var obj));
        var memory = obj.Lease;
        var pin = obj.Memory.Pin();
        var expected = obj.Span[8191];

        obj.Dispose();
        store.Delete(id);

        Assert.False(memory.IsUnmapped);
        Assert.Equal(expected, ((byte*)pin.Pointer)[8191]);
        pin.Dispose();
        Assert.True(memory.IsUnmapped);
    }

    [Fact]
    public void Without_leases_Delete_unmaps_at_once()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        store.Put(id, [1, 2, 3]);
        Assert.True(store.TryGet(id, out var obj));
        var memory = obj.Lease;
        obj.Dispose();
        Assert.Equal(1, memory.LeaseCount); // the store's own reference

        store.Delete(id);

        Assert.True(memory.IsUnmapped);
    }

    [Fact]
    public void An_id_can_be_created_again_after_Delete_while_the_old_view_is_held()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        store.Put(id, [1, 1, 1]);
        Assert.True(store.TryGet(id, out var old));
        store.Delete(id);

        store.Put(id, [2, 2]);

        using (old) Assert.Equal([1, 1, 1], old.Span.ToArray());
        Assert.True(store.TryGet(id, out var fresh));
        using (fresh) Assert.Equal([2, 2], fresh.Span.ToArray());
    }

    [Fact]
    public async Task Readers_racing_deletes_never_fault()
    {
        using var store = TestData.NewStore();
        var ids = Enumerable.Range(0, 200).Select(_ => ObjectId.New()).ToArray();
        var sums = new long[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            var data = TestData.Pattern(64 * 1024, seed: i);
            sums[i] = data.Sum(b => (long)b);
            store.Put(ids[i], data);
        }

        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(() =>
        {
            for (var pass = 0; pass < 20; pass++)
            {
                for (var i = 0; i < ids.Length; i++)
                {
                    if (!store.TryGet(ids[i], out var obj)) continue;
                    using (obj)
                    {
                        // Every byte is touched: an unmapped page would fault here.
                        var sum = 0L;
                        foreach (var b in obj.Span) sum += b;
                        Assert.Equal(sums[i], sum);
                    }
                }
            }
        })).ToArray();
        foreach (var id in ids) store.Delete(id);
        await Task.WhenAll(readers);

        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.UsedBytes);
    }

    [Fact]
    public void Seal_after_Delete_throws_and_releases_the_memory()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        var writer = store.Create(id, 100);
        Assert.True(store.Delete(id));

        writer.Span.Fill(1); // still mapped: the writer holds a lease
        Assert.Throws<InvalidOperationException>(writer.Seal);
        Assert.False(store.TryGet(id, out _));
        Assert.Equal(0, store.UsedBytes);
    }
}
