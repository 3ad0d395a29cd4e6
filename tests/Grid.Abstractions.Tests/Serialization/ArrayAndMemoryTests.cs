using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Grid.Serialization;
using static Grid.Abstractions.Tests.Serialization.Util;

namespace Grid.Abstractions.Tests.Serialization;

public class ArrayAndMemoryTests
{
    [Fact]
    public void Unmanaged_arrays_round_trip_as_fresh_arrays()
    {
        var ints = Enumerable.Range(-500, 1000).ToArray();
        var back = RoundTrip(ints);
        Assert.Equal(ints, back);
        Assert.NotSame(ints, back);
        Assert.Equal(new[] { 1.5, -2.5, double.Epsilon }, RoundTrip(new[] { 1.5, -2.5, double.Epsilon }));
        Assert.Equal(new[] { 1.5f, 3f }, RoundTrip(new[] { 1.5f, 3f }));
        Assert.Equal(new long[] { long.MaxValue, 0 }, RoundTrip(new long[] { long.MaxValue, 0 }));
        Assert.Equal(new[] { new Point3(1, 2, 3), new Point3(4, 5, 6) }, RoundTrip(new[] { new Point3(1, 2, 3), new Point3(4, 5, 6) }));
        Assert.Equal(new[] { true, false, true }, RoundTrip(new[] { true, false, true }));
        Assert.Equal("chars".ToCharArray(), RoundTrip("chars".ToCharArray()));
        Assert.Equal(new[] { 1m, 2.5m }, RoundTrip(new[] { 1m, 2.5m }));
        Assert.Equal(new[] { Guid.NewGuid() }.Length, RoundTrip(new[] { Guid.NewGuid() }).Length);
    }

    [Fact]
    public void Arrays_of_records_and_structs_with_references_round_trip()
    {
        var people = new[] { new Person("a", 1), null!, new Person("c", 3) };
        var back = RoundTrip(people);
        Assert.Equal("c", back[2].Name);
        Assert.Null(back[1]);
        var labeled = new[] { new Labeled { Label = "x", Values = [1] }, default };
        var backLabeled = RoundTrip(labeled);
        Assert.Equal("x", backLabeled[0].Label);
        Assert.Null(backLabeled[1].Label);
    }

    [Fact]
    public void Multidimensional_arrays_of_double_round_trip()
    {
        var matrix = new double[3, 4];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++) matrix[i, j] = i * 10 + j + 0.5;
        Assert.Equal(matrix, RoundTrip(matrix));

