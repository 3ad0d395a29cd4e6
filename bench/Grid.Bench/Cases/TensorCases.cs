using System.Runtime.InteropServices;
using Grid.Bench.Harness;
using Grid.Bench.Workloads;
using TorchSharp;
using static TorchSharp.torch;

namespace Grid.Bench.Cases;

/// <summary>
/// Tensors as Grid objects, beside <c>single_client_put_gigabytes</c>: a float tensor of the same bytes put into the
/// store and got back (a view of the store's memory on this node), each against a memcpy of those bytes; and a model
/// actor's calls merged by a <see cref="Batcher{TIn, TOut}"/> against the same calls one forward pass each.
/// </summary>
public static class TensorCases
{
    public static IEnumerable<BenchCase> All(BenchContext ctx)
    {
        var grid = ctx.Grid;
        var floats = ctx.Options.Quick ? 20_000_000 : 200_000_000; // 80 MB or 800 MB, as single_client_put_gigabytes
        Tensor? values = null;
        byte[]? copy = null;
        ObjectRef<Tensor>? stored = null;

        Task Allocate()
        {
            values = arange(floats, dtype: ScalarType.Float32);
            copy = new byte[floats * 4L];
            return Task.CompletedTask;
        }

        Task Memcpy()
        {
            values!.bytes.CopyTo(copy);
            return Task.CompletedTask;
        }

        Task Release()
        {
            values?.Dispose();
            values = null;
            copy = null;
            return Task.CompletedTask;
        }

        yield return new BenchCase
        {
            Name = "tensor_put_gigabytes",
            Unit = "GB/s",
            Multiplier = floats * 4L / 1e9,
            Setup = Allocate,
            Grid = async () => await ObjectFreeing.FreeAsync(grid, await grid.PutAsync(values!)),
            Baseline = Memcpy,
            Teardown = Release,
        };

        yield return new BenchCase
        {
            Name = "tensor_get_gigabytes",
            Unit = "GB/s",
            Multiplier = floats * 4L / 1e9,
            Setup = async () =>
            {
                await Allocate();
                stored = await grid.PutAsync(values!);
            },
            Grid = async () =>
            {
                using var got = await grid.GetAsync(stored!);
                _ = got.numel();
            },
            Baseline = Memcpy,
            Teardown = async () =>
            {
                await ObjectFreeing.FreeAsync(grid, stored!);
                stored = null;
                await Release();
            },
        };

        // 64 concurrent calls of a 512→512→10 model on one actor: merged into batches of 32 (the Grid figure) against
        // one forward pass per call (the baseline), the same actor, threads and inputs.
        ActorHandle<BatchedModel>? model = null;
        float[][] inputs = [.. Enumerable.Range(0, 64).Select(i => Enumerable.Range(0, BatchedModel.Features).Select(j => (float)((i * 31 + j) % 17)).ToArray())];
        yield return new BenchCase
        {
            Name = "batched_model_calls",
            Multiplier = inputs.Length,
            Setup = async () => model = await grid.CreateActorAsync(() => new BatchedModel(), new ActorOptions { NumCpus = 1 }),
            Grid = () => grid.GetAsync(inputs.Select(x => model!.Call(m => m.Predict(x, CancellationToken.None)))),
            Baseline = () => grid.GetAsync(inputs.Select(x => model!.Call(m => m.PredictOne(x)))),
            Teardown = async () => await model!.KillAsync(),
        };
    }
}

/// <summary>A small classifier behind a batcher: 512 features, a hidden layer of 512, 10 classes.</summary>
public sealed class BatchedModel : IDisposable
{
    public const int Features = 512;
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly Batcher<float[], int> _batcher;
    // A batch runs outside any one call, where GridContext.Current is not set: torch's threads follow the actor's CPUs
    // through the context the constructor saw.
    private readonly GridContext _context = GridContext.Current;

    public BatchedModel()
    {
        var generator = new Generator(1);
        _model = nn.Sequential(nn.Linear(Features, 512), nn.ReLU(), nn.Linear(512, 10));
        foreach (var parameter in _model.parameters()) using (no_grad()) parameter.uniform_(-0.05, 0.05, generator);
        _model.eval();
        _batcher = new Batcher<float[], int>(PredictBatch, new BatcherOptions { MaxBatchSize = 32, MaxWait = TimeSpan.FromMilliseconds(2) });
    }

    public Task<int> Predict(float[] input, CancellationToken cancellationToken) => _batcher.CallAsync(input, cancellationToken);

    public Task<int> PredictOne(float[] input) => Task.FromResult(PredictBatch([input])[0]);

    private IReadOnlyList<int> PredictBatch(IReadOnlyList<float[]> batch)
    {
        Grid.Inference.GridTorch.UseThreads(_context);
        return Grid.Inference.TorchInference.Run(() => Forward(batch));
    }

    private int[] Forward(IReadOnlyList<float[]> batch)
    {
        var rows = new float[batch.Count * Features];
        for (var i = 0; i < batch.Count; i++) batch[i].CopyTo(rows, i * Features);
        var classes = _model.forward(tensor(rows).reshape(batch.Count, Features)).argmax(1);
        return classes.data<long>().Select(c => (int)c).ToArray();
    }

    public void Dispose() => _batcher.Dispose();
}
