using Grid.Samples.Scenarios;
using Grid.Tests.Fixtures;
using Grid.Tests.Core;

namespace Grid.Tests.Scenarios;

/// <summary>
/// The scenarios of SCENARIOS.md (S1–S10, S12), run through the samples' own code and asserted on
/// their outcomes; each runs on the embedded mode and on a 3-silo cluster.
/// </summary>
public abstract class ScenarioTests(IGridFixture fixture)
{
    protected GridClient Grid => fixture.Grid;

    [Fact]
    public async Task S1_squares()
    {
        var actual = await TasksAndObjects.SquaresAsync(Grid);
        Assert.Equal([0, 1, 4, 9], actual);
    }

    [Fact]
    public async Task S2_declared_cpus_bound_how_many_tasks_run_at_once()
    {
        var totalCpus = (int)(fixture.CpusPerNode * fixture.NodeCount);
        var four = await TasksAndObjects.ParallelSleepAsync(Grid, 4, TimeSpan.FromMilliseconds(300));
        Assert.Equal([0, 1, 2, 3], four.Results);
        var many = await TasksAndObjects.ParallelSleepAsync(Grid, totalCpus + 6, TimeSpan.FromMilliseconds(200));
        Assert.Equal(Enumerable.Range(0, totalCpus + 6), many.Results);
        Assert.True(many.MaxConcurrent <= totalCpus, $"{many.MaxConcurrent} tasks ran at once on {totalCpus} declared CPUs");
        Assert.True(many.MaxConcurrent >= (int)fixture.CpusPerNode, $"only {many.MaxConcurrent} tasks ran at once; the declared CPUs were not used");
    }

    [Fact]
    public async Task S3_hundred_thousand_tiny_tasks_all_complete()
    {
        var (sum, _) = await TasksAndObjects.TinyTasksAsync(Grid, 100_000);
        Assert.Equal(100_000L * 99_999 / 2, sum);
    }

    [Fact]
    public async Task S4_put_get_and_a_large_array_read_in_place_by_many_tasks()
    {
        var result = await TasksAndObjects.PutGetAsync(Grid, 100, 8);
        Assert.Equal(10, result.Small);
        Assert.All(result.Lengths, l => Assert.Equal(100L * 1024 * 1024, l));
        Assert.Equal(0, result.Copies);
    }

    [Fact]
    public async Task S5_wait_hands_out_each_result_as_it_completes()
    {
        // The four tasks finish when the test opens their gates, in the order S5's sleeps (1.2, 0, 0.8, 0.4 s) would end
        // them: the first at once, each next one when the loop has processed the one before. Each wait then has exactly
        // one finished task among those it waits on, which it must hand out.
        var run = Guid.NewGuid().ToString("N");
        var f = Grid.Function<string, int, int>(TestFunctions.ReturnWhenOpened, new TaskOptions { NumCpus = 0 });
        var refs = Enumerable.Range(0, 4).Select(i => f.Remote($"{run}-{i}", i)).ToArray();
        int[] opening = [1, 3, 2, 0];
        var step = 0;
        TestFunctions.Gate($"{run}-{opening[0]}").SetResult(true);
        var (sum, order) = await WaitDagMapReduce.ProcessAsTheyCompleteAsync(Grid, refs, _ =>
        {
            if (++step < opening.Length) TestFunctions.Gate($"{run}-{opening[step]}").SetResult(true);
        }).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(6, sum);
        Assert.Equal(opening, order);
    }

    [Fact]
    public async Task S6_dag_of_refs()
    {
        var z = await WaitDagMapReduce.DagAsync(Grid);
        Assert.Equal(100, z.GetLength(0));
        Assert.Equal(100, z.GetLength(1));
        Assert.All(z.Cast<double>(), v => Assert.Equal(0, v));
    }

    [Fact]
    public async Task S7_map_reduce_flat_and_tree()
    {
        Assert.Equal((9900, 9900), await WaitDagMapReduce.MapReduceAsync(Grid));
    }

    [Fact]
    public async Task S8_nested_tasks_and_returned_refs()
    {
        Assert.Equal((285, 49), await WaitDagMapReduce.NestedAsync(Grid));
    }

    [Fact]
    public async Task S9_counters()
    {
        var (one, eleven) = await Actors.CountersAsync(Grid);
        Assert.Equal([1, 1, 1, 1], one);
        Assert.Equal([11, 11, 11, 11], eleven);
    }

    [Fact]
    public async Task S10_one_method_at_a_time_in_submission_order()
    {
        var result = await Actors.OrderingAsync(Grid, TimeSpan.FromMilliseconds(100));
        Assert.Equal(Enumerable.Range(1, 10), result.Returns);
        Assert.Equal(10, result.Final);
        Assert.Equal(1, result.MaxConcurrent);
    }

    [Fact]
    public async Task S12_named_actor_found_from_another_client()
    {
        var other = await fixture.ConnectAnotherClientAsync();
        var name = "counter-" + Guid.NewGuid().ToString("N")[..6];
        Assert.Equal(102, await Actors.NamedActorAsync(Grid, other, name));
    }
}

[Collection("embedded")]
public sealed class EmbeddedScenarioTests(EmbeddedGridFixture fixture) : ScenarioTests(fixture);

[Collection("cluster")]
public sealed class ClusterScenarioTests(ClusterGridFixture fixture) : ScenarioTests(fixture);
