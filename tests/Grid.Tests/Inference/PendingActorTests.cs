using Grid.Grains;
using Grid.Testing;
using Grid.Tests.Fixtures;
using Grid.Wire;
using TorchSharp;

namespace Grid.Tests.Inference;

/// <summary>
/// On a node without GPUs, a model actor that asks for one waits, and says why; killed while it waits, it is never
/// built, and its calls fail as a dead actor's (Ray's kill of a pending actor).
/// </summary>
[Collection("embedded")]
public sealed class PendingActorTests(EmbeddedGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_model_actor_asking_for_a_gpu_on_a_cluster_without_one_is_pending_with_its_reason_until_killed()
    {
        var grid = fixture.Grid;
        var actor = await grid.CreateActorAsync(() => new TinyModelActor("weights-that-never-load.dat"), new ActorOptions { NumGpus = 1 });
        var gcs = grid.Worker.Grains.GetGrain<IGcsGrain>(0);
        await Eventually.WaitAsync(async () => (await gcs.GetActor(actor.ActorId))?.PendingReason is { } reason
            && reason.StartsWith("infeasible", StringComparison.Ordinal) && reason.Contains("GPU"), Timeout, "the actor's pending reason");
        Assert.Equal(ActorState.Pending, (await actor.GetInfoAsync()).State);

        await actor.KillAsync().WaitAsync(Timeout);
        var info = await actor.GetInfoAsync();
        Assert.Equal(ActorState.Dead, info.State);
        Assert.Contains("before it was placed", info.DeathCause);
        await Assert.ThrowsAsync<ActorDiedException>(() => actor.Call(a => a.Predict(new float[4])).GetAsync(Timeout));
        await Eventually.WaitAsync(async () => (await grid.GetNodesAsync()).All(n => n.PendingReasons.Length == 0), Timeout, "no pending work left on the node");
    }

    [Fact]
    public async Task An_actor_killed_while_it_waits_for_busy_resources_is_never_built_and_gives_them_back_once_reserved()
    {
        var grid = fixture.Grid;
        var cpus = ResourceSet.Cpu;
        var holder = await grid.CreateActorAsync(() => new TensorHolder(torch.zeros(1)), new ActorOptions { NumCpus = 4 });
        await holder.Call(h => h.DeviceSeen()).GetAsync(Timeout); // placed: it holds the node's 4 CPUs
        var waiting = await grid.CreateActorAsync(() => new TensorHolder(torch.zeros(1)), new ActorOptions { NumCpus = 4 });
        var gcs = grid.Worker.Grains.GetGrain<IGcsGrain>(0);
        await Eventually.WaitAsync(async () => (await gcs.GetActor(waiting.ActorId))?.PendingReason is { } reason && reason.Contains(cpus),
            Timeout, "the second actor waiting for the CPUs");

        await waiting.KillAsync().WaitAsync(Timeout);
        Assert.Equal(ActorState.Dead, (await waiting.GetInfoAsync()).State);
        await holder.KillAsync().WaitAsync(Timeout);
        // The killed actor's placement reserves the CPUs when they come free, finds itself dead and gives them back: a
        // task that needs all four runs.
        var seen = await grid.Function<int, (int[] GpuIds, string Device, int Threads)>(TensorFunctions.DeviceSeen,
            new TaskOptions { NumCpus = 4 }).Remote(0).GetAsync(Timeout);
        Assert.Equal(4, seen.Threads);
        await Assert.ThrowsAsync<ActorDiedException>(() => waiting.Call(h => h.DeviceSeen()).GetAsync(Timeout));
    }
}
