namespace Grid.ObjectStore.Tests;

public sealed class RoundTripTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(1_000_003)]
    public void Put_then_TryGet_returns_the_same_bytes(int size)
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        var data = TestData.Pattern(size, seed: size);

        store.Put(id, data);

        Assert.True(store.TryGet(id, out var obj));
        using (obj)
        {
            Assert.Equal(id, obj.Id);
            Assert.Equal(size, obj.Size);
            Assert.Equal(size, obj.Memory.Length);
            Assert.True(obj.Span.SequenceEqual(data));
        }
    }

    [Fact]
    public void A_256_MB_object_round_trips()
    {
        const int size = 256 * 1024 * 1024;
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        var data = TestData.Pattern(size, seed: 256);

        store.Put(id, data);

        Assert.True(store.TryGet(id, out var obj));
        using (obj)
        {
            Assert.Equal(size, obj.Size);
            Assert.True(obj.Span.SequenceEqual(data));
        }
        Assert.Equal(size, new FileInfo(store.PathOf(id)).Length);
    }

    [Fact]
    public void Writing_in_place_through_Create_then_Seal_is_readable()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();

        using (var writer = store.Create(id, 3 * 4096))
        {
            writer.Span[..4096].Fill(1);
            writer.Memory.Span[4096..8192].Fill(2);
            writer.Span[8192..].Fill(3);
            Assert.False(store.TryGet(id, out _)); // not readable before Seal
            writer.Seal();
        }

        Assert.True(store.TryGet(id, out var obj));
        using (obj)
        {
            Assert.Equal(1, obj.Span[0]);
            Assert.Equal(2, obj.Span[4096]);
            Assert.Equal(3, obj.Span[^1]);
        }
    }

    [Fact]
    public void TryGet_of_an_unknown_id_is_false()
    {
        using var store = TestData.NewStore();
        Assert.False(store.TryGet(ObjectId.New(), out var obj));
        Assert.Null(obj);
    }
}
