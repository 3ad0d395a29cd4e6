using Grid.Inference;
using Grid.Tests.Fixtures;
using TorchSharp;
using static TorchSharp.torch;

namespace Grid.Tests.Inference;

/// <summary>
/// Model actors: weights loaded once in the constructor onto the actor's device; a missing or corrupt file is a
/// <see cref="ModelLoadException"/> naming it, which every call of the actor then fails with, while the cluster
/// goes on serving other work.
/// </summary>
public abstract class ModelLoadingTests(IGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private GridClient Grid => fixture.Grid;

    [Fact]
    public async Task A_model_actor_loads_a_state_dict_once_and_answers_as_the_model_does_in_this_process()
    {
        var path = Path.Combine(Path.GetTempPath(), $"grid-tiny-{Guid.NewGuid():N}.dat");
        manual_seed(7);
        var model = new TinyNet();
        model.save(path);
        float[] input = [1, 2, 3, 4];
        using (no_grad())
        {
            var expected = model.forward(tensor(input).reshape(1, 4)).data<float>().ToArray();
            var actor = await Grid.CreateActorAsync(() => new TinyModelActor(path));
            Assert.Equal(expected, await actor.Call(a => a.Predict(input)).GetAsync(Timeout));
            Assert.Equal(expected, await actor.Call(a => a.Predict(input)).GetAsync(Timeout));
            await actor.KillAsync().WaitAsync(Timeout);
        }
        File.Delete(path);
    }

    [Fact]
    public async Task A_missing_model_file_fails_every_call_with_ModelLoadException_naming_it_and_the_cluster_still_serves()
    {
        var path = Path.Combine(Path.GetTempPath(), $"grid-missing-{Guid.NewGuid():N}.dat");
        var actor = await Grid.CreateActorAsync(() => new TinyModelActor(path));
        for (var call = 0; call < 2; call++)
        {
            var error = await Assert.ThrowsAsync<ModelLoadException>(() => actor.Call(a => a.Predict(new float[4])).GetAsync(Timeout));
            Assert.Equal(path, error.Path);
            Assert.Contains(path, error.Message);
            Assert.Contains("no such file", error.Message);
        }
        Assert.Equal(6.0, await Grid.Function<Tensor, double>(TensorFunctions.Sum).Remote(tensor(new[] { 1.0, 2, 3 })).GetAsync(Timeout));
    }

    [Fact]
    public async Task A_corrupt_model_file_fails_with_ModelLoadException_naming_it_with_the_library_error_inside()
    {
        var path = Path.Combine(Path.GetTempPath(), $"grid-corrupt-{Guid.NewGuid():N}.dat");
        await File.WriteAllBytesAsync(path, [.. Enumerable.Range(0, 999).Select(i => (byte)(i * 7))]);
        var actor = await Grid.CreateActorAsync(() => new TinyModelActor(path));
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => actor.Call(a => a.Predict(new float[4])).GetAsync(Timeout));
        Assert.Contains(path, error.Message);
        Assert.Contains("not a TorchSharp state dict of TinyNet", error.Message);
        Assert.NotNull(error.InnerException);
        Assert.Equal(1.0, await Grid.Function<Tensor, double>(TensorFunctions.Sum).Remote(ones(1)).GetAsync(Timeout));
        File.Delete(path);
    }

    [Fact]
    public void A_TorchScript_file_that_is_not_one_fails_with_ModelLoadException_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"grid-script-{Guid.NewGuid():N}.pt");
        File.WriteAllText(path, "not a TorchScript archive");
        var error = Assert.Throws<ModelLoadException>(() => TorchModels.LoadTorchScript(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("TorchScript", error.Message);
        File.Delete(path);
    }
}

[Collection("embedded")]
public sealed class EmbeddedModelLoadingTests(EmbeddedGridFixture fixture) : ModelLoadingTests(fixture);

[Collection("cluster")]
public sealed class ClusterModelLoadingTests(ClusterGridFixture fixture) : ModelLoadingTests(fixture);
