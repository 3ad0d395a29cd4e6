using Grid.Inference.Tensors;
using Grid.Testing;
using Grid.Tests.Fixtures;
using Grid.Tests.Objects;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Grid.Tests.Inference;

/// <summary>
/// Torch tensors as Grid values: every dtype, any shape, contiguous or not, as puts, task and actor arguments and
/// results, and fields of user types; large ones through the object store.
/// </summary>
public abstract class TensorValueTests(IGridFixture fixture)
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    protected GridClient Grid => fixture.Grid;

    public static readonly ScalarType[] DTypes =
    [
        ScalarType.Byte, ScalarType.Int8, ScalarType.Int16, ScalarType.Int32, ScalarType.Int64, ScalarType.Float16, ScalarType.BFloat16,
        ScalarType.Float32, ScalarType.Float64, ScalarType.ComplexFloat32, ScalarType.ComplexFloat64, ScalarType.Bool,
    ];

    /// <summary>Values of every dtype, seeded so both sides of a comparison hold the same.</summary>
    public static Tensor Sample(ScalarType dtype, params long[] shape)
    {
        var generator = new Generator(42);
        var real = randn(shape, ScalarType.Float64, generator: generator) * 50;
        return dtype switch
        {
            ScalarType.Bool => real.gt(0),
            ScalarType.Byte => real.abs().to_type(dtype),
            ScalarType.ComplexFloat32 or ScalarType.ComplexFloat64 => complex(real, real * -3).to_type(dtype),
            _ => real.to_type(dtype),
        };
    }

    private static void AssertSame(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(DeviceType.CPU, actual.device_type);
        Assert.True(expected.eq(actual).all().item<bool>(), $"values of a {expected.dtype} tensor of shape [{string.Join(",", expected.shape)}] differ");
    }

    [Fact]
    public async Task Every_dtype_round_trips_through_put_and_get_with_its_shape_and_values()
    {
        foreach (var dtype in DTypes)
        {
            var value = Sample(dtype, 3, 5, 2);
            AssertSame(value, await Grid.GetAsync(await Grid.PutAsync(value), Timeout));
        }
    }

    [Fact]
    public async Task Zero_d_empty_and_non_contiguous_tensors_round_trip_and_requires_grad_travels()
    {
        var scalar = tensor(3.5);
        var empty = zeros(0, 3, dtype: ScalarType.Int32);
        var transposed = arange(12, dtype: ScalarType.Float32).reshape(3, 4).t();
        var strided = arange(40, dtype: ScalarType.Int64).reshape(4, 10)[TensorIndex.Colon, TensorIndex.Slice(1, null, 3)];
        Assert.False(transposed.is_contiguous());
        Assert.False(strided.is_contiguous());
        var learnable = ones(2, 2).requires_grad_(true);

        foreach (var value in new[] { scalar, empty, transposed, strided, learnable })
        {
            var back = await Grid.GetAsync(await Grid.PutAsync(value), Timeout);
            AssertSame(value.detach(), back.detach());
            Assert.Equal(value.requires_grad, back.requires_grad);
        }
        Assert.Empty((await Grid.GetAsync(await Grid.PutAsync(scalar), Timeout)).shape);
    }

    [Fact]
    public async Task Tensors_are_arguments_and_results_of_tasks_and_actors()
    {
        var value = Sample(ScalarType.Float32, 4, 3).t();
        var doubled = await Grid.Function<Tensor, Tensor>(TensorFunctions.Double).Remote(value).GetAsync(Timeout);
        AssertSame(value * 2, doubled);
        Assert.Equal("Int16 [2,7] CPU", await Grid.Function<Tensor, string>(TensorFunctions.Describe).Remote(Sample(ScalarType.Int16, 2, 7)).GetAsync(Timeout));

        var holder = await Grid.CreateActorAsync(() => new TensorHolder(ones(2, 3, dtype: ScalarType.Float64)));
        await holder.Call(h => h.Add(Sample(ScalarType.Float64, 2, 3))).GetAsync(Timeout);
        var held = await holder.Call(h => h.Add(ones(2, 3, dtype: ScalarType.Float64))).GetAsync(Timeout);
        AssertSame(Sample(ScalarType.Float64, 2, 3) + 2, held);
        await holder.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_tensor_in_a_field_of_a_user_type_and_in_a_list_travels()
    {
        var value = new LabelledTensor("raw", Sample(ScalarType.Int32, 5));
        var relabelled = await Grid.Function<LabelledTensor, string, LabelledTensor>(TensorFunctions.Relabel).Remote(value, "plus one").GetAsync(Timeout);
        Assert.Equal("plus one", relabelled.Label);
        AssertSame(value.Values + 1, relabelled.Values);

        List<Tensor> list = [Sample(ScalarType.Float32, 2), Sample(ScalarType.Bool, 3, 3)];
        var back = await Grid.GetAsync(await Grid.PutAsync(list), Timeout);
        AssertSame(list[0], back[0]);
        AssertSame(list[1], back[1]);
    }

    [Fact]
    public async Task A_200MB_tensor_round_trips_and_is_read_by_a_task_on_every_node()
    {
        var big = arange(50 * 1024 * 1024, dtype: ScalarType.Float32).remainder(1000); // 200 MB
        var expected = big.sum(type: ScalarType.Float64).item<double>();
        var stored = await Grid.PutAsync(big);
        AssertSame(big, await Grid.GetAsync(stored, Timeout));

        var sums = await Grid.GetAsync(
            (await Grid.GetNodesAsync()).Select(n => Grid.Function<Tensor, (string, double)>(TensorFunctions.SumWhere,
                new TaskOptions { Scheduling = SchedulingStrategy.NodeAffinity(n.NodeId) }).Remote(stored)), Timeout);
        Assert.Equal(fixture.NodeCount, sums.Select(s => s.Item1).Distinct().Count());
        Assert.All(sums, s => Assert.Equal(expected, s.Item2));
    }
}

