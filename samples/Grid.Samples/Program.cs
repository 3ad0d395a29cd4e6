using Grid;
using Grid.Samples.Data;
using Grid.Samples.Inference;
using Grid.Samples.Scenarios;
using Grid.Silo;

// Runs Ray's first programs. Without arguments, on Grid's embedded mode: a real silo in this
// process, no Redis; the node declares 4 CPUs, as scenario S2 asks. With --address HOST:PORT (or
// "auto" for the cluster started on this machine with `grid start --head`) and optionally
// --password, against that cluster (then S2's timings depend on the CPUs its nodes declare).
// Given `s16`, `s17`, `s18` or `gpu`, only that scenario or check (see below).

// `job` is a small driver for `grid job submit` (Scenarios/JobDriver.cs): it connects through GRID_ADDRESS.
if (args is ["job", ..]) return await JobDriver.RunAsync(args, Console.Out);

// `gpu` checks S16 and S17 on this machine's CUDA devices against the CPU (deploy/gpu/run.sh).
if (args is ["gpu", ..]) return await GpuCheck.RunAsync(Console.Out, withoutCuda: args.Contains("--without-cuda"));

// `s17` runs only S17 (batch inference, TorchSharp and ONNX) on the embedded mode, its node declaring 2 GPUs (CUDA or
// not: without it the models run on the CPU).
if (args is ["s17", ..])
{
    await using var gpus = await GridClient.StartLocalAsync(node => { node.NumCpus = 4; node.NumGpus = 2; });
    await BatchInferenceDemo.RunAsync(gpus, Console.Out);
    return 0;
}
// `s18` runs only S18 (Grid.Data's seed pipeline: Parquet in, map, filter, Parquet out, then batch inference on an
// actor pool) on the embedded mode, its node declaring 4 CPUs, over 100 000 generated documents in a temporary folder.
if (args is ["s18", ..])
{
    await using var data = await GridClient.StartLocalAsync(node => node.NumCpus = 4);
    var folder = Directory.CreateTempSubdirectory("grid-s18-").FullName;
    try
    {
        var run = await S18Pipeline.RunAsync(data, folder, 100_000, Console.Out);
        var same = run.SameRowsAs(S18Pipeline.RunLocally(S18Pipeline.Docs(run.RowsIn)));
        Console.WriteLine($"S18 equal to the same computation with LINQ in one process: {same}");
        return same ? 0 : 1;
    }
    finally
    {
        Directory.Delete(folder, recursive: true);
    }
}
var address = args.SkipWhile(a => a != "--address").Skip(1).FirstOrDefault();
var password = args.SkipWhile(a => a != "--password").Skip(1).FirstOrDefault();

// `s16` runs only S16, the three-stage LLM pipeline (Pipeline.cs). Embedded, its one node declares 3 GPUs, so the
// stages share it unpinned: Grid has no in-process cluster of several nodes outside its tests. Against a cluster with
// three nodes that declare a GPU, each stage is pinned to its own. --weights PATH puts the model file elsewhere than
// the temp folder: somewhere every node reads, for a cluster of several machines.
if (args.Contains("s16"))
{
    var weights = args.SkipWhile(a => a != "--weights").Skip(1).FirstOrDefault() ?? Pipeline.DefaultWeightsPath;
    await using var pipelineGrid = address is null
        ? await GridClient.StartLocalAsync(node => { node.NumCpus = 4; node.NumGpus = 3; })
        : await GridClient.ConnectAsync(address, password);
    if (address is null) Console.WriteLine("S16 pipeline: embedded mode, one node declaring 3 GPUs (no CUDA needed: the models run on the CPU), stages not pinned");
    var same = await Pipeline.RunSampleAsync(pipelineGrid, weights, pin: address is not null, Console.Out);
    return same ? 0 : 1;
}

await using var grid = address is null
    ? await GridClient.StartLocalAsync(node => node.NumCpus = 4)
    : await GridClient.ConnectAsync(address, password);
if (address is not null)
{
    var spread = await Spread.AcrossNodesAsync(grid);
    Console.WriteLine($"S13 cluster: 30 tasks ran on {spread.Count} node(s): {string.Join(", ", spread.Select(kv => $"{kv.Key} x{kv.Value}"))}");
}

Console.WriteLine($"S1 squares: [{string.Join(", ", await TasksAndObjects.SquaresAsync(grid))}]");

var four = await TasksAndObjects.ParallelSleepAsync(grid, 4, TimeSpan.FromSeconds(1));
Console.WriteLine($"S2 parallel sleep: 4 tasks -> [{string.Join(", ", four.Results)}] in {four.Elapsed.TotalSeconds:F1} s (at most {four.MaxConcurrent} at once)");
var ten = await TasksAndObjects.ParallelSleepAsync(grid, 10, TimeSpan.FromSeconds(1));
Console.WriteLine($"S2 parallel sleep: 10 tasks in {ten.Elapsed.TotalSeconds:F1} s (at most {ten.MaxConcurrent} at once)");

var tiny = await TasksAndObjects.TinyTasksAsync(grid, 100_000);
Console.WriteLine($"S3 tiny tasks: 100000 tasks in {tiny.Elapsed.TotalSeconds:F2} s ({100_000 / tiny.Elapsed.TotalSeconds:F0} tasks/s)");

var put = await TasksAndObjects.PutGetAsync(grid, 100, 8);
Console.WriteLine($"S4 put/get: Get(Put(10)) = {put.Small}; a 100 MB array read by {put.Readers} tasks, copied {put.Copies} times");

var wait = await WaitDagMapReduce.WaitAsync(grid, [.. Enumerable.Range(0, 4).Select(_ => Random.Shared.Next(0, 4000))]);
Console.WriteLine($"S5 wait: sleeps [{string.Join(", ", wait.SleepsMs)}] ms, processed in order [{string.Join(", ", wait.CompletionOrder)}], sum {wait.Sum}, {wait.Elapsed.TotalSeconds:F1} s");

var z = await WaitDagMapReduce.DagAsync(grid);
Console.WriteLine($"S6 DAG: z is {z.GetLength(0)}x{z.GetLength(1)}, all zero: {z.Cast<double>().All(v => v == 0)}");

var (flat, tree) = await WaitDagMapReduce.MapReduceAsync(grid);
Console.WriteLine($"S7 map-reduce: flat {flat}, tree {tree}");

var (combined, viaRef) = await WaitDagMapReduce.NestedAsync(grid);
Console.WriteLine($"S8 nested tasks: sum of squares below 10 = {combined}; a returned ref gave {viaRef}");

var (one, eleven) = await Actors.CountersAsync(grid);
Console.WriteLine($"S9 counters: [{string.Join(", ", one)}] then [{string.Join(", ", eleven)}]");

var ordering = await Actors.OrderingAsync(grid, TimeSpan.FromSeconds(1));
Console.WriteLine($"S10 ordering: [{string.Join(", ", ordering.Returns)}], final {ordering.Final}, {ordering.Elapsed.TotalSeconds:F1} s (at most {ordering.MaxConcurrent} at once)");

var named = await Actors.NamedActorAsync(grid, grid, "sample-counter");
Console.WriteLine($"S12 named actor: found by name, incremented to {named}");
return 0;
