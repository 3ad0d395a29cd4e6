namespace Grid.Inference;

/// <summary>
/// Runs model code for inference: without autograd (<c>torch.no_grad()</c>) and inside a dispose scope, so the
/// intermediate tensors of each call are freed at its end and native memory does not grow per call; with torch's
/// threads set to the running task's or actor's CPUs.
/// </summary>
public static class TorchInference
{
    /// <summary>Runs <paramref name="forward"/>; the tensor it returns outlives the call (dispose it, or let Grid send it), every other tensor it made is freed.</summary>
    public static Tensor Run(Func<Tensor> forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        GridTorch.UseThreads();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return forward().MoveToOuterDisposeScope();
    }

    /// <summary>Runs <paramref name="forward"/> and returns what it computed from the tensors (an array, a number, text); every tensor it made is freed.</summary>
    public static TResult Run<TResult>(Func<TResult> forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        GridTorch.UseThreads();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return forward();
    }
}
