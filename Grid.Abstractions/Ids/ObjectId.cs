using System.Security.Cryptography;
using System.Threading;

namespace Grid;

/// <summary>
/// Identity of an object in Grid: a task's return value or a put value.
/// A process-random prefix plus a counter makes ids unique without coordination and cheap to mint
/// (no Guid generation on the task hot path).
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct ObjectId([property: Id(0)] ulong Hi, [property: Id(1)] ulong Lo)
{
    private static readonly ulong ProcessPrefix = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private static long _counter;

    public static ObjectId New() => new(ProcessPrefix, (ulong)Interlocked.Increment(ref _counter));

    /// <summary>
    /// The id of return <paramref name="index"/> of the task whose id is <paramref name="task"/> (Ray's per-return object
    /// ids): index 0 is the task's own id, so a task of one return is unchanged. Index i &gt; 0 keeps the task's counter
    /// and changes its prefix by i times an odd constant: distinct for every index, derived without coordination by any
    /// process that knows the task id, and as unlikely to meet another process's ids as a random prefix is.
    /// </summary>
    public static ObjectId ForReturn(ObjectId task, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return index == 0 ? task : new(task.Hi ^ ((ulong)index * 0x9E3779B97F4A7C15UL), task.Lo);
    }

    public static ObjectId Parse(string text) =>
        new(Convert.ToUInt64(text[..16], 16), Convert.ToUInt64(text[16..], 16));

    public override string ToString() => $"{Hi:x16}{Lo:x16}";
}

/// <summary>Identity of an actor; also the key of the actor-host grain that hosts it.</summary>
[GenerateSerializer, Immutable]
public readonly record struct ActorId([property: Id(0)] string Value)
{
    public static ActorId New() => new(Guid.NewGuid().ToString("N"));
    public override string ToString() => Value;
}

/// <summary>Identity of a node: the parsable address of its silo.</summary>
[GenerateSerializer, Immutable]
public readonly record struct NodeId([property: Id(0)] string Value)
{
    public override string ToString() => Value;
}

/// <summary>Identity of a job: one driver connection (a GridClient) and everything it submits.</summary>
[GenerateSerializer, Immutable]
public readonly record struct JobId([property: Id(0)] string Value)
{
    public static JobId New() => new(Guid.NewGuid().ToString("N")[..12]);
    public override string ToString() => Value;
}
