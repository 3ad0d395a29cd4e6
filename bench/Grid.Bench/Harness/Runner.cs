namespace Grid.Bench.Harness;

/// <summary>Runs the selected cases in order and reports each figure, its baseline and their ratio.</summary>
public sealed class Runner(BenchContext context, Report report)
{
    public async Task RunAsync(IEnumerable<BenchCase> cases)
    {
        foreach (var c in cases)
        {
            if (context.Options.Filter is { } filter && !c.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            if (c.Setup is not null) await c.Setup().ConfigureAwait(false);
            try
            {
                if (c.Kind == CaseKind.Latency) await LatencyAsync(c).ConfigureAwait(false);
                else await RateAsync(c).ConfigureAwait(false);
            }
            finally
            {
                if (c.Teardown is not null) await c.Teardown().ConfigureAwait(false);
            }
        }
    }

    private async Task RateAsync(BenchCase c)
    {
        var grid = await Timeit.RunAsync(c.Grid, c.Multiplier, context.Options).ConfigureAwait(false);
        report.Figure(c.Name, grid.Mean, c.Unit);
        if (context.Options.Costs) ReportCosts(c.Name, grid);
        if (c.Baseline is null || context.Options.NoBaseline) return;
        var baseline = await Timeit.RunAsync(c.Baseline, c.Multiplier, context.Options).ConfigureAwait(false);
        report.Figure(c.Name + ".baseline", baseline.Mean, c.Unit);
        if (context.Options.Costs) ReportCosts(c.Name + ".baseline", baseline);
        report.Ratio(c.Name, grid.Mean / baseline.Mean);
    }

    private void ReportCosts(string name, Measurement m)
    {
        report.Figure(name + ".cpu", m.CpuMicrosPerOp, "us/op");
        report.Figure(name + ".alloc", m.BytesPerOp, "B/op");
        report.Figure(name + ".hops", m.WorkItemsPerOp, "work items/op");
    }

    private async Task LatencyAsync(BenchCase c)
    {
        var (p50, p99) = await Timeit.LatencyAsync(c.Grid, context.Options).ConfigureAwait(false);
        report.Figure(c.Name + "_p50", p50, "us");
        report.Figure(c.Name + "_p99", p99, "us");
        if (c.Baseline is null || context.Options.NoBaseline) return;
        var (b50, b99) = await Timeit.LatencyAsync(c.Baseline, context.Options).ConfigureAwait(false);
        report.Figure(c.Name + "_p50.baseline", b50, "us");
        report.Figure(c.Name + "_p99.baseline", b99, "us");
        // Lower is better for a latency, so the ratio is baseline over Grid: like every other ratio, 1 means as fast as raw Orleans.
        report.Ratio(c.Name + "_p50", b50 / p50);
        report.Ratio(c.Name + "_p99", b99 / p99);
    }
}
