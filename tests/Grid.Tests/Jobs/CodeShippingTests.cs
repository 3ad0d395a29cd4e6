using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Grid.Grains;
using Grid.Hosting;
using Grid.Jobs;
using Grid.Silo.Jobs;
using Grid.Tests.Fixtures;
using Grid.Wire;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Grid.Tests.Jobs;

/// <summary>
/// Code travels with the job: each client ships its own build of the same assembly, and the
/// cluster's nodes run each job's tasks and actors against that job's build, side by side.
/// </summary>
[Collection("cluster")]
public sealed class CodeShippingTests(ClusterGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private Task<GridClient> ConnectShippingAsync(ShippedBuild build) =>
        fixture.ConnectClientAsync(new GridClientOptions { Code = new JobCodeOptions { Assemblies = [build.Assembly] } });

    private JobCodeRegistry[] Registries => fixture.Cluster.Silos
        .Select(s => ((InProcessSiloHandle)s).ServiceProvider.GetRequiredService<JobCodeRegistry>()).ToArray();

    [Fact]
    public async Task Each_job_runs_its_own_build_of_the_same_assembly_at_the_same_time()
    {
        await using var v1 = await ConnectShippingAsync(ShippedBuild.V1);
        await using var v2 = await ConnectShippingAsync(ShippedBuild.V2);

        async Task<string[]> RunAsync(GridClient grid, ShippedBuild build)
        {
            var version = grid.Function(build.VersionFunction);
            var describe = grid.Function(build.DescribeFunction);
            // Enough tasks that every node runs some of both jobs.
            var versions = Enumerable.Range(0, 24).Select(_ => version.Remote()).ToArray();
            var described = Enumerable.Range(0, 6).Select(i => describe.Remote(new object[] { build.NewStamp(i) })).ToArray();
            var counter = await grid.CreateActorAsync(build.NewCounter(10));
            var first = counter.Call(c => c.Format("add", 5, null));
            var second = counter.Call(c => c.Format("add", 1, null));
            return [.. await grid.GetAsync(versions, Timeout), .. await grid.GetAsync(described, Timeout), await first.GetAsync(Timeout), await second.GetAsync(Timeout)];
        }

        var results = await Task.WhenAll(RunAsync(v1, ShippedBuild.V1), RunAsync(v2, ShippedBuild.V2));

        foreach (var (build, got) in new[] { (ShippedBuild.V1, results[0]), (ShippedBuild.V2, results[1]) })
        {
            var v = build.Version;
            string[] expected = [.. Enumerable.Repeat(v, 24), .. Enumerable.Range(0, 6).Select(i => $"{v} read {v}:{i}"), $"{v}:15", $"{v}:16"];
            Assert.Equal(expected, got);
        }
        var jobs = await Task.WhenAll(v1.Worker.Grains.GetGrain<IGcsGrain>(0).GetJob(v1.JobId), v2.Worker.Grains.GetGrain<IGcsGrain>(0).GetJob(v2.JobId));
        Assert.All(jobs, j => Assert.Equal(JobStatus.Running, j!.Status));
        Assert.NotEqual(jobs[0]!.CodePackage, jobs[1]!.CodePackage);
    }

    [Fact]
    public async Task A_package_is_uploaded_once_and_reused_by_the_next_job_of_the_same_build()
    {
        var uploads = new ConcurrentDictionary<string, long>();
        var reuses = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == JobMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var table = instrument.Name switch { "grid.jobs.package_uploads" => uploads, "grid.jobs.package_reuses" => reuses, _ => null };
            foreach (var tag in tags)
                if (table is not null && tag.Key == "package") table.AddOrUpdate((string)tag.Value!, value, (_, n) => n + value);
        });
        listener.Start();

        await using var first = await ConnectShippingAsync(ShippedBuild.V3);
        await using var second = await ConnectShippingAsync(ShippedBuild.V3);

        var gcs = first.Worker.Grains.GetGrain<IGcsGrain>(0);
        var hash = (await gcs.GetJob(first.JobId))!.CodePackage!;
        Assert.Equal(hash, (await gcs.GetJob(second.JobId))!.CodePackage);
        Assert.True(await fixture.Gcs.HasCodePackageAsync(hash));
        Assert.Equal(1, uploads.GetValueOrDefault(hash));
        Assert.Equal(1, reuses.GetValueOrDefault(hash));
        Assert.Equal("v3", await second.Function(ShippedBuild.V3.VersionFunction).Remote().GetAsync(Timeout));
    }

    [Fact]
    public async Task When_a_client_disposes_its_job_is_finished_and_nodes_unload_its_code()
    {
        var grid = await ConnectShippingAsync(ShippedBuild.V1);
        var job = grid.JobId;
        var version = grid.Function(ShippedBuild.V1.VersionFunction);
        Assert.All(await grid.GetAsync(Enumerable.Range(0, 24).Select(_ => version.Remote()), Timeout), v => Assert.Equal("v1", v));
        var counter = await grid.CreateActorAsync(ShippedBuild.V1.NewCounter(0));
        Assert.Equal("v1:2", await counter.Call(c => c.Format("add", 2, null)).GetAsync(Timeout));
        var contexts = WatchContexts(job);
        Assert.NotEmpty(contexts);
        var unloading = 0;
        foreach (var context in contexts)
            ((System.Runtime.Loader.AssemblyLoadContext)context.Target!).Unloading += _ => Interlocked.Increment(ref unloading);

        await grid.DisposeAsync();

        var info = await fixture.Gcs.GetJobAsync(job);
        Assert.Equal(JobStatus.Succeeded, info!.Status);
        Assert.NotNull(info.EndTime);
        Assert.All(Registries, r => Assert.False(r.IsLoaded(job)));
        Assert.Equal(contexts.Length, unloading); // every node that loaded the job unloaded its context
        Assert.Equal(ActorState.Dead, (await fixture.Gcs.GetActorAsync(counter.ActorId))!.State);
        Assert.Contains("ended", (await fixture.Gcs.GetActorAsync(counter.ActorId))!.DeathCause);
    }

    [Fact]
    public async Task A_function_the_job_did_not_ship_fails_naming_the_job_and_the_assembly()
    {
        await using var grid = await ConnectShippingAsync(ShippedBuild.V1);

        var error = await Assert.ThrowsAsync<UnknownFunctionException>(
            () => grid.Function(ShippedBuild.Unshipped.VersionFunction).Remote().GetAsync(Timeout));

        Assert.Contains(grid.JobId.Value, error.Message);
        Assert.Contains("'UnshippedTasks'", error.Message);
        Assert.Contains("ShippedTasks", error.Message); // what the job did ship
    }

    [Fact]
    public async Task A_task_of_an_ended_job_is_refused_with_a_clear_error()
    {
        var grid = await ConnectShippingAsync(ShippedBuild.V2);
        var job = grid.JobId;
        await grid.DisposeAsync();
        // Another client submits work in the ended job's name (as a stray task would).
        var other = await fixture.ConnectAnotherClientAsync();
        var spec = other.Worker.SubmitTask<string>(job, Grid.Functions.FunctionCatalog.DescribeDelegate(ShippedBuild.V2.VersionFunction), TaskOptions.Default, []);
        var error = await Assert.ThrowsAsync<UnknownFunctionException>(() => spec.GetAsync(Timeout));
        Assert.Contains("has ended", error.Message);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private WeakReference[] WatchContexts(JobId job) =>
        Registries.Select(r => r.WatchContext(job)).OfType<WeakReference>().ToArray();
}
