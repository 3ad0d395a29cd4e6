namespace Grid;

/// <summary>
/// A put found a bounded <see cref="GridQueue{T}"/> full: a no-wait put (<c>PutNowaitAsync</c>, a batch that does not
/// fit) or a put whose timeout passed before a get made room (Ray's <c>queue.Full</c>). Nothing was put.
/// </summary>
[GenerateSerializer]
public sealed class QueueFullException : GridException
{
    public QueueFullException(string message) : base(message) { }
}

/// <summary>
/// A get found the <see cref="GridQueue{T}"/> empty: a no-wait get (<c>GetNowaitAsync</c>, a batch larger than the
/// queue holds) or a get whose timeout passed before an item came (Ray's <c>queue.Empty</c>). Nothing was taken, and
/// an item put later goes to a later get.
/// </summary>
[GenerateSerializer]
public sealed class QueueEmptyException : GridException
{
    public QueueEmptyException(string message) : base(message) { }
}