        var cube = new double[2, 3, 4];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++) cube[i, j, k] = i * 100 + j * 10 + k;
        Assert.Equal(cube, RoundTrip(cube));
        Assert.Equal(new double[0, 5], RoundTrip(new double[0, 5]));
        Assert.Null(RoundTrip<double[,]?>(null));
    }

    [Fact]
    public void Multidimensional_arrays_of_string_round_trip()
    {
        var grid = new string?[2, 2] { { "a", null }, { "c", "d" } };
        Assert.Equal(grid, RoundTrip(grid));
        var cube = new string[2, 2, 3];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                for (int k = 0; k < 3; k++) cube[i, j, k] = $"{i}{j}{k}";
        Assert.Equal(cube, RoundTrip(cube));
    }

    [Fact]
    public void Multidimensional_arrays_keep_lower_bounds()
    {
        var array = (int[,])Array.CreateInstance(typeof(int), [2, 3], [5, -1]);
        array[6, 1] = 42;
        var back = RoundTrip(array);
        Assert.Equal(5, back.GetLowerBound(0));
        Assert.Equal(-1, back.GetLowerBound(1));
        Assert.Equal(42, back[6, 1]);
    }

    [Fact]
    public void Jagged_arrays_round_trip()
    {
        int[][] jagged = [[1, 2, 3], [], null!, [4]];
        var back = RoundTrip(jagged);
        Assert.Equal(4, back.Length);
        Assert.Equal([1, 2, 3], back[0]);
        Assert.Empty(back[1]);
        Assert.Null(back[2]);
        Assert.Equal([4], back[3]);
        double[][,] mixed = [new double[,] { { 1, 2 } }, new double[1, 1]];
        Assert.Equal(mixed, RoundTrip(mixed));
        Person[][] people = [[new Person("x", 1)]];
        Assert.Equal("x", RoundTrip(people)[0][0].Name);
    }

    [Fact]
    public void Record_holding_grids_round_trips()
    {
        var value = new Grids(new double[,] { { 1, 2 }, { 3, 4 } }, new string[1, 1, 2] { { { "a", "b" } } }, [[1], [2, 3]]);
        var back = RoundTrip(value);
        Assert.Equal(value.Matrix, back.Matrix);
        Assert.Equal(value.Cube, back.Cube);
        Assert.Equal(value.Jagged, back.Jagged);
    }

    [Fact]
    public void Hundred_megabyte_byte_array_round_trips_intact()
    {
        var data = GC.AllocateUninitializedArray<byte>(100 * 1024 * 1024);
        new Random(12345).NextBytes(data);
        var bytes = S.Serialize(data);
        var back = S.Deserialize<byte[]>(bytes);
        Assert.Equal(data.Length, back.Length);
        Assert.True(data.AsSpan().SequenceEqual(back));

        // Through the general path too (declared as object), and into an IBufferWriter.
        var viaObject = (byte[])S.Deserialize(S.Serialize<object>(data), typeof(object))!;
        Assert.True(data.AsSpan().SequenceEqual(viaObject));
        var output = new ArrayBufferWriter<byte>();
        S.Serialize(data, typeof(byte[]), output);
        Assert.True(bytes.AsSpan().SequenceEqual(output.WrittenSpan));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(200)]
    public void Raw_block_of_a_double_array_in_a_record_is_8_aligned(int nameLength)
    {
        double[] values = [1.5, -2.25, 3e300, 4.125];
        var pattern = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var bytes = S.Serialize(new Samples(new string('n', nameLength), values));
        int offset = bytes.AsSpan().IndexOf(pattern);
        Assert.True(offset > 0);
        Assert.Equal(0, offset % 8);

        // Relative to the first byte written, also when the output already holds something.
        var output = new ArrayBufferWriter<byte>();
        output.Write(new byte[3]);
        S.Serialize(new Samples(new string('n', nameLength), values), typeof(Samples), output);
        int inOutput = output.WrittenSpan.IndexOf(pattern);
        Assert.Equal(0, (inOutput - 3) % 8);

        // And for a list of unmanaged values, a multidimensional array and a polymorphic slot.
        Assert.Equal(0, S.Serialize(new List<double>(values)).AsSpan().IndexOf(pattern) % 8);
        Assert.Equal(0, S.Serialize(new double[,] { { 1.5, -2.25 }, { 3e300, 4.125 } }).AsSpan().IndexOf(pattern) % 8);
        Assert.Equal(0, S.Serialize(new object[] { new string('n', nameLength), values }).AsSpan().IndexOf(pattern) % 8);
    }

    [Fact]
    public unsafe void ReadOnlyMemory_over_a_memory_manager_is_read_without_copying()
    {
        var values = new double[1024 * 1024 / sizeof(double)]; // 1 MB
        for (int i = 0; i < values.Length; i++) values[i] = i * 0.5;
        var bytes = S.Serialize<ReadOnlyMemory<double>>(values);

        using var native = new NativeMemoryManager(bytes.Length);
        bytes.CopyTo(native.GetSpan());
        var view = S.Deserialize<ReadOnlyMemory<double>>(native.Memory);

        Assert.Equal(values.Length, view.Length);
        Assert.True(view.Span.SequenceEqual(values));
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(view.Span));
        Assert.InRange(address, native.Address, native.Address + native.Length - 1);
        Assert.Equal(0, (address - native.Address) % 8);

        // It is a view: a change to the source shows through.
        MemoryMarshal.Cast<byte, double>(native.GetSpan()[(int)(address - native.Address)..])[0] = 123;
        Assert.Equal(123, view.Span[0]);

        // Memory<T> too, nested in a record too.
        var writable = S.Deserialize<Memory<double>>(native.Memory);
        writable.Span[1] = 7;
        Assert.Equal(7, view.Span[1]);
    }

    [Fact]
    public unsafe void Nested_ReadOnlyMemory_over_a_memory_manager_is_a_view()
    {
        var chunk = new Chunk("c", new float[] { 1, 2, 3 });
        var bytes = S.Serialize(chunk);
        using var native = new NativeMemoryManager(bytes.Length);
        bytes.CopyTo(native.GetSpan());
        var back = S.Deserialize<Chunk>(native.Memory);
        Assert.Equal([1f, 2f, 3f], back.Data.ToArray());
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(back.Data.Span));
        Assert.InRange(address, native.Address, native.Address + native.Length - 1);
    }

    [Fact]
    public void ReadOnlyMemory_from_a_plain_array_is_copied()
    {
        ReadOnlyMemory<double> values = new[] { 1.0, 2.0, 3.0 };
        var bytes = S.Serialize(values);
        var back = S.Deserialize<ReadOnlyMemory<double>>(bytes);
        Assert.True(back.Span.SequenceEqual(values.Span));
        Assert.True(MemoryMarshal.TryGetArray(back, out var segment));
        Assert.Equal(3, segment.Array!.Length);
        Assert.Empty(S.Deserialize<ReadOnlyMemory<int>>(S.Serialize(ReadOnlyMemory<int>.Empty)).ToArray());
        Assert.Equal(["a", "b"], RoundTrip<ReadOnlyMemory<string>>(new[] { "a", "b" }).ToArray());
        Assert.Equal([5, 6], RoundTrip<Memory<int>>(new[] { 5, 6 }).ToArray());
    }

    [Fact]
    public void Array_target_from_a_memory_manager_gets_a_fresh_array()
    {
        var bytes = S.Serialize(new double[] { 1, 2, 3 });
        using var native = new NativeMemoryManager(bytes.Length);
        bytes.CopyTo(native.GetSpan());
        var back = S.Deserialize<double[]>(native.Memory);
        Assert.Equal([1.0, 2.0, 3.0], back);
        // The same bytes read as ReadOnlyMemory<double> (arrays and memories share a layout) are a view.
        var view = S.Deserialize<ReadOnlyMemory<double>>(native.Memory);
        Assert.Equal([1.0, 2.0, 3.0], view.ToArray());
        Assert.False(MemoryMarshal.TryGetArray(view, out _));
    }

    [Fact]
    public void Fast_paths_write_the_same_bytes_as_the_general_codecs()
    {
        foreach (var v in new[] { 0, 1, -1, int.MaxValue, int.MinValue }) Assert.Equal(General(v), S.Serialize(v));
        Assert.Equal(General(long.MinValue), S.Serialize(long.MinValue));
        Assert.Equal(General(Math.PI), S.Serialize(Math.PI));
        Assert.Equal(General(true), S.Serialize(true));
        foreach (var s in new[] { null, "", "a", "ünï", new string('x', 127), new string('y', 128), new string('z', 20000) })
            Assert.Equal(General(s), S.Serialize(s));
        foreach (var n in new[] { 0, 1, 5, 6, 7, 126, 127, 128, 20000 })
        {
            var bytes = Enumerable.Range(0, n).Select(i => (byte)i).ToArray();
            Assert.Equal(General(bytes), S.Serialize(bytes));
            Assert.Equal(General(Enumerable.Range(0, n).ToArray()), S.Serialize(Enumerable.Range(0, n).ToArray()));
            var doubles = Enumerable.Range(0, n).Select(i => i * 1.5).ToArray();
            Assert.Equal(General(doubles), S.Serialize(doubles));
            Assert.Equal(doubles, ReadGeneral<double[]>(S.Serialize(doubles)));
        }
        Assert.Equal(General<byte[]?>(null), S.Serialize<byte[]?>(null));
        Assert.Equal(General<double[]?>(null), S.Serialize<double[]?>(null));
        Assert.Equal(7, ReadGeneral<int>(S.Serialize(7)));
        Assert.Equal(7, S.Deserialize<int>(General(7)));
        Assert.Equal(7, S.Deserialize(S.Serialize(7), typeof(int)));
    }
}
