namespace Grid;

/// <summary>
/// Moving an object between nodes failed part-way: the source node went away, stopped answering within the
/// transfer timeout, or sent bytes that failed their checksum. Names the node and the object; getting the object
/// again retries the transfer (from another copy when there is one).
/// </summary>
[GenerateSerializer]
public sealed class ObjectTransferException : GridException
{
    public ObjectTransferException(string message, string node, string objectId, Exception? inner = null) : base(message, inner)
    {
        Node = node;
        ObjectId = objectId;
    }

    /// <summary>The node the object was being read from.</summary>
    [Id(0)] public string Node { get; }

    /// <summary>The object being moved.</summary>
    [Id(1)] public string ObjectId { get; }
}
