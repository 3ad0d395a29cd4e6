using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Grid.State;
using Spectre.Console;

namespace Grid.Cli;

/// <summary>
/// <c>grid list nodes|actors|tasks|objects|jobs|placement-groups</c> (Ray's <c>ray list</c>): one page of the head's
/// state API as a table or JSON, filtered by fields (<c>--filter state=ALIVE</c>).
/// </summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var kind = new Argument<string>("kind") { Description = $"What to list: {string.Join(", ", GridStateClient.Kinds)}." };
        kind.AcceptOnlyFromAmong([.. GridStateClient.Kinds]);
        var filters = new Option<string[]>("--filter") { Description = "Only rows whose FIELD equals VALUE (case-insensitive), e.g. state=RUNNING, nodeId=…, name=…; repeatable.", Arity = ArgumentArity.ZeroOrMore };
        var limit = new Option<int>("--limit") { Description = "At most this many rows (1–10000).", DefaultValueFactory = _ => 100 };
        var format = CliConsole.FormatOption();
        var address = WebServiceAddress.AddressOption();
        var password = WebServiceAddress.PasswordOption();
        var command = new Command("list", "List the cluster's nodes, actors, tasks, objects, jobs or placement groups (from the head's state API).")
        {
            kind, filters, limit, format, address, password,
        };
        command.SetAction((parse, token) => CliErrors.RunAsync(() => ListAsync(parse.GetValue(kind)!, parse.GetValue(filters) ?? [], parse.GetValue(limit),
            parse.GetValue(format)!, parse.GetValue(address), parse.GetValue(password), token)));
        return command;
    }

    private static async Task<int> ListAsync(string kind, string[] filterTexts, int limit, string format, string? address, string? password, CancellationToken token)
    {
        if (limit is < 1 or > 10_000) throw new GridCliException($"--limit must be 1–10000, not {limit}.");
        var filters = ParseFilters(filterTexts);
        using var state = WebServiceAddress.Open((url, pw) => new GridStateClient(url, pw), address, password);
        var console = CliConsole.Create();
        switch (kind)
        {
            case "nodes": Show(console, format, kind, await state.ListNodesAsync(filters, limit, 0, token).ConfigureAwait(false), StateTables.Nodes); break;
            case "actors": Show(console, format, kind, await state.ListActorsAsync(filters, limit, 0, token).ConfigureAwait(false), StateTables.Actors); break;
            case "tasks": Show(console, format, kind, await state.ListTasksAsync(filters, limit, 0, token).ConfigureAwait(false), StateTables.Tasks); break;
            case "objects": Show(console, format, kind, await state.ListObjectsAsync(filters, limit, 0, token).ConfigureAwait(false), StateTables.Objects); break;
            case "jobs": Show(console, format, kind, await state.ListJobsAsync(filters, limit, 0, token).ConfigureAwait(false), StateTables.Jobs); break;
            default: Show(console, format, kind, await state.ListPlacementGroupsAsync(filters, limit, 0, token).ConfigureAwait(false), StateTables.PlacementGroups); break;
        }
        return 0;
    }

    /// <summary>--filter k=v (repeatable) into field → value.</summary>
    public static Dictionary<string, string> ParseFilters(IEnumerable<string> texts)
    {
        var filters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var text in texts)
        {
            var eq = text.IndexOf('=');
            if (eq <= 0) throw new GridCliException($"--filter: '{text}' is not FIELD=VALUE; write e.g. --filter state=RUNNING.");
            filters[text[..eq].Trim()] = text[(eq + 1)..].Trim();
        }
        return filters;
    }

    private static void Show<T>(IAnsiConsole console, string format, string kind, Page<T> page, StateTables.Columns<T> columns)
    {
        if (format == "json")
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(page.Items, StateTables.Json));
            return;
        }
        console.Write(columns.Table(page.Items));
        console.MarkupLine(Markup.Escape(page.Total > page.Items.Count
            ? $"{page.Items.Count} of {page.Total} {kind} shown (--limit {page.Limit}; narrow with --filter)."
            : $"{page.Total} {(page.Total == 1 ? kind[..^1] : kind)}."));
    }
}

