namespace Grid.ObjectStore.Tests;

/// <summary>Files of deleted objects are reused for new objects of the same size, never while anyone can still read them.</summary>
public sealed class RecycleTests
{
    private const int Size = 4 * 1024 * 1024;

    [Fact]
    public void A_deleted_objects_file_is_reused_by_the_next_object_of_its_size_which_reads_its_own_bytes()
    {
        using var store = TestData.NewStore();
        var first = ObjectId.New();
        store.Put(first, TestData.Pattern(Size, seed: 1));
        Assert.True(store.Delete(first));
        Assert.Equal(Size, store.RecycledBytes);
        Assert.False(File.Exists(store.PathOf(first)));

        var second = ObjectId.New();
        var data = TestData.Pattern(Size, seed: 2);
        store.Put(second, data);

        Assert.Equal(0, store.RecycledBytes);
        Assert.True(store.TryGet(second, out var obj));
        using (obj) Assert.True(obj.Span.SequenceEqual(data));
    }

    [Fact]
    public void A_large_object_copied_by_several_threads_into_a_kept_mapping_reads_its_own_bytes()
    {
        // Past ParallelCopy's threshold, and not a whole number of pages, so the last part is a short one.
        const int large = 40 * 1024 * 1024 + 1000;
        using var store = TestData.NewStore();
        var first = ObjectId.New();
        store.Put(first, TestData.Pattern(large, seed: 11));
        Assert.True(store.Delete(first));
        Assert.Equal(large, store.RecycledBytes);

        var second = ObjectId.New();
        var data = TestData.Pattern(large, seed: 12);
        store.Put(second, data);

        Assert.Equal(0, store.RecycledBytes); // it took the kept file and mapping
        Assert.True(store.TryGet(second, out var obj));
        using (obj) Assert.True(obj.Span.SequenceEqual(data));
    }

    [Fact]
    public void A_file_is_kept_only_when_its_last_reader_is_done_and_the_reader_keeps_the_old_bytes()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        var data = TestData.Pattern(Size, seed: 3);
        store.Put(id, data);
        Assert.True(store.TryGet(id, out var lease));

        Assert.True(store.Delete(id));
        Assert.Equal(0, store.RecycledBytes);
        store.Put(ObjectId.New(), TestData.Pattern(Size, seed: 4)); // cannot take the leased file
        Assert.True(lease.Span.SequenceEqual(data));

        lease.Dispose();
        Assert.Equal(Size, store.RecycledBytes);
    }

    [Fact]
    public void A_file_handed_out_to_other_readers_is_never_reused()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        store.Put(id, TestData.Pattern(Size, seed: 5));
        Assert.True(store.TryLocate(id, out _, out _));

        Assert.True(store.Delete(id));

        Assert.Equal(0, store.RecycledBytes);
    }

    [Fact]
    public void Reuse_is_bounded_by_RecycledBytes_and_off_at_zero()
    {
        using var store = TestData.NewStore(o => o.RecycledBytes = Size);
        var ids = new[] { ObjectId.New(), ObjectId.New() };
        foreach (var id in ids) store.Put(id, TestData.Pattern(Size, seed: 6));
        foreach (var id in ids) store.Delete(id);
        Assert.Equal(Size, store.RecycledBytes);
        Assert.Single(Directory.EnumerateFiles(store.Directory)); // the other file was deleted

        using var off = TestData.NewStore(o => o.RecycledBytes = 0);
        var once = ObjectId.New();
        off.Put(once, TestData.Pattern(Size, seed: 7));
        off.Delete(once);
        Assert.Equal(0, off.RecycledBytes);
        Assert.Empty(Directory.EnumerateFileSystemEntries(off.Directory));
    }

    [Fact]
    public void A_put_in_two_pieces_into_a_reused_file_reads_back_exactly_its_own_bytes()
    {
        using var store = TestData.NewStore();
        var old = ObjectId.New();
        store.Put(old, TestData.Pattern(Size, seed: 8));
        Assert.True(store.Delete(old));

        var data = TestData.Pattern(Size, seed: 9);
        var id = ObjectId.New();
        store.Put(id, data.AsSpan(0, 16), data.AsSpan(16));

        Assert.Equal(0, store.RecycledBytes); // it took the kept file
        Assert.True(store.TryGet(id, out var obj));
        using (obj) Assert.True(obj.Span.SequenceEqual(data));
    }

    [Fact]
    public void A_file_reused_again_and_again_through_its_kept_mapping_always_reads_its_latest_objects_bytes()
    {
        using var store = TestData.NewStore();
        for (var generation = 0; generation < 4; generation++)
        {
            var data = TestData.Pattern(Size, seed: 20 + generation);
            var id = ObjectId.New();
            using (var writer = store.Create(id, Size))
            {
                // Two halves, the second first: a writer may fill its object in any order.
                writer.Write(Size / 2, data.AsSpan(Size / 2));
                writer.Write(0, data.AsSpan(0, Size / 2));
                writer.Seal();
            }
            Assert.True(store.TryGet(id, out var obj));
            using (obj) Assert.True(obj.Span.SequenceEqual(data), $"generation {generation}");
            Assert.True(store.Delete(id));
            Assert.Equal(Size, store.RecycledBytes);
        }
    }

    [Fact]
    public void A_reader_of_a_reused_file_keeps_its_bytes_while_the_next_object_of_its_size_gets_another_file()
    {
        using var store = TestData.NewStore();
        var first = ObjectId.New();
        store.Put(first, TestData.Pattern(Size, seed: 30));
        store.Delete(first);

        var second = ObjectId.New();
        var secondData = TestData.Pattern(Size, seed: 31);
        store.Put(second, secondData); // on the kept file and mapping
        Assert.True(store.TryGet(second, out var lease));
        Assert.True(store.Delete(second));

        var third = ObjectId.New();
        var thirdData = TestData.Pattern(Size, seed: 32);
        store.Put(third, thirdData);
        Assert.True(lease.Span.SequenceEqual(secondData));
        lease.Dispose();

        Assert.True(store.TryGet(third, out var obj));
        using (obj) Assert.True(obj.Span.SequenceEqual(thirdData));
    }
}
