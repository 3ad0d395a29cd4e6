using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Grid.ObjectStore.Tests;

internal static class TestData
{
    public static LocalObjectStore NewStore(Action<ObjectStoreOptions>? configure = null)
    {
        var options = new ObjectStoreOptions();
        configure?.Invoke(options);
        return new LocalObjectStore(Options.Create(options), NullLogger<LocalObjectStore>.Instance);
    }

    /// <summary>Deterministic bytes that differ per seed and per position, so a misplaced chunk shows.</summary>
    public static byte[] Pattern(int size, int seed)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(size);
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static unsafe nint AddressOf(ReadOnlyMemory<byte> memory)
    {
        using var handle = memory.Pin();
        return (nint)handle.Pointer;
    }
}
