using Grid.Testing;
using Grid.Tests.Fixtures;

namespace Grid.Tests.Core;

/// <summary>
/// Wait over many refs (Ray's <c>ray.wait</c>): ready refs in input order, the rest in input order, each ref handed
/// out exactly once by a loop of one-at-a-time waits, and a wait woken by whichever ref completes.
/// </summary>
public abstract class WaitTests(IGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    protected GridClient Grid => fixture.Grid;

    [Fact]
    public async Task Wait_returns_the_first_ready_refs_in_input_order_and_keeps_the_order_of_the_rest()
    {
        var run = Guid.NewGuid().ToString("N");
        var f = Grid.Function<string, int, int>(TestFunctions.ReturnWhenOpened, new TaskOptions { NumCpus = 0 });
        var refs = Enumerable.Range(0, 300).Select(i => f.Remote($"{run}-{i}", i)).ToArray();
        // Opened in reverse: completion order is not input order.
        foreach (var i in new[] { 250, 120, 40, 7 }) TestFunctions.Gate($"{run}-{i}").SetResult(true);
        await Eventually.WaitAsync(async () => (await Grid.WaitAsync(refs, numReturns: 4, timeout: TimeSpan.Zero).WaitAsync(Timeout)).Ready.Count == 4, Timeout, "the four opened tasks to finish");

        var three = await Grid.WaitAsync(refs, numReturns: 3, timeout: Timeout).WaitAsync(Timeout);
        Assert.Equal([refs[7], refs[40], refs[120]], three.Ready);
        Assert.Equal(refs.Where((_, i) => i is not (7 or 40 or 120)), three.NotReady);

        // Waiting again on what was not ready: the one ready ref left comes out, the rest keep their order.
        var again = await Grid.WaitAsync(three.NotReady, numReturns: 1, timeout: Timeout).WaitAsync(Timeout);
        Assert.Equal([refs[250]], again.Ready);
        Assert.Equal(refs.Where((_, i) => i is not (7 or 40 or 120 or 250)), again.NotReady);

        foreach (var i in Enumerable.Range(0, 300)) TestFunctions.Gate($"{run}-{i}").TrySetResult(true);
        Assert.Equal(Enumerable.Range(0, 300), await Grid.GetAsync(refs, Timeout));
    }

    [Fact]
    public async Task Wait_and_get_refuse_a_null_list_or_a_null_ref_with_an_argument_error_that_names_it()
    {
        var one = await Grid.PutAsync(1);

        await Assert.ThrowsAsync<ArgumentNullException>(() => Grid.WaitAsync<int>(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Grid.GetAsync((IEnumerable<ObjectRef<int>>)null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Grid.GetAsync((ObjectRef<int>)null!));
        var wait = await Assert.ThrowsAsync<ArgumentException>(() => Grid.WaitAsync([one, null!]));
        Assert.Contains("index 1 is null", wait.Message);
        var get = await Assert.ThrowsAsync<ArgumentException>(() => Grid.GetAsync([null!, one]));
        Assert.Contains("index 0 is null", get.Message);
        Assert.Equal(1, await Grid.GetAsync(one, Timeout)); // nothing was lost on the way
    }

    [Fact]
    public async Task Getting_or_waiting_on_a_disposed_ref_throws_ObjectDisposedException()
    {
        var kept = await Grid.PutAsync(1);
        var disposed = await Grid.PutAsync(2);
        disposed.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => Grid.GetAsync(disposed));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Grid.GetAsync([kept, disposed]));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Grid.WaitAsync([kept, disposed]));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await disposed);
        Assert.Equal(1, await Grid.GetAsync(kept, Timeout));
    }

    [Fact]
    public async Task A_loop_of_single_waits_hands_out_every_ref_exactly_once()
    {
        var increment = Grid.Function<int, int>(TestFunctions.Increment);
        var refs = Enumerable.Range(0, 1000).Select(i => increment.Remote(i)).ToArray();
        var seen = new List<int>();
        IReadOnlyList<ObjectRef<int>> notReady = refs;
        while (notReady.Count > 0)
        {
            var result = await Grid.WaitAsync(notReady, numReturns: 1, timeout: Timeout).WaitAsync(Timeout);
            var ready = Assert.Single(result.Ready);
            Assert.Equal(notReady.Count - 1, result.NotReady.Count);
            seen.Add(await Grid.GetAsync(ready, Timeout));
            notReady = result.NotReady;
        }
        Assert.Equal(Enumerable.Range(1, 1000), seen.Order());
    }

    [Fact]
    public async Task A_pending_wait_wakes_for_whichever_ref_completes_even_when_earlier_waits_timed_out_on_it()
    {
        var run = Guid.NewGuid().ToString("N");
        var f = Grid.Function<string, int, int>(TestFunctions.ReturnWhenOpened, new TaskOptions { NumCpus = 0 });
        var refs = Enumerable.Range(0, 50).Select(i => f.Remote($"{run}-{i}", i)).ToArray();
        // Waits that give up leave nothing behind that would answer a later wait.
        for (var attempt = 0; attempt < 3; attempt++)
            Assert.Empty((await Grid.WaitAsync(refs, numReturns: 1, timeout: TimeSpan.FromMilliseconds(20)).WaitAsync(Timeout)).Ready);

        var two = Grid.WaitAsync(refs, numReturns: 2, timeout: Timeout);
        TestFunctions.Gate($"{run}-33").SetResult(true);
        TestFunctions.Gate($"{run}-11").SetResult(true);
        var result = await two.WaitAsync(Timeout);
        Assert.Equal([refs[11], refs[33]], result.Ready);
        Assert.Equal(48, result.NotReady.Count);

        foreach (var i in Enumerable.Range(0, 50)) TestFunctions.Gate($"{run}-{i}").TrySetResult(true);
        Assert.Equal(Enumerable.Range(0, 50), await Grid.GetAsync(refs, Timeout));
    }

    [Fact]
    public async Task A_wait_with_a_zero_timeout_answers_at_once_with_what_is_ready()
    {
        var run = Guid.NewGuid().ToString("N");
        var f = Grid.Function<string, int, int>(TestFunctions.ReturnWhenOpened, new TaskOptions { NumCpus = 0 });
        var pending = f.Remote($"{run}-0", 0);
        var done = await Grid.PutAsync(5);
        var result = await Grid.WaitAsync([pending, done], numReturns: 2, timeout: TimeSpan.Zero).WaitAsync(Timeout);
        Assert.Equal([done], result.Ready);
        Assert.Equal([pending], result.NotReady);
        TestFunctions.Gate($"{run}-0").SetResult(true);
        Assert.Equal(0, await Grid.GetAsync(pending, Timeout));
    }

    [Fact]
    public async Task Wait_refuses_a_duplicate_anywhere_in_a_long_list()
    {
        var refs = new List<ObjectRef<int>>();
        for (var i = 0; i < 100; i++) refs.Add(await Grid.PutAsync(i));
        refs.Add(refs[57]);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Grid.WaitAsync(refs));
        Assert.Contains(refs[57].Id.ToString(), e.Message);
    }
}

[Collection("embedded")]
public sealed class EmbeddedWaitTests(EmbeddedGridFixture fixture) : WaitTests(fixture);

[Collection("cluster")]
public sealed class ClusterWaitTests(ClusterGridFixture fixture) : WaitTests(fixture);
