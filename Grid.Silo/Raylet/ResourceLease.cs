namespace Grid.Silo.Raylet;

/// <summary>
/// Resources a task or actor holds on a node, returned on disposal. While its task is blocked in a
/// get, the CPUs go back to the node so the work it waits for can run (nested tasks cannot deadlock).
/// </summary>
internal sealed class ResourceLease : IDisposable
{
    private readonly NodeScheduler _raylet;
    private int _released;
    private int _blocked;
    private TaskCompletionSource? _revoked;

    internal ResourceLease(NodeScheduler raylet, ResourceSet resources, int[] gpuIds)
    {
        _raylet = raylet;
        Resources = resources;
        GpuIds = gpuIds;
    }

    public ResourceSet Resources { get; }
    public IReadOnlyList<int> GpuIds { get; internal set; }

    /// <summary>Completes when the lease is taken away: its placement group was removed.</summary>
    public Task Revoked
    {
        get
        {
            Interlocked.CompareExchange(ref _revoked, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);
            return _revoked.Task;
        }
    }

    internal void Revoke()
    {
        _ = Revoked;
        _revoked!.TrySetResult();
    }
    private ResourceSet Cpus => ResourceSet.Of((ResourceSet.Cpu, Resources[ResourceSet.Cpu]));

    /// <summary>Returns the lease's CPUs until the returned scope is disposed (nested blocking gets count once).</summary>
    public IDisposable EnterBlocked()
    {
        if (Interlocked.Increment(ref _blocked) == 1 && Volatile.Read(ref _released) == 0) _raylet.Return(Cpus, [], 0);
        return new BlockedScope(this);
    }

    private void ExitBlocked()
    {
        if (Interlocked.Decrement(ref _blocked) == 0 && Volatile.Read(ref _released) == 0) _raylet.Reclaim(Cpus);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 1) return;
        var held = Volatile.Read(ref _blocked) > 0 ? Resources.Subtract(Cpus) : Resources;
        _raylet.Return(held, [.. GpuIds], Resources[ResourceSet.Gpu]);
    }

    private sealed class BlockedScope(ResourceLease lease) : IDisposable
    {
        private int _done;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) lease.ExitBlocked();
        }
    }
}
