namespace Grid.ObjectStore.Tests;

/// <summary>
/// A store directory left behind by a process that was killed (its lock released by the kernel) is removed by the next
/// store that opens beside it, spill directory included; a running store's directory and unknown directories stay.
/// </summary>
public sealed class OrphanDirectoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("grid-orphans-").FullName;
    private readonly string _spillRoot = Directory.CreateTempSubdirectory("grid-orphan-spills-").FullName;

    [Fact]
    public void A_dead_stores_directory_and_spill_directory_are_removed_when_a_store_opens_beside_it()
    {
        var dead = Path.Combine(_root, "grid-objects-dead");
        var deadSpill = Path.Combine(_spillRoot, "grid-spill-dead");
        Directory.CreateDirectory(dead);
        Directory.CreateDirectory(deadSpill);
        File.WriteAllBytes(Path.Combine(dead, ObjectId.New().ToString()), new byte[4096]);
        File.WriteAllBytes(Path.Combine(deadSpill, ObjectId.New().ToString()), new byte[4096]);
        // What a killed store leaves: its lock file, naming its spill directory, with no process holding the lock.
        File.WriteAllText(StoreOwnership.LockPathOf(dead), deadSpill);

        using var store = TestData.NewStore(o => o.Directory = Path.Combine(_root, "grid-objects-new"));

        Assert.False(Directory.Exists(dead));
        Assert.False(Directory.Exists(deadSpill));
        Assert.False(File.Exists(StoreOwnership.LockPathOf(dead)));
        Assert.True(Directory.Exists(store.Directory));
    }

    [Fact]
    public void A_running_stores_directory_and_its_objects_are_left_alone()
    {
        using var running = TestData.NewStore(o => o.Directory = Path.Combine(_root, "grid-objects-running"));
        var id = ObjectId.New();
        running.Put(id, TestData.Pattern(10_000, 1));

        using var beside = TestData.NewStore(o => o.Directory = Path.Combine(_root, "grid-objects-beside"));

        Assert.True(Directory.Exists(running.Directory));
        Assert.True(running.TryGet(id, out var lease));
        using (lease) Assert.Equal(TestData.Pattern(10_000, 1), lease.Memory.ToArray());
    }

    [Fact]
    public void Directories_without_a_lock_file_or_with_another_name_are_left_alone()
    {
        var unknown = Path.Combine(_root, "grid-objects-unknown");
        var other = Path.Combine(_root, "something-else");
        Directory.CreateDirectory(unknown);
        Directory.CreateDirectory(other);
        File.WriteAllText(StoreOwnership.LockPathOf(other), Path.Combine(_spillRoot, "grid-spill-other"));

        using var store = TestData.NewStore(o => o.Directory = Path.Combine(_root, "grid-objects-new"));

        Assert.True(Directory.Exists(unknown));
        Assert.True(Directory.Exists(other));
    }

    [Fact]
    public void A_closed_store_removes_its_own_directory()
    {
        var store = TestData.NewStore(o => o.Directory = Path.Combine(_root, "grid-objects-closing"));
        store.Put(ObjectId.New(), TestData.Pattern(10_000, 2));
        store.Dispose();
        Assert.False(Directory.Exists(Path.Combine(_root, "grid-objects-closing")));
        Assert.False(File.Exists(StoreOwnership.LockPathOf(Path.Combine(_root, "grid-objects-closing"))));
    }

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_spillRoot, recursive: true);
    }
}
