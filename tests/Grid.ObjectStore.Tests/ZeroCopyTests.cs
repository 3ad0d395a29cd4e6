using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Grid.ObjectStore.Tests;

public sealed class ZeroCopyTests
{
    [Fact]
    public unsafe void Two_readers_view_the_same_mapped_memory()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        store.Put(id, TestData.Pattern(100_000, seed: 1));

        Assert.True(store.TryGet(id, out var first));
        Assert.True(store.TryGet(id, out var second));
        using (first)
        using (second)
        {
            Assert.True(MemoryMarshal.TryGetMemoryManager<byte, MemoryManager<byte>>(first.Memory, out var firstManager));
            Assert.True(MemoryMarshal.TryGetMemoryManager<byte, MemoryManager<byte>>(second.Memory, out var secondManager));
            Assert.Same(firstManager, secondManager);

            using var firstPin = first.Memory.Pin();
            using var secondPin = second.Memory.Pin();
            Assert.Equal((nint)firstPin.Pointer, (nint)secondPin.Pointer);

            // The spans point at the pinned address: no per-reader copy anywhere.
            var spanAddress = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(second.Span));
            Assert.Equal((nint)firstPin.Pointer, spanAddress);

            // A fresh mapping at offset 0 is page aligned.
            Assert.Equal(0, (long)firstPin.Pointer % Environment.SystemPageSize);
        }
    }

    [Fact]
    public unsafe void The_writer_writes_into_the_memory_readers_see()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        nint written;
        using (var writer = store.Create(id, 8192))
        {
            written = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(writer.Span));
            writer.Span.Fill(7);
            writer.Seal();
        }

        Assert.True(store.TryGet(id, out var obj));
        using (obj) Assert.Equal(written, TestData.AddressOf(obj.Memory));
    }

    [Fact]
    public void Pinning_a_slice_points_into_the_same_mapping()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        store.Put(id, TestData.Pattern(10_000, seed: 2));
        Assert.True(store.TryGet(id, out var obj));
        using (obj)
        {
            Assert.Equal(TestData.AddressOf(obj.Memory) + 1234, TestData.AddressOf(obj.Memory[1234..]));
        }
    }
}
