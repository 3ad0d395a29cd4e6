namespace Grid.Data.Execution;

/// <summary>
/// A lock and a task that completes at the next change made under it: a waiter reads <see cref="Next"/> under
/// <see cref="Lock"/> when its condition fails, then awaits it and checks again (no change is missed in between).
/// </summary>
internal sealed class ChangeSignal
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Lock Lock { get; } = new();

    /// <summary>Completes at the next <see cref="Change"/>; read it under <see cref="Lock"/>.</summary>
    public Task Next => _changed.Task;

    public void Change(Action change)
    {
        TaskCompletionSource changed;
        lock (Lock)
        {
            change();
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }
}
