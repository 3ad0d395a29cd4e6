namespace Grid.Chaos;

/// <summary>
/// Large objects through the run. Each round puts an array of <see cref="ChaosOptions.ObjectMegabytes"/> MiB, has a
/// task on some node pull and check it, gets it back and checks every element, then frees it. A put's only copy can die
/// with its node: that is an <see cref="ObjectLostException"/> by design (nothing can rebuild a put), counted apart, and
/// the round is done again. Each round also has a task make a 1 MiB array, kept until the rounds end and then got and
/// checked: those whose only copy died with a killed node are rebuilt by their owner (this client) from lineage.
/// Round r starts once r/rounds of the tasks have settled, so the rounds spread over the run and its faults.
/// </summary>
public sealed class ObjectStream(GridClient grid, ChaosOptions options)
{
    public int Rounds => options.ObjectRounds;
    public int Succeeded { get; private set; }
    /// <summary>Puts whose only copy died with a killed node (the round was done again).</summary>
    public int PutsLost { get; private set; }
    /// <summary>Task-made arrays got back and checked at the end.</summary>
    public int MadeVerified { get; private set; }
    public FailureCounts Failed { get; } = new();

    public async Task RunAsync(Func<double> progress, CancellationToken cancellationToken)
    {
        var check = grid.Function<int, long[], int>(ChaosWork.CheckLargeArray);
        var make = grid.Function<int, int, long[]>(ChaosWork.LargeArray);
        var made = new List<(int Round, ObjectRef<long[]> Array)>();
        for (var round = 0; round < options.ObjectRounds; round++)
        {
            try
            {
                while (progress() < (double)round / options.ObjectRounds) await Task.Delay(50, cancellationToken);
                var array = ChaosWork.LargeArray(round, options.ObjectMegabytes);
                while (true)
                {
                    try
                    {
                        await PutAndCheckAsync(check, round, array, cancellationToken);
                        break;
                    }
                    catch (ObjectLostException) when (PutsLost < options.ObjectRounds)
                    {
                        PutsLost++;
                    }
                }
                made.Add((round, make.Remote(round, MadeMegabytes)));
                Succeeded++;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { return; }
            catch (Exception e) { Failed.Add(e); }
        }
        foreach (var (round, array) in made)
        {
            try
            {
                using var result = array;
                var back = await grid.GetAsync(result, cancellationToken: cancellationToken);
                if (back.AsSpan().SequenceEqual(ChaosWork.LargeArray(round, MadeMegabytes))) MadeVerified++;
                else throw new InvalidDataException($"The array a task made in round {round} came back different.");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { return; }
            catch (Exception e) { Failed.Add(e); }
        }
    }

    /// <summary>The size of the arrays tasks make, kept through the run (100 rounds: 100 MiB).</summary>
    private const int MadeMegabytes = 1;

    private async Task PutAndCheckAsync(RemoteFunction<int, long[], int> check, int round, long[] array, CancellationToken cancellationToken)
    {
        using var stored = await grid.PutAsync(array, cancellationToken);
        var length = await grid.GetAsync(check.Remote(round, stored), cancellationToken: cancellationToken);
        var back = await grid.GetAsync(stored, cancellationToken: cancellationToken);
        if (length != array.Length || !back.AsSpan().SequenceEqual(array))
            throw new InvalidDataException($"Large array of round {round} came back different.");
    }
}
