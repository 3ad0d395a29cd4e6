using System.Diagnostics;

namespace Grid.Samples.Scenarios;

/// <summary>S5–S8: wait, task graphs, map-reduce, nested tasks.</summary>
public static class WaitDagMapReduce
{
    public static int SleepFor(int i, int milliseconds)
    {
        Thread.Sleep(milliseconds);
        return i;
    }

    public sealed record WaitResultSummary(int Sum, int[] CompletionOrder, int[] SleepsMs, TimeSpan Elapsed);

    /// <summary>S5: process each result as soon as it is ready with Wait(numReturns: 1).</summary>
    public static async Task<WaitResultSummary> WaitAsync(GridClient grid, int[] sleepsMs)
    {
        var f = grid.Function<int, int, int>(SleepFor);
        var clock = Stopwatch.StartNew();
        var (sum, order) = await ProcessAsTheyCompleteAsync(grid, [.. sleepsMs.Select((ms, i) => f.Remote(i, ms))]);
        return new WaitResultSummary(sum, order, sleepsMs, clock.Elapsed);
    }

    /// <summary>
    /// S5's loop: wait for any one result, process it (<paramref name="processed"/>, if given, sees each value), wait
    /// for the rest; returns the sum and the order processed.
    /// </summary>
    public static async Task<(int Sum, int[] Order)> ProcessAsTheyCompleteAsync(GridClient grid, IReadOnlyList<ObjectRef<int>> refs, Action<int>? processed = null)
    {
        var pending = refs;
        var sum = 0;
        var order = new List<int>();
        while (pending.Count > 0)
        {
            var (ready, notReady) = await grid.WaitAsync(pending, numReturns: 1);
            var value = await ready[0];
            order.Add(value);
            sum += value;
            processed?.Invoke(value);
            pending = [.. notReady];
        }
        return (sum, [.. order]);
    }

    public static double[,] Zeros(int rows, int columns) => new double[rows, columns];

    public static double[,] Multiply(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), m = b.GetLength(1), k = a.GetLength(1);
        var c = new double[n, m];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < m; j++)
            {
                double s = 0;
                for (var t = 0; t < k; t++) s += a[i, t] * b[t, j];
                c[i, j] = s;
            }
        return c;
    }

    /// <summary>S6: z = multiply(x, y) is submitted at once with refs and runs when both are ready.</summary>
    public static async Task<double[,]> DagAsync(GridClient grid)
    {
        var zeros = grid.Function<int, int, double[,]>(Zeros);
        var multiply = grid.Function<double[,], double[,], double[,]>(Multiply);
        var x = zeros.Remote(100, 100);
        var y = zeros.Remote(100, 100);
        var z = multiply.Remote(x, y);
        return await z;
    }

    public static int Double(int i) => 2 * i;
    public static int Sum(int[] values) => values.Sum();

    /// <summary>A reduce task that receives refs (nested in an array, so they stay refs) and gets them itself.</summary>
    public static async Task<int> SumRefs(ObjectRef<int>[] parts) => (await GridContext.Current.Grid.GetAsync(parts)).Sum();

    /// <summary>S7: map i => 2i over 0..99, then reduce all at once and as a tree (5 groups of 20).</summary>
    public static async Task<(int Flat, int Tree)> MapReduceAsync(GridClient grid)
    {
        var map = grid.Function<int, int>(Double);
        var reduce = grid.Function<ObjectRef<int>[], int>(SumRefs);
        var sum = grid.Function<int[], int>(Sum);
        var mapped = Enumerable.Range(0, 100).Select(i => map.Remote(i)).ToArray();
        var flat = reduce.Remote(mapped);
        var partials = mapped.Chunk(20).Select(group => reduce.Remote(group)).ToArray();
        var tree = reduce.Remote(partials);
        var direct = sum.Remote(await grid.GetAsync(mapped));
        if (await direct != await flat) throw new InvalidOperationException("Reducing values and reducing refs disagree.");
        return (await flat, await tree);
    }

    /// <summary>A task that submits tasks of its own and combines their results.</summary>
    public static async Task<int> SumOfSquares(int n)
    {
        var grid = GridContext.Current.Grid;
        var square = grid.Function<int, int>(TasksAndObjects.Square);
        return (await grid.GetAsync(Enumerable.Range(0, n).Select(i => square.Remote(i)).ToList())).Sum();
    }

    /// <summary>A task that returns a ref, which its caller then gets.</summary>
    public static ObjectRef<int> SquareLater(int x) =>
        GridContext.Current.Grid.Function<int, int>(TasksAndObjects.Square).Remote(x);

    /// <summary>S8: nested tasks, and a task returning a ref.</summary>
    public static async Task<(int Combined, int ViaRef)> NestedAsync(GridClient grid)
    {
        var combined = await grid.Function<int, int>(SumOfSquares).Remote(10);
        var inner = await grid.Function<int, ObjectRef<int>>(SquareLater).Remote(7);
        return (combined, await inner);
    }
}
