using Grid.Testing;
using Grid.Tests.Fixtures;

namespace Grid.Tests.Core;

/// <summary>
/// Ray's num_returns: a task's tuple (RemoteSplit) or its array, list or sequence of TaskOptions.NumReturns elements
/// (RemoteMany) gives one ref per element, each an object of its own: inline when small, in the store when large,
/// passed to other tasks and freed on its own; an error (thrown, or a wrong count) fails every ref.
/// </summary>
public abstract class MultipleReturnTests(IGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const int Large = 300 * 1024; // above the 100 KiB inline threshold: stored

    protected GridClient Grid => fixture.Grid;

    [Fact]
    public async Task A_tuple_of_two_gives_two_refs_whose_ids_derive_from_the_task()
    {
        var (doubled, text) = Grid.Function<int, (int, string)>(ReturnFunctions.Pair).RemoteSplit(21);

        Assert.Equal(42, await doubled.GetAsync(Timeout));
        Assert.Equal("21", await text.GetAsync(Timeout));
        Assert.Equal(ObjectId.ForReturn(doubled.Id, 1), text.Id); // return 0 has the task's id
        Assert.Equal(doubled.Id, ObjectId.ForReturn(doubled.Id, 0));
    }

    [Fact]
    public async Task A_tuple_of_three_mixed_types_from_an_async_function_gives_three_refs()
    {
        var (count, name, values) = Grid.Function<int, (int, string, List<double>)>(ReturnFunctions.TripleAsync).RemoteSplit(3);

        Assert.Equal(3, await count.GetAsync(Timeout));
        Assert.Equal("three", await name.GetAsync(Timeout));
        Assert.Equal(new List<double> { 0, 0.5, 1 }, await values.GetAsync(Timeout));
        Assert.Equal(3, new[] { count.Id, name.Id, values.Id }.Distinct().Count());
    }

    [Fact]
    public async Task NumReturns_with_an_array_a_list_or_a_sequence_gives_one_ref_per_element()
    {
        var squares = Grid.Function<int, int[]>(ReturnFunctions.Squares, new TaskOptions { NumReturns = 4 }).RemoteMany(4);
        Assert.Equal(4, squares.Length);
        Assert.Equal(new[] { 0, 1, 4, 9 }, await Grid.GetAsync(squares, Timeout));

        var words = Grid.Function<int, List<string>>(ReturnFunctions.Words).Options(new TaskOptions { NumReturns = 2 }).RemoteMany(2);
        Assert.Equal(new[] { "w0", "w1" }, await Grid.GetAsync(words, Timeout));

        var one = Grid.Function<int, IEnumerable<long>>(ReturnFunctions.Sequence).RemoteMany(1); // NumReturns 1: one element
        Assert.Equal(0L, Assert.Single(await Grid.GetAsync(one, Timeout)));
    }

    [Fact]
    public async Task A_large_element_goes_to_the_store_under_its_own_id_beside_an_inline_small_one()
    {
        var (large, small) = Grid.Function<int, (byte[], int)>(ReturnFunctions.LargeAndSmall).RemoteSplit(Large);

        Assert.Equal(Large, (await large.GetAsync(Timeout)).Length);
        Assert.Equal(7, await small.GetAsync(Timeout));
        var rows = (await Grid.MemorySummaryAsync()).Rows;
        Assert.Contains(rows, r => r.Id == large.Id && r.Size >= Large);
        Assert.DoesNotContain(rows, r => r.Id == small.Id);
    }

    [Fact]
    public async Task Each_ref_is_usable_as_an_argument_of_another_task()
    {
        var (large, small) = Grid.Function<int, (byte[], int)>(ReturnFunctions.LargeAndSmall).RemoteSplit(Large);
        var length = Grid.Function<byte[], int>(ReturnFunctions.Length);
        var plusOne = Grid.Function<int, int>(ReturnFunctions.PlusOne);

        Assert.Equal(Large, await length.Remote(large).GetAsync(Timeout));
        Assert.Equal(8, await plusOne.Remote(small).GetAsync(Timeout));
        var squares = Grid.Function<int, int[]>(ReturnFunctions.Squares, new TaskOptions { NumReturns = 3 }).RemoteMany(3);
        Assert.Equal(5, await plusOne.Remote(squares[2]).GetAsync(Timeout));
        Assert.Equal(1, await plusOne.Remote(squares[0]).GetAsync(Timeout));
    }

    [Fact]
    public async Task Dropping_one_ref_frees_its_object_while_the_other_stays_readable()
    {
        var (first, second) = Grid.Function<int, (byte[], byte[])>(ReturnFunctions.TwoLarge).RemoteSplit(Large);
        Assert.Equal(Large, (await second.GetAsync(Timeout)).Length);
        var rows = (await Grid.MemorySummaryAsync()).Rows;
        Assert.Contains(rows, r => r.Id == first.Id);
        Assert.Contains(rows, r => r.Id == second.Id);
        var firstId = first.Id;

        first.Dispose();

        await Eventually.WaitAsync(async () =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return !(await Grid.MemorySummaryAsync()).Rows.Any(r => r.Id == firstId);
        }, Timeout, $"return 0 ({firstId}) freed from every store");
        Assert.Contains((await Grid.MemorySummaryAsync()).Rows, r => r.Id == second.Id);
        var again = await second.GetAsync(Timeout);
        Assert.Equal(Large, again.Length);
        Assert.Equal(2, again[^1]);
    }

    [Fact]
    public async Task A_count_other_than_the_declared_one_fails_every_ref_with_a_typed_error()
    {
        var refs = Grid.Function<int, int[]>(ReturnFunctions.Squares, new TaskOptions { NumReturns = 3 }).RemoteMany(2);

        Assert.Equal(3, refs.Length);
        foreach (var r in refs)
        {
            var error = await Assert.ThrowsAsync<ReturnCountMismatchException>(() => r.GetAsync(Timeout));
            Assert.Equal(3, error.Declared);
            Assert.Equal(2, error.Returned);
            Assert.Contains("declared 3 returns but returned 2 values", error.Message);
        }
    }

    [Fact]
    public async Task A_throwing_function_fails_every_ref_and_retries_still_apply()
    {
        var (a, b) = Grid.Function<int, (int, int)>(ReturnFunctions.Throwing).RemoteSplit(1);
        foreach (var r in new[] { a, b })
            Assert.Contains("no pair today", (await Assert.ThrowsAsync<InvalidOperationException>(() => r.GetAsync(Timeout))).Message);

        var retried = Grid.Function<int, (int, int)>(ReturnFunctions.FailsFirstAttempt)
            .Options(new TaskOptions { MaxRetries = 2, RetryExceptions = RetryExceptions.All }).RemoteSplit(5);
        Assert.Equal(5, await retried.Item1.GetAsync(Timeout));
        Assert.Equal(1, await retried.Item2.GetAsync(Timeout)); // the attempt that succeeded
    }

    [Fact]
    public void NumReturns_below_one_and_mismatched_calls_are_rejected_at_the_caller()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaskOptions { NumReturns = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaskOptions { NumReturns = -2 });
        var squares = Grid.Function<int, int[]>(ReturnFunctions.Squares, new TaskOptions { NumReturns = 2 });
        Assert.Contains("RemoteMany", Assert.Throws<InvalidOperationException>(() => squares.Remote(2)).Message);
        var pair = Grid.Function<int, (int, string)>(ReturnFunctions.Pair, new TaskOptions { NumReturns = 3 });
        Assert.Throws<ArgumentException>(() => pair.RemoteSplit(1));
    }
}

