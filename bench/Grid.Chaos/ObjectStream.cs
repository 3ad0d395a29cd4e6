namespace Grid.Chaos;

/// <summary>
/// Large objects through the run: each round puts an array of <see cref="ChaosOptions.ObjectMegabytes"/>
/// MiB, has a task on some node pull and check it, gets it back and checks every element, then frees it.
/// Round r starts once r/rounds of the tasks have settled, so the rounds spread over the run and its faults.
/// </summary>
public sealed class ObjectStream(GridClient grid, ChaosOptions options)
{
    public int Rounds => options.ObjectRounds;
    public int Succeeded { get; private set; }
    public FailureCounts Failed { get; } = new();

    public async Task RunAsync(Func<double> progress, CancellationToken cancellationToken)
    {
        var check = grid.Function<int, long[], int>(ChaosWork.CheckLargeArray);
        for (var round = 0; round < options.ObjectRounds; round++)
        {
            try
            {
                while (progress() < (double)round / options.ObjectRounds) await Task.Delay(50, cancellationToken);
                var array = ChaosWork.LargeArray(round, options.ObjectMegabytes);
                using var stored = await grid.PutAsync(array, cancellationToken);
                var length = await grid.GetAsync(check.Remote(round, stored), cancellationToken: cancellationToken);
                var back = await grid.GetAsync(stored, cancellationToken: cancellationToken);
                if (length != array.Length || !back.AsSpan().SequenceEqual(array))
                    throw new InvalidDataException($"Large array of round {round} came back different.");
                Succeeded++;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { return; }
            catch (Exception e) { Failed.Add(e); }
        }
    }
}
