namespace Grid.ObjectStore;

internal sealed partial class LocalObjectStore
{
    /// <summary>
    /// Raised when an object becomes readable here (sealed after a put, a push or a pull, or adopted from another
    /// store's file), with its size: the node publishes it to the GCS object directory. Handlers must not block.
    /// </summary>
    public event Action<ObjectId, long>? ObjectSealed;

    /// <summary>Raised when a sealed object leaves this store (freed or the store closed). Handlers must not block.</summary>
    public event Action<ObjectId>? ObjectRemoved;

    private void RaiseSealed(ObjectId id, long size)
    {
        try { ObjectSealed?.Invoke(id, size); }
        catch (Exception e) { Log.HandlerFailed(_logger, e, id); }
    }

    private void RaiseRemoved(ObjectId id)
    {
        try { ObjectRemoved?.Invoke(id); }
        catch (Exception e) { Log.HandlerFailed(_logger, e, id); }
    }
}
