namespace Grid.ObjectStore.Tests;

/// <summary>Capacity and spilling: a store holds more than its memory, and gives every value back intact.</summary>
public sealed class SpillTests
{
    private const int Mib = 1024 * 1024;

    private static LocalObjectStore SmallStore(long capacity, long? maxSpill = null) => TestData.NewStore(o =>
    {
        o.CapacityBytes = capacity;
        o.MaxSpillBytes = maxSpill;
    });

    [Fact]
    public void Putting_three_times_the_capacity_succeeds_and_everything_reads_back_intact()
    {
        using var store = SmallStore(8 * Mib);
        var objects = Enumerable.Range(0, 24).Select(i => (Id: ObjectId.New(), Data: TestData.Pattern(Mib, seed: i))).ToList();

        foreach (var (id, data) in objects) store.Put(id, data);

        Assert.True(store.UsedBytes <= store.CapacityBytes, $"{store.UsedBytes} bytes in memory, capacity {store.CapacityBytes}");
        Assert.Equal(24L * Mib, store.UsedBytes + store.SpilledBytes);
        Assert.Equal(24, store.Count);
        Assert.NotEmpty(Directory.EnumerateFiles(store.SpillDirectory));
        // Twice over, so objects restored on the first pass spill again for the second.
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var (id, data) in objects)
            {
                Assert.True(store.TryGet(id, out var obj));
                using (obj) Assert.True(obj.Span.SequenceEqual(data), $"object {id} differs after spilling");
            }
            Assert.True(store.UsedBytes <= store.CapacityBytes);
        }
    }

    [Fact]
    public void Spill_files_are_deleted_when_their_objects_are_freed()
    {
        using var store = SmallStore(4 * Mib);
        var ids = Enumerable.Range(0, 12).Select(_ => ObjectId.New()).ToList();
        foreach (var id in ids) store.Put(id, TestData.Pattern(Mib, seed: 1));
        Assert.NotEmpty(Directory.EnumerateFiles(store.SpillDirectory));

        foreach (var id in ids) Assert.True(store.Delete(id));

        Assert.Empty(Directory.EnumerateFiles(store.SpillDirectory));
        Assert.Empty(Directory.EnumerateFiles(store.Directory));
        Assert.Equal(0, store.UsedBytes);
        Assert.Equal(0, store.SpilledBytes);
    }

    [Fact]
    public void The_least_recently_used_object_spills_first()
    {
        using var store = SmallStore(3 * Mib);
        var (a, b, c) = (ObjectId.New(), ObjectId.New(), ObjectId.New());
        store.Put(a, TestData.Pattern(Mib, 1));
        store.Put(b, TestData.Pattern(Mib, 2));
        store.Put(c, TestData.Pattern(Mib, 3));
        Assert.True(store.TryGet(a, out var read)); // a is now more recent than b
        read.Dispose();

        store.Put(ObjectId.New(), TestData.Pattern(Mib, 4));

        var spilled = store.Describe().Where(o => o.Spilled).Select(o => o.Id).ToList();
        Assert.Equal([b], spilled);
    }

    [Fact]
    public void Objects_being_read_never_spill_and_a_new_object_goes_to_disk_instead()
    {
        using var store = SmallStore(2 * Mib);
        var (a, b, c) = (ObjectId.New(), ObjectId.New(), ObjectId.New());
        var dataC = TestData.Pattern(Mib, 3);
        store.Put(a, TestData.Pattern(Mib, 1));
        store.Put(b, TestData.Pattern(Mib, 2));
        Assert.True(store.TryGet(a, out var leaseA));
        Assert.True(store.TryGet(b, out var leaseB));
        var addressA = TestData.AddressOf(leaseA.Memory);

        store.Put(c, dataC);

        Assert.Equal(2 * Mib, store.UsedBytes);
        Assert.Equal(Mib, store.SpilledBytes);
        Assert.Contains(store.Describe(), o => o.Id == c && o.Spilled);
        Assert.True(store.TryGet(c, out var leaseC)); // mapped from its spill file: memory is still all leased
        using (leaseC) Assert.True(leaseC.Span.SequenceEqual(dataC));
        Assert.Equal(addressA, TestData.AddressOf(leaseA.Memory)); // a was never moved under its reader
        leaseA.Dispose();
        leaseB.Dispose();
    }

    [Fact]
    public void A_spilled_object_returns_to_memory_on_access_when_there_is_room()
    {
        using var store = SmallStore(2 * Mib);
        var a = ObjectId.New();
        var data = TestData.Pattern(Mib, 1);
        store.Put(a, data);
        store.Put(ObjectId.New(), TestData.Pattern(Mib, 2));
        store.Put(ObjectId.New(), TestData.Pattern(Mib, 3)); // a, the oldest, spills
        Assert.Contains(store.Describe(), o => o.Id == a && o.Spilled);

        Assert.True(store.TryGet(a, out var lease));

        using (lease) Assert.True(lease.Span.SequenceEqual(data));
        Assert.Contains(store.Describe(), o => o.Id == a && !o.Spilled);
        Assert.False(File.Exists(store.SpillPathOf(a)));
        Assert.True(File.Exists(store.PathOf(a)));
    }

    [Fact]
    public void A_put_that_fits_neither_memory_nor_disk_fails_naming_the_sizes_and_the_setting()
    {
        using var store = SmallStore(2 * Mib, maxSpill: 3 * Mib);
        Assert.True(store.TryCreate(ObjectId.New(), 2 * Mib, out var held)); // memory: fully taken by a writer
        using (held)
        {
            store.Put(ObjectId.New(), new byte[2 * Mib]); // to disk

            var id = ObjectId.New();
            var error = Assert.Throws<ObjectStoreFullException>(() => store.Put(id, new byte[2 * Mib]));

            Assert.Contains($"{2 * Mib} bytes", error.Message);
            Assert.Contains("CapacityBytes", error.Message);
            Assert.Contains("--object-store-memory", error.Message);
            Assert.Contains("MaxSpillBytes", error.Message);
            Assert.False(store.TryGet(id, out _));
            Assert.Equal(2 * Mib, store.SpilledBytes); // the failed put left nothing counted
        }
    }

    [Fact]
    public void An_object_larger_than_the_capacity_lives_on_disk()
    {
        using var store = SmallStore(Mib);
        var id = ObjectId.New();
        var data = TestData.Pattern(3 * Mib, 7);

        store.Put(id, data);

        Assert.Equal(0, store.UsedBytes);
        Assert.True(store.TryGet(id, out var lease));
        using (lease) Assert.True(lease.Span.SequenceEqual(data));
        store.Delete(id);
        Assert.Empty(Directory.EnumerateFiles(store.SpillDirectory));
    }

    [Fact]
    public void Concurrent_readers_and_writers_over_a_small_store_see_intact_values()
    {
        using var store = SmallStore(4 * Mib);
        var objects = Enumerable.Range(0, 16).Select(i => (Id: ObjectId.New(), Data: TestData.Pattern(512 * 1024, seed: 100 + i))).ToArray();
        foreach (var (id, data) in objects.Take(8)) store.Put(id, data);

        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var (id, data) = objects[i % objects.Length];
            if (i % objects.Length >= 8 && i < objects.Length) store.Put(id, data);
            else if (store.TryGet(id, out var lease))
            {
                using (lease) Assert.True(lease.Span.SequenceEqual(data));
            }
        });

        foreach (var (id, data) in objects.Take(8))
        {
            Assert.True(store.TryGet(id, out var lease));
            using (lease) Assert.True(lease.Span.SequenceEqual(data));
        }
    }

    [Fact]
    public void Dispose_removes_the_spill_directory()
    {
        var store = SmallStore(Mib);
        store.Put(ObjectId.New(), new byte[Mib]);
        store.Put(ObjectId.New(), new byte[Mib]);
        Assert.True(Directory.Exists(store.SpillDirectory));

        store.Dispose();

        Assert.False(Directory.Exists(store.SpillDirectory));
    }

    [Fact]
    public void The_default_capacity_is_thirty_percent_of_memory()
    {
        using var store = TestData.NewStore();
        var total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        Assert.Equal((long)(total * 0.3), store.CapacityBytes);
    }
}
