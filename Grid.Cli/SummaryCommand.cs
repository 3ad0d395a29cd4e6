using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Grid.State;
using Spectre.Console;

namespace Grid.Cli;

/// <summary><c>grid summary tasks|actors|objects</c> (Ray's <c>ray summary</c>): counts by state, per function, actor class or node.</summary>
internal static class SummaryCommand
{
    public static Command Create()
    {
        var kind = new Argument<string>("kind") { Description = $"What to summarize: {string.Join(", ", GridStateClient.SummaryKinds)}." };
        kind.AcceptOnlyFromAmong([.. GridStateClient.SummaryKinds]);
        var format = CliConsole.FormatOption();
        var address = WebServiceAddress.AddressOption();
        var password = WebServiceAddress.PasswordOption();
        var command = new Command("summary", "Count the cluster's tasks, actors or objects by state and name (from the head's state API).") { kind, format, address, password };
        command.SetAction((parse, token) => CliErrors.RunAsync(() => ShowAsync(parse.GetValue(kind)!, parse.GetValue(format)!, parse.GetValue(address), parse.GetValue(password), token)));
        return command;
    }

    private static async Task<int> ShowAsync(string kind, string format, string? address, string? password, CancellationToken token)
    {
        using var state = WebServiceAddress.Open((url, pw) => new GridStateClient(url, pw), address, password);
        var summary = await state.SummarizeAsync(kind, token).ConfigureAwait(false);
        if (format == "json")
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(summary, StateTables.Json));
            return 0;
        }
        var console = CliConsole.Create();
        var states = summary.Rows.SelectMany(r => r.ByState.Keys).Concat(summary.ByState.Keys).Distinct().ToArray();
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"{kind} by {(kind == "objects" ? "node" : "name")}"));
        table.AddColumn(kind switch { "tasks" => "Function", "actors" => "Class", _ => "Node" });
        foreach (var s in states) table.AddColumn(new TableColumn(s).RightAligned());
        foreach (var row in summary.Rows.OrderBy(r => r.Name, StringComparer.Ordinal))
            table.AddRow([Markup.Escape(row.Name), .. states.Select(s => Cell(kind, s, row.ByState.GetValueOrDefault(s)))]);
        table.AddRow(["[bold]total[/]", .. states.Select(s => $"[bold]{Cell(kind, s, summary.ByState.GetValueOrDefault(s))}[/]")]);
        console.Write(table);
        if (summary.Dropped > 0)
            console.MarkupLine(Markup.Escape($"{summary.Dropped} task record(s) were dropped from the nodes' bounded stores; the counts above still include them."));
        return 0;
    }

    private static string Cell(string kind, string state, long value) =>
        kind == "objects" && state.EndsWith("BYTES", StringComparison.Ordinal) ? StateTables.Bytes(value)! : value.ToString(CultureInfo.InvariantCulture);
}
