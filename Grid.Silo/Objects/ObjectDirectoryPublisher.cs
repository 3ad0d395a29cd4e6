using Grid.Silo.Diagnostics;
using System.Threading.Channels;
using Grid.ObjectStore;
using Grid.Silo.Gcs;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Objects;

/// <summary>
/// Keeps the GCS object directory in step with this node's store: a location is added when an object is sealed
/// here (put, push, pull or same-host adoption) and removed when it leaves. The directory is how an owner finds
/// every copy to free, and how a reader finds another source. Writes go through one queue, in order (an add
/// never lands after the remove that followed it), off the store's threads.
/// </summary>
internal sealed class ObjectDirectoryPublisher(LocalObjectStore store, IGcs gcs, NodeRuntime node, ILogger<ObjectDirectoryPublisher> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly Channel<(ObjectId Id, long Size)> _changes = Channel.CreateUnbounded<(ObjectId, long)>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _writer;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ObjectDirectoryPublisher), ServiceLifecycleStage.RuntimeServices, Start, Stop);

    private Task Start(CancellationToken cancellationToken)
    {
        store.ObjectSealed += OnSealed;
        store.ObjectRemoved += OnRemoved;
        _writer = Task.Run(WriteAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        store.ObjectSealed -= OnSealed;
        store.ObjectRemoved -= OnRemoved;
        _changes.Writer.TryComplete();
        if (_writer is not null) await _writer.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void OnSealed(ObjectId id, long size) => _changes.Writer.TryWrite((id, size));

    // A size of -1 marks a removal.
    private void OnRemoved(ObjectId id) => _changes.Writer.TryWrite((id, -1));

    private async Task WriteAsync()
    {
        await foreach (var (id, size) in _changes.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                if (size >= 0) await gcs.AddObjectLocationAsync(id, node.NodeId, size).ConfigureAwait(false);
                else await gcs.RemoveObjectLocationAsync(id, node.NodeId).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                NodeLog.DirectoryRecordFailed(logger, e, node.NodeId, size >= 0 ? "holds" : "dropped", id);
            }
        }
    }
}