public static class ReturnFunctions
{
    public static (int, string) Pair(int x) => (2 * x, x.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static async Task<(int, string, List<double>)> TripleAsync(int n)
    {
        await Task.Yield();
        return (n, "three", [.. Enumerable.Range(0, n).Select(i => i / 2.0)]);
    }

    public static int[] Squares(int n) => [.. Enumerable.Range(0, n).Select(i => i * i)];

    public static List<string> Words(int n) => [.. Enumerable.Range(0, n).Select(i => $"w{i}")];

    public static IEnumerable<long> Sequence(int n) => Enumerable.Range(0, n).Select(i => (long)i);

    public static (byte[], int) LargeAndSmall(int size) => (new byte[size], 7);

    public static (byte[], byte[]) TwoLarge(int size)
    {
        var first = new byte[size];
        var second = new byte[size];
        first[^1] = 1;
        second[^1] = 2;
        return (first, second);
    }

    public static int Length(byte[] data) => data.Length;

    public static int PlusOne(int x) => x + 1;

    public static (int, int) Throwing(int x) => throw new InvalidOperationException($"no pair today ({x})");

    public static (int, int) FailsFirstAttempt(int x) =>
        GridContext.Current.Attempt == 0 ? throw new InvalidOperationException("first attempt fails") : (x, GridContext.Current.Attempt);
}

[Collection("embedded")]
public sealed class EmbeddedMultipleReturnTests(EmbeddedGridFixture fixture) : MultipleReturnTests(fixture);

[Collection("cluster")]
public sealed class ClusterMultipleReturnTests(ClusterGridFixture fixture) : MultipleReturnTests(fixture);