[Collection("embedded")]
public sealed class EmbeddedTensorValueTests(EmbeddedGridFixture fixture, ITestOutputHelper output) : TensorValueTests(fixture)
{
    private const long TensorBytes = 25L * 1024 * 1024 * 4; // 100 MB of floats

    [Fact]
    public async Task Twenty_tasks_reading_one_100MB_tensor_on_its_node_view_the_store_without_copies()
    {
        var run = Guid.NewGuid().ToString("N");
        var values = ones(25 * 1024 * 1024, dtype: ScalarType.Float32);
        var data = await Grid.PutAsync(values);
        values.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var pinsBefore = TensorViews.PinCount;
        var before = ResidentBytes();

        var sum = Grid.Function<Tensor, string, double>(TensorFunctions.SumAndHold, new TaskOptions { NumCpus = 0 });
        var refs = Enumerable.Range(0, 20).Select(_ => sum.Remote(data, run)).ToArray();
        await Eventually.WaitAsync(() => Volatile.Read(ref ObjectTestFunctions.Counter(run).Value) == 20, TimeSpan.FromMinutes(2), "20 tasks holding their tensors");
        var during = ResidentBytes();
        var pinsDuring = TensorViews.PinCount;
        ObjectTestFunctions.Gate(run).SetResult();

        Assert.All(await Grid.GetAsync(refs, Timeout), s => Assert.Equal(25 * 1024 * 1024, s));
        output.WriteLine($"RSS before {before / 1e6:F0} MB, with 20 readers {during / 1e6:F0} MB; store pins held by tensors {pinsBefore} -> {pinsDuring}");
        Assert.True(pinsDuring - pinsBefore >= 20, $"{pinsDuring - pinsBefore} of 20 tensors view the store's memory; the others are copies");
        Assert.True(during - before < 3 * TensorBytes, $"RSS grew by {(during - before) / 1e6:F0} MB while 20 tasks held one 100 MB tensor; views should add almost nothing");
    }

    [CudaFact]
    public async Task A_tensor_on_a_GPU_travels_as_a_CPU_copy_of_its_values()
    {
        var onGpu = Sample(ScalarType.Float32, 3, 3).cuda();
        var back = await Grid.GetAsync(await Grid.PutAsync(onGpu), Timeout);
        AssertSameOnCpu(onGpu.cpu(), back);
    }

    private static void AssertSameOnCpu(Tensor expected, Tensor actual)
    {
        Assert.Equal(DeviceType.CPU, actual.device_type);
        Assert.True(expected.eq(actual).all().item<bool>());
    }

    private static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]) * 1024;
        throw new InvalidOperationException("/proc/self/status has no VmRSS line.");
    }
}

[Collection("cluster")]
public sealed class ClusterTensorValueTests(ClusterGridFixture fixture) : TensorValueTests(fixture);
