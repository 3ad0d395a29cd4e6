namespace Grid.Samples.Scenarios;

/// <summary>
/// A small driver for <c>grid job submit</c> (<c>dotnet Grid.Samples.dll job [options]</c>): connects to the cluster
/// named by GRID_ADDRESS and GRID_PASSWORD (what a head's job supervisor sets), runs tasks, creates an actor and prints
/// what it did. Options: <c>--read FILE</c> prints a file of its working directory (an uploaded one);
/// <c>--exit N</c> exits with code N after its work; <c>--block</c> keeps running (the actor alive) until stopped.
/// </summary>
public static class JobDriver
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var read = args.SkipWhile(a => a != "--read").Skip(1).FirstOrDefault();
        var exit = args.SkipWhile(a => a != "--exit").Skip(1).FirstOrDefault() is { } code ? int.Parse(code, System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (read is not null) await output.WriteLineAsync($"job driver read {read}: {(await File.ReadAllTextAsync(read)).Trim()}");

        await using var grid = await GridClient.ConnectAsync();
        var squares = await TasksAndObjects.SquaresAsync(grid);
        await output.WriteLineAsync($"job driver squares: [{string.Join(", ", squares)}]");
        var counter = await grid.CreateActorAsync(() => new Counter(41, 0, "job-driver"));
        await output.WriteLineAsync($"job driver actor {counter.ActorId} counted to {await counter.Call(c => c.Increment())}");
        await output.FlushAsync();
        if (args.Contains("--block"))
        {
            await output.WriteLineAsync("job driver blocking until stopped");
            await output.FlushAsync();
            await Task.Delay(Timeout.Infinite);
        }
        return exit;
    }
}
