using Grid.Serialization;
using static Grid.Abstractions.Tests.Serialization.Util;

namespace Grid.Abstractions.Tests.Serialization;

public class UnsupportedTypeTests
{
    private static string Refused(Type type) => Assert.Throws<GridSerializationException>(() => S.EnsureSerializable(type)).Message;

    [Fact]
    public void Delegate_field_is_named_with_its_member_path()
    {
        var message = Refused(typeof(Job));
        Assert.Contains("Job.Callback (System.Action)", message);
        Assert.Contains("delegates", message);
        Assert.Contains("Pipeline.First.Callback (System.Action)", Refused(typeof(Pipeline)));
        Assert.Contains("JobList.Jobs[].Callback (System.Action)", Refused(typeof(JobList)));
        Assert.Contains("List<Job>[].Callback (System.Action)", Refused(typeof(List<Job>)));
        Assert.Contains("System.Func<System.Int32>", Refused(typeof(Func<int>)));
        // Serialize fails the same way, and nothing broken is left cached.
        var e = Assert.Throws<GridSerializationException>(() => S.Serialize(new Job("j", () => { })));
        Assert.Contains("Job.Callback (System.Action)", e.Message);
        Assert.Contains("Job.Callback (System.Action)", Refused(typeof(Job)));
    }

    [Fact]
    public void Each_unsupported_kind_says_what_to_do()
    {
        Assert.Contains("WithStream.Data (System.IO.Stream)", Refused(typeof(WithStream)));
        Assert.Contains("byte[]", Refused(typeof(MemoryStream)));
        Assert.Contains("WithToken.Token (System.Threading.CancellationToken)", Refused(typeof(WithToken)));
        Assert.Contains("WithTask.Pending (System.Threading.Tasks.Task<System.Int32>)", Refused(typeof(WithTask)));
        Assert.Contains("await", Refused(typeof(Task)));
        Assert.Contains("WithThread.Worker (System.Threading.Thread)", Refused(typeof(WithThread)));
        Assert.Contains("WithPointer.Handle (System.IntPtr)", Refused(typeof(WithPointer)));
        Assert.Contains("pointers", Refused(typeof(IntPtr)));
        Assert.Contains("pointers", Refused(typeof(int*)));
        Assert.Contains("Span", Refused(typeof(Span<int>)));
        Assert.Contains("ReadOnlyMemory", Refused(typeof(ReadOnlySpan<byte>)));
        Assert.Contains("open generic", Refused(typeof(List<>)));
        Assert.Contains("IntPtr", Refused(typeof(IntPtr[])));
    }

    [Fact]
    public void Unsupported_runtime_value_in_an_object_field_is_named()
    {
        var e = Assert.Throws<GridSerializationException>(() => S.Serialize(new WithObject { Value = new Action(() => { }) }));
        Assert.Contains("WithObject.Value (System.Action)", e.Message);
        var e2 = Assert.Throws<GridSerializationException>(() => S.Serialize<object>(new MemoryStream()));
        Assert.Contains("System.IO.MemoryStream", e2.Message);
        var e3 = Assert.Throws<GridSerializationException>(() => S.Serialize(new List<object> { 1, new Func<int>(() => 1) }));
        Assert.Contains("List<Object>[]", e3.Message);
    }

    [Fact]
    public void Supported_types_pass_the_check()
    {
        S.EnsureSerializable(typeof(Person));
        S.EnsureSerializable(typeof(Zoo));
        S.EnsureSerializable(typeof(object));
        S.EnsureSerializable(typeof(IEnumerable<int>));
        S.EnsureSerializable(typeof(Dictionary<string, List<Shape>>));
        S.EnsureSerializable(typeof(WithIgnored));
        Assert.True(S.IsSerializable(typeof(Grids)));
        Assert.False(S.IsSerializable(typeof(Job)));
    }

    [Fact]
    public void Cycles_are_detected()
    {
        var node = new Node { Value = 1 };
        node.Next = new Node { Value = 2, Next = node };
        var e = Assert.Throws<GridSerializationException>(() => S.Serialize(node));
        Assert.Contains("cycle", e.Message);

        var list = new List<object>();
        list.Add(list);
        Assert.Contains("cycle", Assert.Throws<GridSerializationException>(() => S.Serialize(list)).Message);

        var strict = new GridSerializer { MaxDepth = 10 };
        Node? chain = null;
        for (int i = 0; i < 20; i++) chain = new Node { Next = chain };
        Assert.Throws<GridSerializationException>(() => strict.Serialize(chain));
    }

    [Fact]
    public void Value_not_matching_the_declared_type_is_refused()
    {
        Assert.Throws<GridSerializationException>(() => S.Serialize("text", typeof(int)));
        Assert.Throws<GridSerializationException>(() => S.Serialize(null, typeof(int)));
        Assert.Equal(S.Serialize<int?>(null), S.Serialize(null, typeof(int?)));
        Assert.Equal(S.Serialize<int?>(3), S.Serialize(3, typeof(int?)));
    }
}

public class CorruptDataTests
{
    private static void AssertRejectsOrReads(byte[] data, Type type)
    {
        try
        {
            S.Deserialize(data, type);
        }
        catch (GridSerializationException)
        {
            // expected for most inputs
        }
    }

