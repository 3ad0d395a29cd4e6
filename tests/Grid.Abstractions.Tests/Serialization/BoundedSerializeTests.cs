using Grid.Serialization;

namespace Grid.Abstractions.Tests.Serialization;

/// <summary>
/// TrySerializeWithin tells small values (their bytes, exactly what Serialize writes) from large ones (false),
/// without building a large one whole: how a remote client decides between inline and streamed puts.
/// </summary>
public class BoundedSerializeTests
{
    private sealed record Holder(string Name, long[] Values, List<string> Labels);

    public static TheoryData<object?, Type> SmallValues => new()
    {
        { 42, typeof(int) },
        { "hello", typeof(string) },
        { new long[] { 1, 2, 3 }, typeof(long[]) },
        { new Holder("a", [1, 2], ["x", "y"]), typeof(Holder) },
        { null, typeof(Holder) },
    };

    [Theory]
    [MemberData(nameof(SmallValues))]
    public void A_value_within_the_bound_gives_the_bytes_Serialize_writes(object? value, Type type)
    {
        var serializer = GridSerializer.Instance;

        Assert.True(serializer.TrySerializeWithin(value, type, 100 * 1024, out var bytes));

        Assert.Equal(serializer.Serialize(value, type), bytes);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(100_000)]
    public void A_value_past_the_bound_gives_false_and_one_just_within_it_gives_its_bytes(int longs)
    {
        var serializer = GridSerializer.Instance;
        var value = new Holder("big", [.. Enumerable.Range(0, longs).Select(i => (long)i)], ["label"]);
        var size = serializer.Serialize(value, typeof(Holder)).Length;

        Assert.False(serializer.TrySerializeWithin(value, typeof(Holder), size - 1, out var none));
        Assert.Null(none);
        Assert.True(serializer.TrySerializeWithin(value, typeof(Holder), size, out var exact));
        Assert.Equal(size, exact.Length);
    }
}
