using System.Collections.Concurrent;
using Apache.Arrow;

namespace Grid.Data.Tests.Integration;

/// <summary>
/// A model of an actor pool test: records, per test tag, the actor each construction ran in (the pool's actors run in
/// this process in the embedded mode and on the in-process cluster), and stamps each row with its actor, node and GPUs.
/// </summary>
public sealed class TaggedModel
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Built = new();
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Second = new();

    public TaggedModel(string tag)
    {
        Tag = tag;
        var built = Built.GetOrAdd(tag, _ => new());
        built.Enqueue(Where());
        if (built.Count >= 2) Gate(tag).TrySetResult();
    }

    public string Tag { get; }

    /// <summary>The actors that built a model of <paramref name="tag"/>, one entry per construction.</summary>
    public static IReadOnlyList<string> Constructions(string tag) => [.. Built.GetOrAdd(tag, _ => new())];

    /// <summary>Completed when a second model of <paramref name="tag"/> is built.</summary>
    private static TaskCompletionSource Gate(string tag) => Second.GetOrAdd(tag, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>This actor, its node and its GPUs, e.g. "actor-id@node/0".</summary>
    private static string Where()
    {
        var context = GridContext.Current;
        return $"{context.ActorId}@{context.NodeId.Value}/{string.Join(',', context.GpuIds)}";
    }

    /// <summary>The batch's Id column and, per row, where it was processed.</summary>
    public RecordBatch Stamp(RecordBatch batch)
    {
        var ids = batch.Get<long>("Id");
        return Columns.Batch(("Id", ids), ("Where", Enumerable.Repeat(Where(), ids.Length).ToArray()));
    }

    /// <summary>
    /// As <see cref="Stamp"/>, once a second model of this tag exists: the first actor stays busy until the pool has
    /// grown, so both actors get blocks whatever the machine's speed (a wait on the construction, not on time).
    /// </summary>
    public RecordBatch StampWhenTwo(RecordBatch batch)
    {
        if (!Gate(Tag).Task.Wait(TimeSpan.FromSeconds(60))) throw new TimeoutException("The pool never built its second actor.");
        return Stamp(batch);
    }

    /// <summary>Throws for the row of id 7 (an error from an actor's batch function).</summary>
    public RecordBatch Fail(RecordBatch batch) =>
        batch.Get<long>("Id").Contains(7) ? throw new InvalidTimeZoneException("the model failed on row 7") : batch;
}

public sealed record Stamped(long Id, string Where);

/// <summary>MapBatches on actor pools: each actor builds its model once, and a GPU pool takes a GPU per actor.</summary>
public abstract class ActorPoolTests(IDataFixture fixture)
{
    protected GridClient Grid => fixture.Grid;

    private static IReadOnlyList<Sale> Sales => TestRows.Sales;

    [Fact]
    public async Task Each_actor_builds_its_model_once()
    {
        var tag = Guid.NewGuid().ToString("N");
        var stamped = await Grid.FromItems(Sales, blocks: 20)
            .MapBatches(() => new TaggedModel(tag), static (TaggedModel m, RecordBatch b) => m.Stamp(b),
                new ActorPoolOptions { MinSize = 1, MaxSize = 3, NumCpus = 0.5, BatchSize = 16 })
            .TakeAllAsync<Stamped>();

        Assert.Equal(Sales.Select(s => s.Id), stamped.Select(s => s.Id));
        var built = TaggedModel.Constructions(tag);
        Assert.InRange(built.Count, 1, 3);
        Assert.Equal(built.Count, built.Distinct().Count()); // no actor built twice
        Assert.Subset(built.ToHashSet(), stamped.Select(s => s.Where).ToHashSet());
        // 20 blocks of 63 calls of 16 rows, and at most 3 constructions: not one per call or per block.
    }

    [Fact]
    public async Task An_actor_function_that_throws_fails_the_dataset_with_the_original_exception()
    {
        var tag = Guid.NewGuid().ToString("N");
        var ds = Grid.FromItems(Sales, blocks: 4)
            .MapBatches(() => new TaggedModel(tag), static (TaggedModel m, RecordBatch b) => m.Fail(b), new ActorPoolOptions { NumCpus = 0.5 });
        var error = await Assert.ThrowsAsync<DatasetOperatorException>(() => ds.CountAsync());
        Assert.Equal("MapBatches(TaggedModel)", error.OperatorName);
        Assert.Equal(0, error.BlockIndex);
        Assert.IsType<InvalidTimeZoneException>(error.InnerException);
    }

    /// <summary>
    /// Embedded, the node declares 2 GPUs: the two actors hold GPU 0 and GPU 1. On the cluster each node declares one:
    /// the two actors hold GPU 0 of two nodes.
    /// </summary>
    [Fact]
    public async Task A_gpu_pool_of_two_uses_two_gpus()
    {
        var tag = Guid.NewGuid().ToString("N");
        var stamped = await Grid.FromItems(Sales, blocks: 10)
            .MapBatches(() => new TaggedModel(tag), static (TaggedModel m, RecordBatch b) => m.StampWhenTwo(b),
                new ActorPoolOptions { MinSize = 1, MaxSize = 2, NumCpus = 1, NumGpus = 1 })
            .TakeAllAsync<Stamped>();

        Assert.Equal(Sales.Select(s => s.Id), stamped.Select(s => s.Id));
        var used = stamped.Select(s => s.Where).Distinct().ToList();
        Assert.Equal(2, used.Count);
        Assert.Equal(used.ToHashSet(), TaggedModel.Constructions(tag).ToHashSet());
        // "actor@node/gpus": one GPU each, and never the same GPU of the same node.
        var gpus = used.Select(w => w[(w.IndexOf('@') + 1)..]).ToList();
        Assert.All(gpus, g => Assert.True(int.TryParse(g[(g.LastIndexOf('/') + 1)..], out _), $"one GPU id: {g}"));
        Assert.Equal(2, gpus.Distinct().Count());
        if (fixture.NodeCount > 1) Assert.Equal(2, gpus.Select(g => g[..g.LastIndexOf('/')]).Distinct().Count());
    }
}

[Collection("data-embedded")]
public sealed class EmbeddedActorPoolTests(EmbeddedDataFixture fixture) : ActorPoolTests(fixture);

[Collection("data-cluster")]
public sealed class ClusterActorPoolTests(ClusterDataFixture fixture) : ActorPoolTests(fixture);
