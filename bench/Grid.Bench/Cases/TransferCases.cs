using Grid.Bench.Baselines;
using Grid.Bench.Harness;
using Grid.ObjectStore;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace Grid.Bench.Cases;

/// <summary>
/// Moving objects between nodes: node B pulls a 1 GiB object from node A's store (the network channel: the bench's
/// silos do not share files), against raw Orleans moving the same bytes as 1 MiB byte[] replies between the same
/// two silos, 4 in flight. Needs the bench's own silos: runs with --cluster only.
/// </summary>
public static class TransferCases
{
    private const int Gib = 1 << 30;
    private const int Message = 1 << 20;

    public static IEnumerable<BenchCase> All(BenchContext ctx, Report report)
    {
        if (ctx.Silos.Count < 2)
        {
            if (ctx.Options.Filter is null || "cross_node_get_gigabytes".Contains(ctx.Options.Filter, StringComparison.OrdinalIgnoreCase))
                report.Note("cross_node_get_gigabytes needs two nodes: run with --cluster");
            yield break;
        }
        var (a, b) = (ctx.Silos[0], ctx.Silos[1]);
        var source = NodeOf(a);
        var sourceStore = a.GetRequiredService<LocalObjectStore>();
        var targetStore = b.GetRequiredService<LocalObjectStore>();
        var puller = b.GetRequiredService<ObjectManager>();
        var blob = b.GetRequiredService<IGrainFactory>().GetGrain<IBaselineBlob>(source.Value);
        var id = ObjectId.New();

        yield return new BenchCase
        {
            Name = "cross_node_get_gigabytes",
            Unit = "GB/s",
            Multiplier = Gib / 1e9,
            Setup = () =>
            {
                var piece = new byte[8 << 20];
                new Random(1).NextBytes(piece);
                using var writer = sourceStore.Create(id, Gib);
                for (long offset = 0; offset < Gib; offset += piece.Length) writer.Write(offset, piece);
                writer.Seal();
                return Task.CompletedTask;
            },
            Grid = async () =>
            {
                using (await puller.PullAsync(id, source, Gib)) { }
                targetStore.Delete(id); // the next pull moves the bytes again
            },
            Baseline = () => Parallel.ForAsync(0, Gib / Message, new ParallelOptions { MaxDegreeOfParallelism = 4 },
                async (_, _) => await blob.Read(Message)),
            Teardown = () =>
            {
                sourceStore.Delete(id);
                targetStore.Delete(id);
                return Task.CompletedTask;
            },
        };
    }

    private static NodeId NodeOf(IServiceProvider silo) => new(silo.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString());
}
