using System.Collections.Concurrent;
using Grid.Testing;
using Grid.Tests.Fixtures;
using Grid.Wire;

namespace Grid.Tests.Core;

/// <summary>
/// Ray's <c>retry_exceptions</c>: a task or actor method that throws a retried exception runs again while its
/// MaxRetries allow, the caller sees the last run's outcome, and the run sees its attempt in GridContext.
/// </summary>
public abstract class RetryExceptionTests(IGridFixture fixture)
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    protected GridClient Grid => fixture.Grid;

    [Fact]
    public async Task A_task_that_fails_twice_then_succeeds_returns_the_success_and_saw_attempt_2()
    {
        var key = Guid.NewGuid().ToString("N");
        var flaky = Grid.Function<string, int, int>(RetryFunctions.FailTimesThenReturnAttempt)
            .Options(new TaskOptions { RetryExceptions = RetryExceptions.All, MaxRetries = 3 });

        Assert.Equal(2, await Grid.GetAsync(flaky.Remote(key, 2), Timeout));
        Assert.Equal(3, RetryFunctions.Runs(key));
        Assert.Equal([false, true, true], RetryFunctions.SawRetried(key));
    }

    [Fact]
    public async Task Retries_that_run_out_give_the_last_exception_as_an_unretried_failure_would()
    {
        var key = Guid.NewGuid().ToString("N");
        var failing = Grid.Function<string, int, int>(RetryFunctions.FailTimesThenReturnAttempt)
            .Options(new TaskOptions { RetryExceptions = RetryExceptions.All, MaxRetries = 2 });

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Grid.GetAsync(failing.Remote(key, 10), Timeout));
        Assert.Contains("run 3 of " + key, e.Message); // the last run's exception
        Assert.Equal(3, RetryFunctions.Runs(key));
    }

    [Fact]
    public async Task A_listed_type_and_its_subclasses_are_retried_and_an_unlisted_type_runs_once()
    {
        var options = new TaskOptions { RetryExceptions = RetryExceptions.Of(typeof(IOException)), MaxRetries = 3 };
        var listed = Guid.NewGuid().ToString("N");
        var throwing = Grid.Function<string, string, int>(RetryFunctions.ThrowOnceThenReturnAttempt).Options(options);

        // FileNotFoundException derives from the listed IOException.
        Assert.Equal(1, await Grid.GetAsync(throwing.Remote(listed, "file-not-found"), Timeout));
        Assert.Equal(2, RetryFunctions.Runs(listed));

        var unlisted = Guid.NewGuid().ToString("N");
        await Assert.ThrowsAsync<InvalidOperationException>(() => Grid.GetAsync(throwing.Remote(unlisted, "invalid"), Timeout));
        Assert.Equal(1, RetryFunctions.Runs(unlisted));
    }

    [Fact]
    public async Task Without_RetryExceptions_a_throwing_task_runs_once_even_with_retries_left()
    {
        var key = Guid.NewGuid().ToString("N");
        var failing = Grid.Function<string, int, int>(RetryFunctions.FailTimesThenReturnAttempt).Options(new TaskOptions { MaxRetries = 5 });

        await Assert.ThrowsAsync<InvalidOperationException>(() => Grid.GetAsync(failing.Remote(key, 1), Timeout));
        Assert.Equal(1, RetryFunctions.Runs(key));
    }

    [Fact]
    public async Task An_actor_method_retries_as_its_attribute_says_on_the_same_actor()
    {
        var flaky = await Grid.CreateActorAsync(() => new FlakyActor());

        // [ActorMethod(MaxRetries = 2, RetryExceptionTypes = [IOException])]: two failures, then success, seen as attempt 2.
        Assert.Equal(2, await Grid.GetAsync(flaky.Call(a => a.FailTimesWithIo(2)), Timeout));
        Assert.Equal(3, await Grid.GetAsync(flaky.Call(a => a.Runs()), Timeout));

        // Three failures are one too many for MaxRetries = 2: the caller gets the IOException after 3 runs.
        await Assert.ThrowsAsync<IOException>(() => Grid.GetAsync(flaky.Call(a => a.FailTimesWithIo(3)), Timeout));
        Assert.Equal(6, await Grid.GetAsync(flaky.Call(a => a.Runs()), Timeout));

        // A method without the attribute is not retried.
        await Assert.ThrowsAsync<IOException>(() => Grid.GetAsync(flaky.Call(a => a.FailTimesPlain(1)), Timeout));
        Assert.Equal(7, await Grid.GetAsync(flaky.Call(a => a.Runs()), Timeout));
        await flaky.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Call_options_retry_an_actor_call_and_override_the_attribute()
    {
        var flaky = await Grid.CreateActorAsync(() => new FlakyActor());

        // A method without the attribute, retried by its call's options.
        Assert.Equal(1, await Grid.GetAsync(flaky.Call(a => a.FailTimesPlain(1), new ActorCallOptions { RetryExceptions = RetryExceptions.All, MaxRetries = 1 }), Timeout));
        Assert.Equal(2, await Grid.GetAsync(flaky.Call(a => a.Runs()), Timeout));

        // RetryExceptions.None turns the attribute off: one run.
        await Assert.ThrowsAsync<IOException>(() => Grid.GetAsync(flaky.Call(a => a.FailTimesWithIo(1), new ActorCallOptions { RetryExceptions = RetryExceptions.None }), Timeout));
        Assert.Equal(3, await Grid.GetAsync(flaky.Call(a => a.Runs()), Timeout));

        // MaxRetries = 4 over the attribute's 2 (its exception types kept): three failures, then success.
        Assert.Equal(3, await Grid.GetAsync(flaky.Call(a => a.FailTimesWithIo(3), new ActorCallOptions { MaxRetries = 4 }), Timeout));
        Assert.Equal(7, await Grid.GetAsync(flaky.Call(a => a.Runs()), Timeout));

        // An exception type the options do not list is not retried, though the attribute's would be.
        await Assert.ThrowsAsync<IOException>(() => Grid.GetAsync(flaky.Call(a => a.FailTimesWithIo(1),
            new ActorCallOptions { RetryExceptions = RetryExceptions.Of<TimeoutException>() }), Timeout));
        Assert.Equal(8, await Grid.GetAsync(flaky.Call(a => a.Runs()), Timeout));
        await flaky.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_retried_actor_call_keeps_its_place_in_the_callers_order()
    {
        var flaky = await Grid.CreateActorAsync(() => new FlakyActor());

        var first = flaky.Call(a => a.Record(1));
        var retried = flaky.Call(a => a.RecordAfterFailures(2, 2), new ActorCallOptions { RetryExceptions = RetryExceptions.All });
        var third = flaky.Call(a => a.Record(3));
        await Grid.GetAsync([first, retried, third], Timeout);

        Assert.Equal([1, 2, 3], await Grid.GetAsync(flaky.Call(a => a.Log()), Timeout));
        await flaky.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public void RetryExceptions_match_by_type_name_with_subclasses_and_refuse_non_exception_types()
    {
        Assert.True(RetryExceptions.Of<IOException>().Matches(new FileNotFoundException()));
        Assert.False(RetryExceptions.Of<IOException>().Matches(new InvalidOperationException()));
        Assert.True(RetryExceptions.All.Matches(new InvalidOperationException()));
        Assert.False(RetryExceptions.None.Matches(new InvalidOperationException()));
        Assert.True(RetryExceptions.Of().IsNone);
        Assert.Equal(["System.IO.IOException"], RetryExceptions.Of(typeof(IOException)).TypeNames);
        Assert.Throws<ArgumentException>(() => RetryExceptions.Of(typeof(string)));
    }
}

/// <summary>Counts runs across attempts, per test key (in-process clusters share the statics).</summary>
public static class RetryFunctions
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<bool>> RunsByKey = new();

    private static int Run(string key)
    {
        var runs = RunsByKey.GetOrAdd(key, _ => new ConcurrentQueue<bool>());
        runs.Enqueue(GridContext.Current.WasRetried);
        return runs.Count;
    }

    public static int Runs(string key) => RunsByKey.TryGetValue(key, out var runs) ? runs.Count : 0;

    public static bool[] SawRetried(string key) => RunsByKey.TryGetValue(key, out var runs) ? [.. runs] : [];

    /// <summary>Throws on its first <paramref name="failures"/> runs, then returns the attempt it saw.</summary>
    public static int FailTimesThenReturnAttempt(string key, int failures)
    {
        var run = Run(key);
        if (run <= failures) throw new InvalidOperationException($"run {run} of {key} fails");
        return GridContext.Current.Attempt;
    }

    /// <summary>Throws <paramref name="kind"/> on its first run, then returns the attempt it saw.</summary>
    public static int ThrowOnceThenReturnAttempt(string key, string kind)
    {
        if (Run(key) == 1)
            throw kind == "file-not-found" ? new FileNotFoundException($"first run of {key}") : new InvalidOperationException($"first run of {key}");
        return GridContext.Current.Attempt;
    }
}

/// <summary>An actor whose methods fail a given number of times per call, counting every run in its state.</summary>
public sealed class FlakyActor
{
    private int _runs;
    private int _failuresLeft = -1;
    private readonly List<int> _log = [];

    public int Runs() => _runs;

    public List<int> Log() => [.. _log];

    public int Record(int value)
    {
        _log.Add(value);
        return value;
    }

    [ActorMethod(MaxRetries = 2, RetryExceptionTypes = new[] { typeof(IOException) })]
    public int FailTimesWithIo(int failures) => FailTimes(failures);

    public int FailTimesPlain(int failures) => FailTimes(failures);

    public int RecordAfterFailures(int value, int failures)
    {
        FailTimes(failures);
        return Record(value);
    }

    /// <summary>Throws IOException on the call's first <paramref name="failures"/> runs (reset after the call succeeds).</summary>
    private int FailTimes(int failures)
    {
        _runs++;
        var attempt = GridContext.Current.Attempt;
        if (attempt == 0) _failuresLeft = failures;
        if (_failuresLeft-- > 0) throw new IOException($"run {_runs} fails (attempt {attempt})");
        return attempt;
    }
}

[Collection("embedded")]
public sealed class EmbeddedRetryExceptionTests(EmbeddedGridFixture fixture) : RetryExceptionTests(fixture);

[Collection("cluster")]
public sealed class ClusterRetryExceptionTests(ClusterGridFixture fixture) : RetryExceptionTests(fixture)
{
    [Fact]
    public async Task Exception_retries_are_task_events_in_the_GCS_with_their_attempt()
    {
        var key = Guid.NewGuid().ToString("N");
        var flaky = Grid.Function<string, int, int>(RetryFunctions.FailTimesThenReturnAttempt)
            .Options(new TaskOptions { RetryExceptions = RetryExceptions.All, MaxRetries = 3 });
        var result = flaky.Remote(key, 2);
        Assert.Equal(2, await Grid.GetAsync(result, Timeout));

        // Written in the background after the retries: awaited on the GCS itself.
        var retried = await Eventually.WaitAsync(
            async () => (await fixture.Gcs.GetTaskEventsAsync(10_000)).Where(e => e.TaskId == result.Id && e.Kind == TaskEventKind.Retried).ToArray(),
            events => events.Length == 2, Timeout, "two Retried events of the task");
        Assert.Equal([1, 2], retried.Select(e => e.Attempt).Order());
        Assert.All(retried, e => Assert.StartsWith("System.InvalidOperationException: run ", e.Error));
        Assert.All(retried, e => Assert.Contains("FailTimesThenReturnAttempt", e.Function));
    }
}
