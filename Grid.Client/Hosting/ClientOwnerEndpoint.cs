using Grid.Core;
using Grid.Grains;
using Grid.Wire;

namespace Grid.Hosting;

/// <summary>A client's owner endpoint: an Orleans observer that answers for the client's objects.</summary>
internal sealed class ClientOwnerEndpoint : IClientOwner
{
    public CoreWorker? Worker { get; set; }

    public Task<ObjectPayload> GetObject(ObjectId id) =>
        Worker?.GetOwnedPayload(id) ?? throw new InvalidOperationException("The client is still starting.");
}
