using Grid.Hosting;
using Grid.Tests.Fixtures;
using Grid.Wire;
using Microsoft.Extensions.Options;

namespace Grid.Tests.Core;

/// <summary>
/// Ray's runtime context and <c>runtime_env.env_vars</c>: a task or actor method sees its attempt, the resources it
/// holds and its job's environment variables in <see cref="GridContext"/>, and no other job's.
/// </summary>
public abstract class RuntimeContextTests(IGridFixture fixture)
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    public const string VariableName = "GRID_TEST_RUNTIME_ENV";

    protected GridClient Grid => fixture.Grid;

    [Fact]
    public async Task A_first_run_is_attempt_0_and_not_retried()
    {
        var seen = await Grid.GetAsync(Grid.Function(ContextFunctions.AttemptSeen).Remote(), Timeout);
        Assert.Equal("0 False", seen);

        var actor = await Grid.CreateActorAsync(() => new ContextActor());
        Assert.Equal("0 False", await Grid.GetAsync(actor.Call(a => a.AttemptSeen()), Timeout));
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_task_and_an_actor_see_the_resources_they_hold()
    {
        var task = Grid.Function(ContextFunctions.Resources).Options(new TaskOptions { NumCpus = 2 });
        var held = await Grid.GetAsync(task.Remote(), Timeout);
        Assert.Equal(2, held[ResourceSet.Cpu]);

        var actor = await Grid.CreateActorAsync(() => new ContextActor(), new ActorOptions { NumCpus = 1 });
        Assert.Equal(1, (await Grid.GetAsync(actor.Call(a => a.Resources()), Timeout))[ResourceSet.Cpu]);
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_job_without_an_environment_sees_none_of_it()
    {
        Assert.Equal("", await Grid.GetAsync(Grid.Function<string, string>(ContextFunctions.Variable).Remote(VariableName), Timeout));
        Assert.Equal(0, await Grid.GetAsync(Grid.Function(ContextFunctions.VariableCount).Remote(), Timeout));
    }

    [Fact]
    public async Task An_environment_with_a_bad_name_is_refused_before_connecting_without_echoing_values()
    {
        var options = new GridClientOptions
        {
            Gateways = ["127.0.0.1:1"],
            Environment = new Dictionary<string, string> { ["A=B"] = "secret-value", [""] = "other-secret" },
        };
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => GridClient.ConnectAsync(options));
        Assert.Contains("'A=B' is invalid", e.Message);
        Assert.Contains("'' is invalid", e.Message);
        Assert.DoesNotContain("secret", e.Message);
    }
}

public static class ContextFunctions
{
    public static string AttemptSeen() => $"{GridContext.Current.Attempt} {GridContext.Current.WasRetried}";

    public static Dictionary<string, double> Resources() => new(GridContext.Current.AssignedResources);

    public static string Variable(string name) => GridContext.Current.Environment.GetValueOrDefault(name) ?? "";

    public static int VariableCount() => GridContext.Current.Environment.Count;

    /// <summary>The variable as a task nested in this one sees it.</summary>
    public static async Task<string> NestedVariable(string name) =>
        await GridContext.Current.Grid.Function<string, string>(Variable).Remote(name);
}

public sealed class ContextActor
{
    private readonly string _atConstruction = GridContext.Current.Environment.GetValueOrDefault(RuntimeContextTests.VariableName) ?? "";

    public string AttemptSeen() => ContextFunctions.AttemptSeen();

    public Dictionary<string, double> Resources() => ContextFunctions.Resources();

    public string Variable(string name) => ContextFunctions.Variable(name);

    public string VariableAtConstruction() => _atConstruction;
}

[Collection("embedded")]
public sealed class EmbeddedRuntimeContextTests(EmbeddedGridFixture fixture) : RuntimeContextTests(fixture);

[Collection("cluster")]
public sealed class ClusterRuntimeContextTests(ClusterGridFixture fixture) : RuntimeContextTests(fixture)
{
    [Fact]
    public async Task A_jobs_environment_reaches_its_tasks_on_every_node_nested_tasks_and_actors_and_no_other_job()
    {
        var first = await fixture.ConnectClientAsync(new GridClientOptions { Environment = new Dictionary<string, string> { [VariableName] = "first" } });
        var second = await fixture.ConnectClientAsync(new GridClientOptions { Environment = new Dictionary<string, string> { [VariableName] = "second", ["OTHER"] = "x" } });

        var nodes = (await first.GetNodesAsync()).Where(n => n.State == NodeState.Alive).Select(n => n.NodeId).ToArray();
        Assert.Equal(fixture.NodeCount, nodes.Length);
        foreach (var (client, value) in new[] { (first, "first"), (second, "second") })
        {
            // A task pinned to each node, and one nested in it.
            foreach (var node in nodes)
            {
                var pinned = new TaskOptions { Scheduling = SchedulingStrategy.NodeAffinity(node) };
                Assert.Equal(value, await client.GetAsync(client.Function<string, string>(ContextFunctions.Variable).Options(pinned).Remote(VariableName), Timeout));
                Assert.Equal(value, await client.GetAsync(client.Function<string, string>(ContextFunctions.NestedVariable).Options(pinned).Remote(VariableName), Timeout));
            }
            var actor = await client.CreateActorAsync(() => new ContextActor());
            Assert.Equal(value, await client.GetAsync(actor.Call(a => a.Variable(VariableName)), Timeout));
            Assert.Equal(value, await client.GetAsync(actor.Call(a => a.VariableAtConstruction()), Timeout));
            await actor.KillAsync().WaitAsync(Timeout);
        }
        Assert.Equal(1, await first.GetAsync(first.Function(ContextFunctions.VariableCount).Remote(), Timeout));
        Assert.Equal(2, await second.GetAsync(second.Function(ContextFunctions.VariableCount).Remote(), Timeout));
        // The fixture's own job set none, on nodes that now run the others' tasks too.
        Assert.Equal("", await Grid.GetAsync(Grid.Function<string, string>(ContextFunctions.Variable).Remote(VariableName), Timeout));
        // Not set in the nodes' process (shared by every job's tasks).
        Assert.Null(Environment.GetEnvironmentVariable(VariableName));

        await first.DisposeAsync();
        await second.DisposeAsync();
    }
}
