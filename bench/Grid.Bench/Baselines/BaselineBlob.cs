using Grid.Grains;
using Orleans.Concurrency;

namespace Grid.Bench.Baselines;

/// <summary>
/// The raw-Orleans counterpart of moving an object between nodes: 1 MiB byte[] replies from a grain pinned to
/// the source node (keyed by its node id), read from the other node.
/// </summary>
public interface IBaselineBlob : IGrainWithStringKey
{
    [AlwaysInterleave] Task<byte[]> Read(int length);
}

[NodePinnedPlacement, Reentrant]
internal sealed class BaselineBlob : Grain, IBaselineBlob
{
    private byte[] _bytes = [];

    // The same array every time, as a store grain would hand out a copy of its chunk: what is measured is the message.
    public Task<byte[]> Read(int length)
    {
        if (_bytes.Length != length) _bytes = new byte[length];
        return Task.FromResult(_bytes);
    }
}
