namespace Grid.ObjectStore.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public void Creating_an_existing_id_throws()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        using var writer = store.Create(id, 10);

        Assert.Throws<InvalidOperationException>(() => store.Create(id, 10)); // while being written
        Assert.False(store.TryCreate(id, 10, out _));
        writer.Seal();
        Assert.Throws<InvalidOperationException>(() => store.Create(id, 10)); // once sealed
        Assert.Throws<InvalidOperationException>(() => store.Put(id, [1]));
    }

    [Fact]
    public void Abort_removes_the_object_and_its_file()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        var writer = store.Create(id, 1 << 20);
        var path = store.PathOf(id);
        Assert.True(File.Exists(path));
        Assert.Equal(1 << 20, store.UsedBytes);

        writer.Abort();

        Assert.False(File.Exists(path));
        Assert.Equal(0, store.UsedBytes);
        Assert.False(store.TryGet(id, out _));
        Assert.Throws<InvalidOperationException>(writer.Seal);
        Assert.Throws<InvalidOperationException>(() => writer.Span.Length);
        store.Put(id, [1]); // the id is free again
    }

    [Fact]
    public void Disposing_an_unsealed_writer_aborts()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        using (store.Create(id, 100)) { }

        Assert.False(File.Exists(store.PathOf(id)));
        Assert.Equal(0, store.UsedBytes);
    }

    [Fact]
    public void Dispose_removes_the_directory()
    {
        var store = TestData.NewStore();
        store.Put(ObjectId.New(), [1, 2, 3]);
        using var unsealed = store.Create(ObjectId.New(), 10);
        Assert.True(Directory.Exists(store.Directory));

        store.Dispose();

        Assert.False(Directory.Exists(store.Directory));
        Assert.Throws<ObjectDisposedException>(() => store.Create(ObjectId.New(), 1));
    }

    [Fact]
    public void A_lease_held_across_Dispose_stays_readable()
    {
        var store = TestData.NewStore();
        var id = ObjectId.New();
        store.Put(id, [4, 5, 6]);
        Assert.True(store.TryGet(id, out var obj));
        var memory = obj.Lease;

        store.Dispose();

        Assert.False(memory.IsUnmapped);
        Assert.Equal([4, 5, 6], obj.Span.ToArray());
        obj.Dispose();
        Assert.True(memory.IsUnmapped);
    }

    [Fact]
    public void A_given_existing_directory_is_kept_but_emptied()
    {
        var directory = Directory.CreateTempSubdirectory("grid-objects-test-").FullName;
        try
        {
            var store = TestData.NewStore(o => o.Directory = directory);
            store.Put(ObjectId.New(), [1]);
            store.Dispose();

            Assert.True(Directory.Exists(directory));
            Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_default_directory_is_fresh_and_under_dev_shm_when_it_exists()
    {
        using var first = TestData.NewStore();
        using var second = TestData.NewStore();

        Assert.NotEqual(first.Directory, second.Directory);
        Assert.Contains($"grid-objects-{Environment.ProcessId}-", first.Directory);
        if (Directory.Exists("/dev/shm")) Assert.StartsWith("/dev/shm/", first.Directory);
    }

    [Fact]
    public void Objects_over_int_MaxValue_bytes_are_refused_with_their_size()
    {
        using var store = TestData.NewStore();
        const long size = int.MaxValue + 1L;

        var error = Assert.Throws<NotSupportedException>(() => store.Create(ObjectId.New(), size));

        Assert.Contains(size.ToString(), error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Directory));
    }

    [Fact]
    public void A_negative_size_is_refused()
    {
        using var store = TestData.NewStore();
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Create(ObjectId.New(), -1));
    }
}