/// <summary>The columns <c>grid list</c> shows for each kind (JSON output has every field).</summary>
internal static class StateTables
{
    public sealed class Columns<T> : List<(string Header, Func<T, string?> Cell)>
    {
        /// <summary>The rows as a table of these columns.</summary>
        public Table Table(IEnumerable<T> items)
        {
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var (header, _) in this) table.AddColumn(header);
            foreach (var item in items) table.AddRow(this.Select(c => Markup.Escape(c.Cell(item) ?? "")).ToArray());
            return table;
        }
    }

    public static readonly JsonSerializerOptions Json = new(HeadApi.Json) { WriteIndented = true };

    public static readonly Columns<NodeView> Nodes =
    [
        ("Node", n => n.IsHead ? $"{n.NodeId} (head)" : n.NodeId),
        ("State", n => n.State),
        ("Address", n => n.Address),
        ("CPU", n => Use(n.Resources, "CPU")),
        ("GPU", n => Use(n.Resources, "GPU")),
        ("CPU %", n => n.CpuPercent is { } c ? c.ToString("0.#", CultureInfo.InvariantCulture) : null),
        ("Memory", n => Bytes(n.MemoryBytes)),
        ("Object store", n => n.ObjectStoreUsedBytes is null ? null : $"{Bytes(n.ObjectStoreUsedBytes)} / {Bytes(n.ObjectStoreCapacityBytes)}"),
        ("Labels", n => string.Join(", ", n.Labels.Select(kv => $"{kv.Key}={kv.Value}"))),
    ];

    public static readonly Columns<ActorView> Actors =
    [
        ("Actor", a => a.ActorId), ("Class", a => a.ClassName), ("Name", a => a.Name), ("State", a => a.State), ("Node", a => a.NodeId),
        ("Job", a => a.JobId), ("Restarts", a => a.RestartCount.ToString(CultureInfo.InvariantCulture)), ("Death cause", a => a.DeathCause ?? a.PendingReason),
    ];

    public static readonly Columns<TaskView> Tasks =
    [
        ("Task", t => t.TaskId), ("Name", t => t.Name), ("State", t => t.State), ("Node", t => t.NodeId), ("Job", t => t.JobId),
        ("Attempt", t => t.Attempt.ToString(CultureInfo.InvariantCulture)), ("Started", t => Time(t.StartedAt)), ("Ended", t => Time(t.EndedAt)), ("Error", t => t.Error),
    ];

    public static readonly Columns<ObjectView> Objects =
    [
        ("Object", o => o.ObjectId), ("Node", o => o.NodeId), ("Size", o => Bytes(o.SizeBytes)), ("Owner", o => o.Owner),
        ("Spilled", o => o.Spilled ? "yes" : "no"), ("Refs", o => o.LocalRefs is null ? null : $"{o.LocalRefs} local, {o.SubmittedRefs} submitted, {o.Borrowers} borrowers"),
    ];

    public static readonly Columns<JobView> Jobs =
    [
        ("Submission", j => j.SubmissionId), ("Job", j => j.JobId), ("Type", j => j.Type), ("Status", j => j.Status), ("Entrypoint", j => j.Entrypoint),
        ("Started", j => Time(j.StartTime)), ("Ended", j => Time(j.EndTime)), ("Message", j => j.Message),
    ];

    public static readonly Columns<PlacementGroupView> PlacementGroups =
    [
        ("Placement group", p => p.PlacementGroupId), ("Name", p => p.Name), ("State", p => p.State), ("Strategy", p => p.Strategy),
        ("Bundles", p => string.Join("; ", p.Bundles.Select(b => string.Join(", ", b.Select(kv => $"{kv.Key}: {Amount(kv.Value)}"))))),
        ("Nodes", p => string.Join(", ", p.BundleNodes.Select(n => n ?? "-"))), ("Pending", p => p.PendingReason),
    ];

    public static string Use(IReadOnlyDictionary<string, ResourceUse> resources, string name) =>
        resources.TryGetValue(name, out var use) ? $"{Amount(use.Used)}/{Amount(use.Total)}" : "0/0";

    public static string Amount(double value) => Math.Round(value, 4).ToString("0.####", CultureInfo.InvariantCulture);

    public static string? Time(DateTimeOffset? time) => time?.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public static string? Bytes(long? bytes) => bytes switch
    {
        null => null,
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.##} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.##} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.##} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
