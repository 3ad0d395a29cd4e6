using System.CommandLine;
using System.Globalization;
using Grid.Hosting;
using Grid.Jobs;
using Grid.Wire;
using Spectre.Console;

namespace Grid.Cli;

/// <summary>
/// <c>grid memory</c>: the cluster's stored objects by node (Ray's <c>ray memory</c>): size, owner, reference counts
/// and whether each copy is in memory or spilled, with per-node totals. It connects as a client (a short job that
/// ships no code) and reads <see cref="GridClient.MemorySummaryAsync"/>.
/// </summary>
internal static class MemoryCommand
{
    public static Command Create()
    {
        var address = new Option<string?>("--address") { Description = "The cluster's HOST:PORT (default: GRID_ADDRESS, else the cluster started on this machine)." };
        var password = new Option<string?>("--password") { Description = "The cluster's password (default: GRID_PASSWORD, else the one recorded on this machine)." };
        var command = new Command("memory", "Show the objects in the cluster's object stores: node, size, owner, reference counts, spilled or not.") { address, password };
        command.SetAction(parse => CliErrors.RunAsync(() => ShowAsync(parse.GetValue(address), parse.GetValue(password))));
        return command;
    }

    private static async Task<int> ShowAsync(string? address, string? password)
    {
        MemorySummary summary;
        var options = new GridClientOptions { Address = address ?? "", Password = password, Code = new JobCodeOptions { Enabled = false } };
        await using (var grid = await GridClient.ConnectAsync(options).ConfigureAwait(false))
            summary = await grid.MemorySummaryAsync().ConfigureAwait(false);
        Render(summary, Console.Out);
        return 0;
    }

    /// <summary>Writes the summary as a table (one row per copy) and a line of totals per node.</summary>
    public static void Render(MemorySummary summary, TextWriter output)
    {
        var console = CliConsole.Create(output);
        var objects = summary.Rows.Select(r => r.Id).Distinct().Count();
        console.MarkupLine($"[bold]Object store memory[/]: {objects} object(s), {summary.Rows.Count} cop(ies), " +
            $"{Bytes(summary.TotalBytes)} in all, {Bytes(summary.SpilledBytes)} spilled");
        if (summary.Rows.Count == 0) return;

        var table = new Table().Border(TableBorder.Rounded).Title("Objects by node");
        table.AddColumn("Node");
        table.AddColumn("Object");
        table.AddColumn(new TableColumn("Size").RightAligned());
        table.AddColumn("Where");
        table.AddColumn("Owner");
        table.AddColumn(new TableColumn("Refs").RightAligned());
        table.AddColumn("Held by (local/tasks/borrowers)");
        foreach (var row in summary.Rows)
            table.AddRow(
                Markup.Escape(row.Node.Value), row.Id.ToString(), Bytes(row.Size), row.Spilled ? "spilled" : "memory",
                Markup.Escape(row.Owner ?? "?"),
                row.References is { } r ? r.Total.ToString(CultureInfo.InvariantCulture) : "?",
                row.References is { } c ? $"{c.Local}/{c.Submitted}/{c.Borrowers}" : "owner gone");
        console.Write(table);
        foreach (var node in summary.Rows.GroupBy(r => r.Node).OrderBy(g => g.Key.Value, StringComparer.Ordinal))
            console.MarkupLine(Markup.Escape($"{node.Key.Value}: {node.Count()} object(s), {Bytes(node.Sum(r => r.Size))}, " +
                $"{Bytes(node.Where(r => r.Spilled).Sum(r => r.Size))} spilled"));
    }

    private static string Bytes(long bytes) => StateTables.Bytes(bytes)!;
}