    public static TheoryData<string> Samples => new() { "int", "string", "record", "list", "dict", "object[]", "double[]", "grid", "zoo", "exception", "tuple" };

    private static (byte[] Bytes, Type Type) Sample(string name) => name switch
    {
        "int" => (S.Serialize(12345), typeof(int)),
        "string" => (S.Serialize("hello world"), typeof(string)),
        "record" => (S.Serialize(new Person("Ada", 36) { Tags = ["a", "b"] }), typeof(Person)),
        "list" => (S.Serialize(new List<Person> { new("a", 1), new("b", 2) }), typeof(List<Person>)),
        "dict" => (S.Serialize(new Dictionary<string, int[]> { ["k"] = [1, 2, 3] }), typeof(Dictionary<string, int[]>)),
        "object[]" => (S.Serialize<object[]>([1, "s", new Circle("c", 1), new[] { 1.5 }, (1, "x")]), typeof(object[])),
        "double[]" => (S.Serialize(new double[] { 1, 2, 3 }), typeof(double[])),
        "grid" => (S.Serialize(new Grids(new double[2, 2], new string[1, 1, 1], [[1]])), typeof(Grids)),
        "zoo" => (S.Serialize(new Zoo { Star = new Dog(), Animals = [new Cat()], Names = ["x"] }), typeof(Zoo)),
        "exception" => (S.Serialize<Exception>(new InvalidOperationException("boom", new FormatException("inner"))), typeof(Exception)),
        "tuple" => (S.Serialize(Tuple.Create(1, "two", new[] { 3L })), typeof(Tuple<int, string, long[]>)),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_truncation_throws_GridSerializationException(string sample)
    {
        var (bytes, type) = Sample(sample);
        Assert.NotNull(S.Deserialize(bytes, type) ?? "ok");
        for (int length = 0; length < bytes.Length; length++)
        {
            int l = length;
            Assert.Throws<GridSerializationException>(() => S.Deserialize(bytes.AsMemory(0, l), type));
        }
        // Trailing bytes are refused too.
        Assert.Throws<GridSerializationException>(() => S.Deserialize(bytes.Concat(new byte[] { 0 }).ToArray(), type));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Corrupted_bytes_throw_GridSerializationException_or_read(string sample)
    {
        var (bytes, type) = Sample(sample);
        var random = new Random(sample.GetHashCode(StringComparison.Ordinal) & 0xFFFF);
        for (int i = 0; i < 300; i++)
        {
            var copy = (byte[])bytes.Clone();
            int flips = 1 + random.Next(3);
            for (int f = 0; f < flips; f++) copy[1 + random.Next(copy.Length - 1)] = (byte)random.Next(256);
            AssertRejectsOrReads(copy, type);
        }
    }

    [Fact]
    public void Random_garbage_throws_GridSerializationException_or_reads()
    {
        var random = new Random(7);
        Type[] types = [typeof(int), typeof(string), typeof(Person), typeof(List<Person>), typeof(object), typeof(object[]),
            typeof(Dictionary<string, object>), typeof(double[,]), typeof(int[][]), typeof(Exception), typeof(ReadOnlyMemory<double>), typeof(Zoo)];
        foreach (var type in types)
        {
            for (int i = 0; i < 200; i++)
            {
                var garbage = new byte[random.Next(0, 64)];
                random.NextBytes(garbage);
                if (garbage.Length > 0 && random.Next(4) != 0) garbage[0] = GridSerializer.FormatVersion;
                AssertRejectsOrReads(garbage, type);
            }
        }
    }

    [Fact]
    public void Huge_counts_are_refused_before_allocating()
    {
        // Version, then a length of about 2^31 for a string[] / a 2D array, with nothing behind it.
        Assert.Throws<GridSerializationException>(() => S.Deserialize<string[]>(new byte[] { 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x07 }));
        Assert.Throws<GridSerializationException>(() => S.Deserialize<List<int>>(new byte[] { 1, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x07 }));
        Assert.Throws<GridSerializationException>(() => S.Deserialize<double[,]>(new byte[] { 1, 1, 0xFF, 0xFF, 0x3F, 0, 0, 0, 0, 0xFF, 0xFF, 0x3F, 0, 0, 0, 0 }));
        Assert.Throws<GridSerializationException>(() => S.Deserialize<int>(new byte[] { 9, 0, 0, 0, 0 }));
        Assert.Throws<GridSerializationException>(() => S.Deserialize<int>(ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public void Unknown_type_name_in_data_is_reported()
    {
        var bytes = S.Serialize<Shape>(new Circle("c", 1));
        var name = System.Text.Encoding.UTF8.GetBytes(nameof(Circle));
        int at = bytes.AsSpan().IndexOf(name);
        bytes[at + 1] = (byte)'X';
        var e = Assert.Throws<GridSerializationException>(() => S.Deserialize<Shape>(bytes));
        Assert.Contains("CXrcle", e.Message);
    }

    [Fact]
    public void Type_in_data_that_does_not_fit_the_slot_is_refused()
    {
        var bytes = S.Serialize<object>(new Person("p", 1));
        Assert.Throws<GridSerializationException>(() => S.Deserialize<Shape>(bytes));
        var delegateBytes = S.Serialize<object>("x");
        Assert.Throws<GridSerializationException>(() => S.Deserialize<Animal>(delegateBytes));
    }
}
