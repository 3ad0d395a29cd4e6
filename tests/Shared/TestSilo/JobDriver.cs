namespace Grid.TestSilo;

/// <summary>A plain class that becomes the job driver's actor.</summary>
public sealed class JobCounter(int start)
{
    private int _value = start;
    public int Increment() => ++_value;
}

/// <summary>
/// A driver for the job tests (<c>Grid.TestSilo job [--read FILE] [--exit N] [--block]</c>), as samples/Grid.Samples'
/// <c>job</c> mode but shipping only this assembly: tests whose head runs in the test process load the driver's code
/// there, and this assembly references nothing the tests lack. Connects through GRID_ADDRESS and GRID_PASSWORD, runs
/// tasks, creates an actor and prints what it did; <c>--read</c> prints a file of its working directory, <c>--exit</c>
/// exits with that code after its work, <c>--block</c> keeps it (and its actor) running until it is stopped.
/// </summary>
internal static class JobDriver
{
    public static int Square(int x) => x * x;

    public static async Task<int> RunAsync(string[] args)
    {
        var read = args.SkipWhile(a => a != "--read").Skip(1).FirstOrDefault();
        var exit = args.SkipWhile(a => a != "--exit").Skip(1).FirstOrDefault() is { } code ? int.Parse(code, System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (read is not null) Console.WriteLine($"job driver read {read}: {(await File.ReadAllTextAsync(read)).Trim()}");

        await using var grid = await GridClient.ConnectAsync();
        var square = grid.Function<int, int>(Square);
        var squares = await grid.GetAsync(Enumerable.Range(0, 4).Select(i => square.Remote(i)).ToList());
        Console.WriteLine($"job driver squares: [{string.Join(", ", squares)}]");
        var counter = await grid.CreateActorAsync(() => new JobCounter(41));
        Console.WriteLine($"job driver actor {counter.ActorId} counted to {await counter.Call(c => c.Increment())}");
        if (args.Contains("--block"))
        {
            Console.WriteLine("job driver blocking until stopped");
            await Task.Delay(Timeout.Infinite);
        }
        return exit;
    }
}
