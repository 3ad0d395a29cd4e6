using Grid.Data.Execution;

namespace Grid.Data.Tests.Execution;

public sealed class MemoryBudgetTests
{
    [Fact]
    public async Task A_source_waits_while_held_blocks_and_running_tasks_would_pass_the_limit()
    {
        var budget = new MemoryBudget(10 << 20);
        budget.Hold(4 << 20); // the largest block so far: 4 MiB
        await budget.StartProducingAsync(CancellationToken.None); // 4 + 1 * 4 <= 10
        var second = budget.StartProducingAsync(CancellationToken.None).AsTask(); // 4 + 2 * 4 > 10
        Assert.False(second.IsCompleted);
        budget.Release(4 << 20); // 0 + 2 * 4 <= 10
        await second;
    }

    [Fact]
    public async Task With_nothing_held_or_running_one_task_may_start_whatever_its_blocks_size()
    {
        var budget = new MemoryBudget(1 << 20);
        budget.Hold(64 << 20);
        budget.Release(64 << 20);
        await budget.StartProducingAsync(CancellationToken.None);
        var next = budget.StartProducingAsync(CancellationToken.None).AsTask();
        Assert.False(next.IsCompleted);
        budget.StopProducing();
        await next;
    }

    [Fact]
    public async Task Running_tasks_of_other_stages_count_against_the_budget()
    {
        var budget = new MemoryBudget(10 << 20);
        budget.Hold(4 << 20);
        budget.Release(4 << 20);
        budget.StartConsuming();
        budget.StartConsuming();
        var source = budget.StartProducingAsync(CancellationToken.None).AsTask(); // 0 + 3 * 4 > 10
        Assert.False(source.IsCompleted);
        budget.StopProducing();
        await source;
        Assert.Equal(4 << 20, budget.PeakHeld);
    }
}
