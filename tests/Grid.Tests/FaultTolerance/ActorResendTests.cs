using Grid.Functions;
using Grid.Grains;
using Grid.Serialization;
using Grid.Tests.Fixtures;
using Grid.Wire;

namespace Grid.Tests.FaultTolerance;

/// <summary>
/// A caller whose call was cut in transit (its gateway died while the actor lived) sends the same call again, with the
/// same sequence number. The actor's host answers a copy of a call it already has with that call's outcome: the actor
/// runs each call once, in the caller's order, whether the copy arrives after the call finished, while it is parked
/// behind a missing predecessor, or inside a later batch. These tests send the copies themselves, as such a caller would.
/// </summary>
[Collection("cluster")]
public sealed class ActorResendTests(ClusterGridFixture cluster)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_call_sent_again_gets_its_first_outcome_and_does_not_run_twice()
    {
        var (host, call) = await TallyAsync();
        var first = await host.Call(call(1, 10, 0));
        var copy = await host.Call(call(1, 10, 0));
        var second = await host.Call(call(2, 20, 0));

        Assert.Equal(Value(first), Value(copy));
        Assert.Equal("10", Value(first));
        Assert.Equal("10,20", Value(second));
    }

    [Fact]
    public async Task Copies_inside_a_later_batch_and_of_a_parked_call_keep_the_callers_order()
    {
        var (host, call) = await TallyAsync();
        await host.Call(call(1, 1, 0));
        // Call 3 arrives before 2 and waits for it; its copy must join that wait, not run at once.
        var third = host.Call(call(3, 3, 0));
        var thirdCopy = host.Call(call(3, 3, 0));
        // A batch that repeats calls 1 and 3 (their answers were cut: the caller acknowledges nothing) and brings 2 and 4.
        var batch = await host.CallMany([call(1, 1, 0), call(2, 2, 0), call(3, 3, 0), call(4, 4, 0)]);
        var outcomes = await AllOutcomesAsync(host, batch, 4);

        Assert.Equal("1,2,3", Value(await third));
        Assert.Equal("1,2,3", Value(await thirdCopy));
        Assert.Equal(["1", "1,2", "1,2,3", "1,2,3,4"], outcomes.Select(Value));
    }

    [Fact]
    public async Task A_long_stream_that_acknowledges_its_answers_runs_each_call_once_in_order()
    {
        var (host, call) = await TallyAsync();
        for (var i = 1; i <= 50; i++) await host.Call(call(i, i, i - 1));
        // Acknowledged through 50: a copy of 51 still gets its outcome, calls go on in order.
        var last = await host.Call(call(51, 51, 50));
        Assert.Equal(Value(last), Value(await host.Call(call(51, 51, 50))));
        Assert.EndsWith("49,50,51", Value(last));
        Assert.Equal(string.Join(",", Enumerable.Range(1, 52)), Value(await host.Call(call(52, 52, 51))));
    }

    /// <summary>A fresh <see cref="Tally"/> actor, its host grain, and a maker of calls from one made-up caller.</summary>
    private async Task<(IActorHostGrain Host, Func<long, int, long, ActorCallSpec> Call)> TallyAsync()
    {
        var grid = cluster.Grid;
        var actor = await grid.CreateActorAsync(() => new Tally()).WaitAsync(Step);
        Assert.Equal("0", await actor.Call(t => t.Add(0)).GetAsync(Step)); // placed and built
        var host = grid.Worker.Grains.GetGrain<IActorHostGrain>(actor.ActorId.Value);
        var method = FunctionCatalog.Describe(typeof(Tally).GetMethod(nameof(Tally.Add))!);
        var caller = $"resending-caller-{Guid.NewGuid():N}";
        return (host, (sequence, value, answered) => new ActorCallSpec
        {
            ActorId = actor.ActorId, CallerId = caller, Sequence = sequence, Incarnation = 0, Method = method,
            Args = [TaskArg.Value(GridSerializer.Instance.Serialize(value, typeof(int)))], ResultId = ObjectId.New(),
            Owner = grid.Worker.OwnerAddress, Job = grid.JobId, AnsweredThrough = answered,
        });
    }

    private static async Task<ObjectPayload[]> AllOutcomesAsync(IActorHostGrain host, OutcomeChunk chunk, int count)
    {
        var outcomes = new ObjectPayload[count];
        while (true)
        {
            foreach (var o in chunk.Outcomes) outcomes[o.Index] = o.Payload;
            if (chunk.Next == 0) return outcomes;
            chunk = await host.NextOutcomes(chunk.Next);
        }
    }

    private static string Value(ObjectPayload payload) =>
        payload.Kind == PayloadKind.Inline ? GridSerializer.Instance.Deserialize<string>(payload.Data!) : payload.ToString();
}

/// <summary>An actor that lists the values it was given, in order, with the caller's first call (0) left out.</summary>
public sealed class Tally
{
    private readonly List<int> _seen = [];

    public string Add(int value)
    {
        if (value != 0) _seen.Add(value);
        return _seen.Count == 0 ? "0" : string.Join(",", _seen);
    }
}
