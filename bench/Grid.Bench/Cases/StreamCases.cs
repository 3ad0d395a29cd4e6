using Grid.Bench.Harness;

namespace Grid.Bench.Cases;

/// <summary>
/// Streaming generators: one actor yields small items to one consumer that reads every value. Its baseline is not raw
/// Orleans but the same items fetched by an actor-call loop (one call per item, each awaited), which is what a stream replaces.
/// </summary>
public static class StreamCases
{
    public static IEnumerable<BenchCase> All(BenchContext ctx)
    {
        var grid = ctx.Grid;
        var items = ctx.Options.Batch(1000);
        var producer = new ActorGroup<StreamBenchActor>();
        yield return new BenchCase
        {
            Name = "streaming_generator_items_per_second",
            Multiplier = items,
            Unit = "items/s",
            Setup = () => producer.CreateAsync(grid, 1, () => new StreamBenchActor()),
            Grid = async () =>
            {
                await foreach (var item in producer.Handles[0].CallStream(a => a.Items(items)))
                    using (item) await item;
            },
            Baseline = async () =>
            {
                for (var i = 0; i < items; i++)
                    using (var item = producer.Handles[0].Call(a => a.Item(i))) await item;
            },
            Teardown = producer.KillAsync,
        };
    }
}

/// <summary>Yields small items as a stream, or one per call.</summary>
public sealed class StreamBenchActor
{
    public async IAsyncEnumerable<int> Items(int count)
    {
        for (var i = 0; i < count; i++) yield return i;
        await Task.CompletedTask;
    }

    public int Item(int i) => i;
}
