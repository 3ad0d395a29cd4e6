using TorchSharp;

namespace Grid.Tests.Inference;

/// <summary>A test that needs a CUDA device: reported as skipped (not passed) where torch sees none.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!torch.cuda.is_available()) Skip = "needs a CUDA device; this machine has none (runs on the GPU machine, see deploy/gpu)";
    }
}
