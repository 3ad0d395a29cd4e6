using Grid.Silo.Actors;
using Grid.Wire;

namespace Grid.Unit.Tests;

/// <summary>One caller's actor calls start in its submission order, whatever order they arrive in.</summary>
public sealed class CallerTurnsTests
{
    private sealed class Parked(List<long> started, long sequence) : IParkedCall
    {
        public void Start() => started.Add(sequence);
    }

    [Fact]
    public void The_first_call_starts_at_once_and_a_later_one_waits_until_its_predecessors_started()
    {
        var turns = new CallerTurns();
        Assert.True(turns.WaitTurnAsync(1).IsCompleted);
        var third = turns.WaitTurnAsync(3);
        Assert.False(third.IsCompleted);
        turns.Advance(); // 1 started: 2's turn
        Assert.False(third.IsCompleted);
        turns.Advance(); // 2 started: 3's turn
        Assert.True(third.IsCompleted);
    }

    [Fact]
    public void Parked_calls_that_arrived_early_start_in_sequence_order_without_a_turn_each()
    {
        var turns = new CallerTurns();
        var started = new List<long>();
        turns.Park(4, new Parked(started, 4));
        turns.Park(3, new Parked(started, 3));
        turns.Park(2, new Parked(started, 2));
        Assert.Empty(started);

        turns.Advance(); // call 1 started: 2, 3 and 4 were ready and go in order
        Assert.Equal([2, 3, 4], started);
        Assert.True(turns.IsCurrent(5));
    }

    [Fact]
    public void When_the_actor_dies_every_held_call_goes_in_order_and_later_ones_go_at_once()
    {
        var turns = new CallerTurns();
        var started = new List<long>();
        turns.Park(5, new Parked(started, 5));
        var waiting = turns.WaitTurnAsync(3);
        turns.Park(4, new Parked(started, 4));

        turns.Open();

        Assert.True(waiting.IsCompleted);
        Assert.Equal([4, 5], started);
        Assert.True(turns.WaitTurnAsync(99).IsCompleted);
        turns.Park(100, new Parked(started, 100));
        Assert.Equal([4, 5, 100], started);
    }

    [Fact]
    public void A_call_sent_again_finds_its_first_outcome_until_the_caller_says_it_has_the_answer()
    {
        var turns = new CallerTurns();
        var outcome = Task.FromResult(ObjectPayload.InlineBytes([1]));
        turns.Remember(1, outcome, answeredThrough: 0);
        turns.Remember(2, outcome, answeredThrough: 0);

        Assert.True(turns.TryGetOutcome(1, out var again));
        Assert.Same(outcome, again);

        turns.Remember(3, outcome, answeredThrough: 2);
        Assert.False(turns.TryGetOutcome(1, out _));
        Assert.False(turns.TryGetOutcome(2, out _));
        Assert.True(turns.TryGetOutcome(3, out _));
        turns.Remember(2, outcome, answeredThrough: 2); // a late copy of an acknowledged call is not remembered again
        Assert.False(turns.TryGetOutcome(2, out _));
    }
}
