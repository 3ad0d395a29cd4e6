using Grid.Silo.Raylet;

namespace Grid.Unit.Tests;

/// <summary>A node's exact resource ledger: what it declared, what is held, GPU ids, overdraft and placement-group resources.</summary>
public sealed class ResourceLedgerTests
{
    private static ResourceSet Cpus(double n) => ResourceSet.Of((ResourceSet.Cpu, n));

    [Fact]
    public void Taking_and_giving_back_restores_what_is_available_and_a_need_larger_than_what_is_free_does_not_fit()
    {
        var ledger = new ResourceLedger(ResourceSet.Of((ResourceSet.Cpu, 4), ("accelerator", 1)));
        var need = ResourceSet.Of((ResourceSet.Cpu, 3), ("accelerator", 1));

        Assert.True(ledger.Fits(need));
        var gpus = ledger.Take(need);
        Assert.Empty(gpus);
        Assert.Equal(1, ledger.Available[ResourceSet.Cpu]);
        Assert.False(ledger.Fits(Cpus(2)));
        Assert.True(ledger.CanEverFit(Cpus(4)));
        Assert.False(ledger.CanEverFit(Cpus(5)));

        ledger.Give(need, gpus, 0);
        Assert.Equal(ledger.Total, ledger.Available);
    }

    [Fact]
    public void Fractional_gpu_requests_share_an_id_and_a_whole_gpu_takes_a_free_one()
    {
        var ledger = new ResourceLedger(ResourceSet.Of((ResourceSet.Cpu, 4), (ResourceSet.Gpu, 2)));
        var half = ResourceSet.Of((ResourceSet.Gpu, 0.5));
        var first = ledger.Take(half);
        var second = ledger.Take(half);
        var whole = ledger.Take(ResourceSet.Of((ResourceSet.Gpu, 1)));

        Assert.Equal([0], first);
        Assert.Equal([0], second);
        Assert.Equal([1], whole);

        ledger.Give(half, first, 0.5);
        ledger.Give(half, second, 0.5);
        Assert.Equal([0], ledger.Take(ResourceSet.Of((ResourceSet.Gpu, 1))));
    }

    [Fact]
    public void An_overdraft_blocks_new_work_and_is_paid_back_before_anything_becomes_available()
    {
        var ledger = new ResourceLedger(Cpus(2));
        ledger.Take(Cpus(2));
        ledger.TakeWithOverdraft(Cpus(1)); // a task back from a blocking get while the node was full

        Assert.Equal(1, ledger.Overdraft[ResourceSet.Cpu]);
        Assert.False(ledger.Fits(Cpus(0.5)));

        ledger.Give(Cpus(1), [], 0);
        Assert.True(ledger.Overdraft.IsEmpty);
        Assert.Equal(0, ledger.Available[ResourceSet.Cpu]);
        ledger.Give(Cpus(2), [], 0);
        Assert.Equal(2, ledger.Available[ResourceSet.Cpu]);
    }

    [Fact]
    public void Group_resources_grow_the_node_and_when_removed_what_is_given_back_for_them_is_dropped()
    {
        var ledger = new ResourceLedger(Cpus(2));
        var bundle = ResourceSet.Of(("CPU_group_0_abc", 1));
        ledger.Grow(bundle);
        ledger.Take(bundle);

        ledger.Shrink(name => name.EndsWith("_abc", StringComparison.Ordinal));
        ledger.Give(bundle, [], 0);

        Assert.False(ledger.Total.Contains("CPU_group_0_abc"));
        Assert.False(ledger.Available.Contains("CPU_group_0_abc"));
        Assert.Equal(Cpus(2), ledger.Available);
    }

    [Fact]
    public void Taking_more_than_is_available_is_refused_as_a_bug_the_raylet_checks_first()
    {
        var ledger = new ResourceLedger(Cpus(1));
        ledger.Take(Cpus(1));
        Assert.Throws<InvalidOperationException>(() => ledger.Take(Cpus(1)));
    }
}
