using System.Buffers;
using System.Runtime.InteropServices;
using Grid.Serialization;

namespace Grid.Abstractions.Tests.Serialization;

// Plain user types with no serialization markup, as users write them.

public sealed record Person(string Name, int Age)
{
    public List<string> Tags { get; init; } = [];
    public Person? Friend { get; init; }
}

public abstract record Shape(string Name);
public sealed record Circle(string Name, double Radius) : Shape(Name);
public sealed record Rect(string Name, double Width, double Height) : Shape(Name);

/// <summary>No parameterless constructor, private readonly state, an init-only property.</summary>
public class Account
{
    private readonly int _id;
    private string? _secret;

    public Account(int id, string secret)
    {
        _id = id;
        _secret = secret;
    }

    public int Id => _id;
    public string? Secret => _secret;
    public DateTime Created { get; init; }
    public decimal Balance { get; set; }
}

public sealed class SavingsAccount(int id, string secret, double rate) : Account(id, secret)
{
    public double Rate { get; } = rate;
}

public struct Point3
{
    public double X, Y, Z;
    public Point3(double x, double y, double z) => (X, Y, Z) = (x, y, z);
}

/// <summary>A struct with references (not raw-copyable).</summary>
public struct Labeled
{
    public string Label;
    public Point3 Position;
    public int[]? Values;
}

public readonly record struct Money(decimal Amount, string Currency);

public class Animal
{
    public string Name = "";
}

public class Dog : Animal
{
    public bool GoodBoy;
}

public sealed class Cat : Animal
{
    public int Lives { get; init; } = 9;
}

public sealed class Zoo
{
    public Animal? Star;
    public object? Anything;
    public List<Animal> Animals = [];
    public IEnumerable<int>? Sequence;
    public IReadOnlyList<string>? Names;
    public IDictionary<string, int>? Counts;
    public Shape? Logo;
}

public enum Color : byte
{
    Red,
    Green = 5,
    Blue = 200,
}

[Flags]
public enum Access : long
{
    None = 0,
    Read = 1,
    Write = 1L << 40,
}

public sealed class Node
{
    public int Value;
    public Node? Next;
}

public sealed record Job(string Name, Action Callback);
public sealed record Pipeline(string Name, Job First);
public sealed record JobList(List<Job> Jobs);
public sealed record WithStream(string Name, Stream Data);
public sealed record WithToken(CancellationToken Token);
public sealed record WithTask(Task<int> Pending);
public sealed class WithThread { public Thread? Worker; }
public struct WithPointer
{
    public IntPtr Handle;
    public int X;
}
public sealed class WithObject { public object? Value; }
public sealed class WithIgnored
{
    public int Kept;
    [NonSerialized] public Action? Ignored;
}

public sealed record Samples(string Name, double[] Values);
public sealed record Chunk(string Name, ReadOnlyMemory<float> Data);
public sealed record Grids(double[,] Matrix, string[,,] Cube, int[][] Jagged);

public class CustomException : Exception
{
    public CustomException(string message) : base(message) { }
    public CustomException(string message, Exception inner) : base(message, inner) { }
    public int Code { get; set; }
    public string? Detail { get; init; }
    public Action? Callback { get; set; }
}

/// <summary>Only a private parameterless constructor: rebuilt without running one.</summary>
public sealed class OddException : Exception
{
    private OddException() { }
    public static OddException Make(string message, int code)
    {
        var e = new OddException { Code = code };
        typeof(Exception).GetField("_message", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.SetValue(e, message);
        return e;
    }
    public int Code;
}

public sealed class FakeResolver : IObjectResolver
{
    public Task<T> GetAsync<T>(ObjectRef reference, TimeSpan? timeout, CancellationToken cancellationToken) =>
        throw new NotSupportedException();
}

/// <summary>Bytes outside the GC heap, like an object-store mapping.</summary>
public sealed unsafe class NativeMemoryManager : MemoryManager<byte>
{
    private byte* _pointer;
    private readonly int _length;

    public NativeMemoryManager(int length)
    {
        _length = length;
        _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)length, 64);
    }

    public nint Address => (nint)_pointer;
    public int Length => _length;

    public override Span<byte> GetSpan() => new(_pointer, _length);
    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);
    public override void Unpin() { }

    protected override void Dispose(bool disposing)
    {
        if (_pointer is null) return;
        NativeMemory.AlignedFree(_pointer);
        _pointer = null;
    }
}

internal static class Util
{
    public static readonly GridSerializer S = GridSerializer.Instance;

    /// <summary>Round-trips through the generic API, and checks the non-generic and IBufferWriter APIs give the same bytes.</summary>
    public static T RoundTrip<T>(T value)
    {
        var bytes = S.Serialize(value);
        Assert.Equal(GridSerializer.FormatVersion, bytes[0]);
        Assert.Equal(bytes, S.Serialize(value, typeof(T)));
        var output = new ArrayBufferWriter<byte>();
        S.Serialize(value, typeof(T), output);
        Assert.Equal(bytes, output.WrittenSpan.ToArray());
        var viaObject = S.Deserialize(bytes, typeof(T));
        if (value is not null) Assert.IsAssignableFrom<T>(viaObject);
        return S.Deserialize<T>(bytes);
    }

    /// <summary>The general codec's bytes, bypassing the fast paths.</summary>
    public static byte[] General<T>(T value)
    {
        var writer = new GridWriter(S, output: null);
        try
        {
            writer.WriteByte(GridSerializer.FormatVersion);
            CodecRegistry.For<T>().Write(ref writer, value);
            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    public static T ReadGeneral<T>(byte[] bytes)
    {
        var reader = new GridReader(bytes, S, null);
        reader.ReadVersion();
        var value = CodecRegistry.For<T>().Read(ref reader);
        reader.EnsureEnd();
        return value;
    }
}
