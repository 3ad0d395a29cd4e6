namespace Grid.ObjectStore;

/// <summary>
/// Hands out a node's transfer-channel endpoint. Keyed by the node's id and pinned to it, like the store grain;
/// a separate grain so the channel can evolve without touching the store's contract.
/// </summary>
internal interface IObjectTransferGrain : IGrainWithStringKey
{
    /// <summary>The node's channel (machine, port, token); null when it has none (turned off, or it could not listen).</summary>
    [AlwaysInterleave] Task<TransferEndpoint?> GetEndpoint();
}
