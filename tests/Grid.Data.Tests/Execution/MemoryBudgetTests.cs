using Grid.Data.Execution;

namespace Grid.Data.Tests.Execution;

public sealed class MemoryBudgetTests
{
    private static readonly StageSlot AnySource = new(isSource: true);

    [Fact]
    public async Task A_task_waits_while_held_blocks_running_tasks_and_one_free_block_would_pass_the_limit()
    {
        var budget = new MemoryBudget(14 << 20);
        var source = new StageSlot(isSource: true);
        budget.Hold(4 << 20); // the largest block so far: 4 MiB
        await budget.StartAsync(source, CancellationToken.None); // 4 + (1 + 1) * 4 <= 14
        var second = budget.StartAsync(source, CancellationToken.None).AsTask(); // 4 + (2 + 1) * 4 > 14
        Assert.False(second.IsCompleted);
        budget.Release(4 << 20); // 0 + (2 + 1) * 4 <= 14
        await second;
        Assert.Equal(2, source.Running);
    }

    [Fact]
    public async Task With_nothing_held_or_running_a_source_may_start_whatever_its_blocks_size()
    {
        var budget = new MemoryBudget(1 << 20);
        budget.Hold(64 << 20);
        budget.Release(64 << 20);
        await budget.StartAsync(AnySource, CancellationToken.None);
        var next = budget.StartAsync(AnySource, CancellationToken.None).AsTask();
        Assert.False(next.IsCompleted);
        budget.Stop(AnySource);
        await next;
    }

    [Fact]
    public async Task A_stage_with_nothing_running_may_always_start_one_task_so_the_plan_moves()
    {
        var budget = new MemoryBudget(10 << 20);
        budget.Hold(40 << 20); // far over the budget: blocks wait for the stage below
        var transform = new StageSlot(isSource: false);
        await budget.StartAsync(transform, CancellationToken.None);
        var second = budget.StartAsync(transform, CancellationToken.None).AsTask();
        var source = budget.StartAsync(AnySource, CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);
        Assert.False(source.IsCompleted);
        budget.Stop(transform);
        await second;
        Assert.False(source.IsCompleted);
        Assert.Equal(40 << 20, budget.PeakHeld);
    }
}
