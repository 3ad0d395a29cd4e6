using System.CommandLine;
using System.Globalization;
using Grid.Hosting;
using Grid.Wire;
using Spectre.Console;

namespace Grid.Cli;

/// <summary>
/// <c>grid status</c>: the cluster as its GCS records it: nodes with their resources (total and in
/// use) and labels, the summed cluster resources, actors by state, and what waits and why.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var address = new Option<string?>("--address") { Description = "The cluster's HOST:PORT (default: GRID_ADDRESS, else the cluster started on this machine)." };
        var password = new Option<string?>("--password") { Description = "The cluster's password (default: GRID_PASSWORD, else the one recorded on this machine)." };
        var all = new Option<bool>("--all") { Description = "Also list nodes that have died or stopped." };
        var command = new Command("status", "Show the cluster's nodes, resources, actors and pending work.") { address, password, all };
        command.SetAction(parse => CliErrors.RunAsync(() => ShowAsync(parse.GetValue(address), parse.GetValue(password), parse.GetValue(all))));
        return command;
    }

    private static async Task<int> ShowAsync(string? address, string? password, bool all)
    {
        var cluster = GridClusterAddress.Resolve(address, password);
        var gcs = await ClusterProbe.ConnectAsync(cluster).ConfigureAwait(false);
        NodeInfo[] nodes;
        ActorInfo[] actors;
        try
        {
            nodes = await gcs.GetNodesAsync().ConfigureAwait(false);
            actors = await gcs.GetActorsAsync().ConfigureAwait(false);
        }
        finally
        {
            await gcs.DisposeAsync().ConfigureAwait(false);
        }

        var console = CliConsole.Create();
        var alive = nodes.Where(n => n.State == NodeState.Alive).OrderBy(n => n.NodeId.Value, StringComparer.Ordinal).ToArray();
        var shown = all ? nodes.OrderBy(n => n.State).ThenBy(n => n.NodeId.Value, StringComparer.Ordinal).ToArray() : alive;
        console.MarkupLine($"[bold]Grid cluster {Markup.Escape(cluster.Address)}[/]: {alive.Length} node(s) alive" +
            (nodes.Length > alive.Length && !all ? $", {nodes.Length - alive.Length} dead not shown (--all shows them)" : ""));

        var total = alive.Aggregate(ResourceSet.Empty, (sum, n) => sum.Add(n.Total));
        var available = alive.Aggregate(ResourceSet.Empty, (sum, n) => sum.Add(n.Available));
        var names = ResourceNames(shown.Select(n => n.Total).Append(total));

        var table = new Table().Border(TableBorder.Rounded).Title("Nodes");
        table.AddColumn("Node");
        table.AddColumn("State");
        foreach (var name in names) table.AddColumn(new TableColumn($"{name} used/total").RightAligned());
        table.AddColumn(new TableColumn("Queued").RightAligned());
        table.AddColumn("Labels");
        foreach (var node in shown)
        {
            var cells = new List<string> { Markup.Escape(Describe(node)), node.State == NodeState.Alive ? "[green]alive[/]" : "[red]dead[/]" };
            cells.AddRange(names.Select(name => UsedOfTotal(node.Total, node.Available, name)));
            cells.Add(node.QueuedTasks.ToString(CultureInfo.InvariantCulture));
            cells.Add(Markup.Escape(string.Join(", ", node.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"))));
            table.AddRow(cells.ToArray());
        }
        var totals = new List<string> { "[bold]cluster total[/]", $"{alive.Length} alive" };
        totals.AddRange(names.Select(name => $"[bold]{UsedOfTotal(total, available, name)}[/]"));
        totals.Add(alive.Sum(n => n.QueuedTasks).ToString(CultureInfo.InvariantCulture));
        totals.Add("");
        table.AddRow(totals.ToArray());
        console.Write(table);
        console.MarkupLine("Resources: " + Markup.Escape(string.Join(", ", names.Select(n => $"{n} {Amount(total[n] - available[n])}/{Amount(total[n])} used"))));

        var byState = actors.GroupBy(a => a.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
        console.MarkupLine($"Actors: {(actors.Length == 0 ? "none" : Markup.Escape(string.Join(", ", byState)))}");
        foreach (var actor in actors.Where(a => a.State == ActorState.Pending))
            console.MarkupLine(Markup.Escape($"  pending actor {actor.Name ?? actor.ActorId.ToString()} ({actor.ClassName}): {actor.PendingReason ?? "being placed"}"));
        // Restarts (Ray's RESTARTING state and restart counts): what died, why, and how often.
        foreach (var actor in actors.Where(a => a.State == ActorState.Restarting || a.State == ActorState.Alive && a.RestartCount > 0))
            console.MarkupLine(Markup.Escape($"  {(actor.State == ActorState.Restarting ? "restarting" : "restarted")} actor {actor.Name ?? actor.ActorId.ToString()} ({actor.ClassName}): " +
                $"restart {actor.RestartCount} of {(actor.MaxRestarts == -1 ? "unlimited" : actor.MaxRestarts.ToString(CultureInfo.InvariantCulture))}, last death: {actor.DeathCause}"));

        var pending = alive.SelectMany(n => n.PendingReasons.Select(reason => (Node: n, Reason: reason))).ToArray();
        console.MarkupLine($"Pending tasks: {(pending.Length == 0 ? "none" : alive.Sum(n => n.QueuedTasks).ToString(CultureInfo.InvariantCulture))}");
        foreach (var (node, reason) in pending)
            console.MarkupLine(Markup.Escape($"  on {Describe(node)}: {reason}"));
        return 0;
    }

    /// <summary>CPU and GPU first (always shown), then custom resources by name.</summary>
    private static string[] ResourceNames(IEnumerable<ResourceSet> sets) =>
        [ResourceSet.Cpu, ResourceSet.Gpu, .. sets.SelectMany(s => s.Names).Where(n => n is not ResourceSet.Cpu and not ResourceSet.Gpu).Distinct().Order(StringComparer.Ordinal)];

    private static string UsedOfTotal(ResourceSet total, ResourceSet available, string name) =>
        $"{Amount(total[name] - available[name])}/{Amount(total[name])}";

    private static string Amount(double value) => Math.Round(value, 4).ToString("0.####", CultureInfo.InvariantCulture);

    private static string Describe(NodeInfo node) =>
        node.HostName is { Length: > 0 } host ? $"{node.NodeId.Value} ({host})" : node.NodeId.Value;
}
