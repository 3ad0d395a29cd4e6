using Grid.Testing;

namespace Grid.ObjectStore.Tests;

/// <summary>An object created for another process's writer that never seals it (the writer died) is dropped, not leaked.</summary>
public sealed class UnsealedWriteTests
{
    private const int Mib = 1024 * 1024;

    [Fact]
    public async Task An_object_its_writer_never_seals_is_dropped_after_the_timeout_and_its_file_is_not_reused()
    {
        using var store = TestData.NewStore(o => o.UnsealedWriteTimeout = TimeSpan.FromMilliseconds(200));
        var id = ObjectId.New();
        var path = store.CreateForPush(id, 2 * Mib, externalWriter: true);
        Assert.True(File.Exists(path));
        Assert.Equal(2 * Mib, store.UsedBytes);

        await Eventually.WaitAsync(() => !File.Exists(path) && store.UsedBytes == 0, TimeSpan.FromSeconds(30), "the unsealed object dropped");

        Assert.False(store.TryGet(id, out _));
        Assert.Equal(0, store.RecycledBytes); // its writer may still hold the file: never handed to another object
        Assert.Throws<InvalidOperationException>(() => store.Seal(id));
    }

    [Fact]
    public async Task An_object_sealed_in_time_stays()
    {
        using var store = TestData.NewStore(o => o.UnsealedWriteTimeout = TimeSpan.FromMilliseconds(300));
        var id = ObjectId.New();
        store.CreateForPush(id, Mib, externalWriter: true);
        store.WriteAt(id, 0, TestData.Pattern(Mib, seed: 7));
        store.Seal(id);

        // A later create with the same timeout being dropped proves the sealed object's deadline has passed.
        var probe = ObjectId.New();
        var probePath = store.CreateForPush(probe, Mib, externalWriter: true);
        await Eventually.WaitAsync(() => !File.Exists(probePath) && store.UsedBytes == Mib, TimeSpan.FromSeconds(30), "the probe dropped");

        Assert.True(store.TryGet(id, out var kept));
        using (kept) Assert.True(kept.Span.SequenceEqual(TestData.Pattern(Mib, seed: 7)));
        Assert.False(store.Abort(id));
    }
}
