using Grid.Inference.Torch;

namespace Grid.Inference;

/// <summary>
/// Loading models onto the device of the task or actor that runs them. Load once, in a model actor's constructor,
/// never per call; a file that is missing or not a model gives a <see cref="ModelLoadException"/> naming it.
/// </summary>
public static class TorchModels
{
    /// <summary>
    /// Loads a TorchSharp state dict (a <c>.dat</c> file written by <c>module.save(path)</c>) into
    /// <paramref name="module"/>, a module defined in C#, moves it to <paramref name="device"/> (by default the
    /// running task's or actor's, see <see cref="GridTorch.TorchDevice"/>) and puts it in evaluation mode.
    /// </summary>
    public static TModule LoadStateDict<TModule>(TModule module, string path, Device? device = null) where TModule : nn.Module
    {
        ArgumentNullException.ThrowIfNull(module);
        Require(path);
        device ??= DefaultDevice();
        try
        {
            module.load(path, strict: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ModelLoadException(path, $"it is not a TorchSharp state dict of {module.GetType().Name} ({e.Message}).", e);
        }
        module.to(device);
        module.eval();
        return module;
    }

    /// <summary>Loads a TorchScript archive (<c>torch.jit.save</c> in Python) onto <paramref name="device"/> (by default the running task's or actor's), in evaluation mode.</summary>
    public static jit.ScriptModule LoadTorchScript(string path, Device? device = null)
    {
        Require(path);
        device ??= DefaultDevice();
        jit.ScriptModule module;
        try
        {
            module = jit.load(path, device);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ModelLoadException(path, $"it is not a TorchScript archive ({e.Message}).", e);
        }
        module.eval();
        return module;
    }

    private static void Require(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new ModelLoadException(path, "there is no such file on this node. Ship it with the job's code or put it where every node can read it.");
        TorchRuntime.EnsureLoaded();
    }

    private static Device DefaultDevice() => GridContext.TryGetCurrent() is { } context ? context.TorchDevice() : CPU;
}
