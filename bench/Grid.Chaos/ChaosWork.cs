namespace Grid.Chaos;

/// <summary>The code the chaos run's client ships to the nodes: short tasks, a checksum of a large array, and an ordered actor.</summary>
public static class ChaosWork
{
    /// <summary>The value task <paramref name="index"/> must return; the client checks every result against it.</summary>
    public static long Expected(int index) => index * 3L + 1;

    /// <summary>How long task <paramref name="index"/> works: 1–5 ms, spread evenly over the run.</summary>
    public static int WorkMilliseconds(int index) => 1 + index % 5;

    /// <summary>A short task: blocks its CPU slot for <paramref name="milliseconds"/>, as 1–5 ms of real work would.</summary>
    public static long Work(int index, int milliseconds)
    {
        Thread.Sleep(milliseconds);
        return Expected(index);
    }

    /// <summary>
    /// A task that depends on an earlier one: it runs only once <paramref name="earlier"/> (the result of
    /// task <paramref name="earlierIndex"/>) is ready, and fails if that value is not the expected one.
    /// </summary>
    public static long WorkAfter(int index, int milliseconds, int earlierIndex, long earlier)
    {
        if (earlier != Expected(earlierIndex))
            throw new InvalidOperationException($"Task {index} received {earlier} as the result of task {earlierIndex}, expected {Expected(earlierIndex)}.");
        return Work(index, milliseconds);
    }

    /// <summary>The contents of large-object round <paramref name="round"/>: element i is round × 2^32 + i.</summary>
    public static long[] LargeArray(int round, int megabytes)
    {
        var array = new long[megabytes * 1024L * 1024 / sizeof(long)];
        var basis = (long)round << 32;
        for (var i = 0; i < array.Length; i++) array[i] = basis + i;
        return array;
    }

    /// <summary>Checks a large array where it runs (the node pulls it from the store that holds it); returns its length.</summary>
    public static int CheckLargeArray(int round, long[] array)
    {
        var basis = (long)round << 32;
        for (var i = 0; i < array.Length; i++)
            if (array[i] != basis + i)
                throw new InvalidOperationException($"Large array of round {round} differs at element {i}: {array[i]} instead of {basis + i}.");
        return array.Length;
    }
}

/// <summary>One call of the ordered actor stream as the actor saw it.</summary>
/// <param name="Sequence">The caller's sequence number of the call.</param>
/// <param name="Previous">The sequence number of the call this incarnation of the actor ran before (−1 for its first).</param>
/// <param name="Incarnation">Which construction of the actor ran the call: a restart runs the constructor again.</param>
/// <param name="Node">The node the actor ran on.</param>
public sealed record ActorStep(int Sequence, int Previous, Guid Incarnation, string Node);

/// <summary>An actor that records the order of its calls: each call returns its own sequence number and the one before it.</summary>
public sealed class SequenceActor
{
    private readonly Guid _incarnation = Guid.NewGuid();
    private int _last = -1;

    public ActorStep Step(int sequence)
    {
        var step = new ActorStep(sequence, _last, _incarnation, GridContext.Current.NodeId.Value);
        _last = sequence;
        return step;
    }
}
