using Grid.Inference;
using Grid.Tests.Objects;
using TorchSharp;
using static TorchSharp.torch;

namespace Grid.Tests.Inference;

/// <summary>A user type with a tensor field.</summary>
public sealed record LabelledTensor(string Label, Tensor Values);

/// <summary>Remote functions and actors of the inference tests.</summary>
public static class TensorFunctions
{
    /// <summary>Twice the tensor, in its dtype.</summary>
    public static Tensor Double(Tensor t) => t * 2;

    public static string Describe(Tensor t) => $"{t.dtype} [{string.Join(",", t.shape)}] {t.device_type}";

    public static double Sum(Tensor t) => t.sum(type: ScalarType.Float64).item<double>();

    public static LabelledTensor Relabel(LabelledTensor value, string label) => value with { Label = label, Values = value.Values + 1 };

    public static (string Node, double Sum) SumWhere(Tensor t) => (GridContext.Current.NodeId.Value, Sum(t));

    /// <summary>Sums a tensor, says it holds it, and keeps holding it until the run's gate opens.</summary>
    public static async Task<double> SumAndHold(Tensor t, string run)
    {
        var sum = Sum(t);
        Interlocked.Increment(ref ObjectTestFunctions.Counter(run).Value);
        await ObjectTestFunctions.Gate(run).Task;
        GC.KeepAlive(t);
        return sum;
    }

    /// <summary>What a task sees: its GPU ids, its torch device, and the threads torch uses on its thread.</summary>
    public static (int[] GpuIds, string Device, int Threads) DeviceSeen(int _) => Seen();

    /// <summary>What the running task or actor method sees (see <see cref="DeviceSeen"/>).</summary>
    public static (int[] GpuIds, string Device, int Threads) Seen()
    {
        var device = GridContext.Current.TorchDevice();
        return ([.. GridContext.Current.GpuIds], device.ToString(), torch.get_num_threads());
    }

    /// <summary>The device a task on these GPU ids must get: cuda:N for the first id when CUDA is here, else the CPU.</summary>
    public static string ExpectedDevice(IReadOnlyList<int> gpuIds) =>
        gpuIds.Count > 0 && torch.cuda.is_available() ? $"cuda:{gpuIds[0]}" : "cpu";
}

/// <summary>An actor that keeps a tensor and answers with it.</summary>
public sealed class TensorHolder(Tensor initial)
{
    private Tensor _held = initial;

    public Tensor Add(Tensor t)
    {
        _held = _held + t;
        return _held;
    }

    public (int[] GpuIds, string Device, int Threads) DeviceSeen() => TensorFunctions.Seen();
}

/// <summary>A small model defined in C#.</summary>
public sealed class TinyNet : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _layer;

    public TinyNet() : base(nameof(TinyNet))
    {
        _layer = nn.Linear(4, 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => _layer.forward(input);
}

/// <summary>A model actor: loads its weights once, in its constructor, and answers each call under <see cref="TorchInference"/>.</summary>
public sealed class TinyModelActor
{
    private readonly TinyNet _model;

    public TinyModelActor(string weights) => _model = TorchModels.LoadStateDict(new TinyNet(), weights);

    public float[] Predict(float[] input) => TorchInference.Run(() => _model.forward(tensor(input).reshape(1, 4)).data<float>().ToArray());
}
