using System.CommandLine;
using Grid.Hosting;
using Grid.Jobs;
using Grid.State;
using Spectre.Console;

namespace Grid.Cli;

/// <summary>
/// <c>grid job submit|status|logs|stop|list</c> (Ray's <c>ray job</c>): jobs run by the head, over its web service
/// (<see cref="GridJobClient"/>). The head is --address, else GRID_DASHBOARD_ADDRESS, else the web service of the
/// cluster started on this machine; the password --password, else GRID_PASSWORD, else the one recorded on this machine.
/// </summary>
internal static class JobCommand
{
    public static Command Create()
    {
        var command = new Command("job", "Submit jobs to the cluster's head and follow, stop and list them.");
        command.Subcommands.Add(Submit());
        command.Subcommands.Add(OnJob("status", "Show a job's status.", (client, id, _, cancel) => ShowStatusAsync(client, id, cancel)));
        command.Subcommands.Add(Logs());
        command.Subcommands.Add(OnJob("stop", "Stop a job: its driver gets SIGTERM (killed after 10 s), its actors and objects are freed.", (client, id, _, cancel) => StopAsync(client, id, cancel)));
        command.Subcommands.Add(List());
        return command;
    }

    private static Option<string?> AddressOption() => WebServiceAddress.AddressOption();

    private static Option<string?> PasswordOption() => WebServiceAddress.PasswordOption();

    private static Command Submit()
    {
        var address = AddressOption();
        var password = PasswordOption();
        var workingDir = new Option<string?>("--working-dir") { Description = "A directory to upload and run the driver in (zipped; at most 256 MB)." };
        var env = new Option<string[]>("--env") { Description = "An environment variable for the driver, K=V (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var id = new Option<string?>("--submission-id") { Description = "The job's id (letters, digits, '-', '_'); default: a generated one." };
        var wait = new Option<bool>("--wait") { Description = "Follow the job's logs until it ends; exit 0 if it SUCCEEDED, 1 otherwise." };
        var entrypoint = new Argument<string[]>("command") { Description = "The driver's command line, after --, e.g. -- dotnet MyDriver.dll", Arity = ArgumentArity.OneOrMore };
        var command = new Command("submit", "Run a driver program on the head as a job; prints its submission id.") { address, password, workingDir, env, id, wait, entrypoint };
        command.SetAction((parse, cancel) => Run(async () =>
        {
            using var client = Connect(parse.GetValue(address), parse.GetValue(password));
            var directory = parse.GetValue(workingDir);
            if (directory is not null && !Directory.Exists(directory)) throw new GridCliException($"The working directory '{directory}' does not exist.");
            var submission = await client.SubmitAsync(parse.GetValue(entrypoint) ?? [], directory, Environment(parse.GetValue(env)), parse.GetValue(id), cancel).ConfigureAwait(false);
            Console.WriteLine(submission);
            if (!parse.GetValue(wait)) return 0;
            await FollowAsync(client, submission, cancel).ConfigureAwait(false);
            var job = await client.WaitAsync(submission, cancel).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"Job {submission} {job.Status}{(job.Message is { } m ? $": {m}" : "")}").ConfigureAwait(false);
            return job.Status == "SUCCEEDED" ? 0 : 1;
        }));
        return command;
    }

    private static Command Logs()
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing the log as it is written, until the job ends." };
        return OnJob("logs", "Print a job's log (the driver's stdout and stderr).", async (client, id, parse, cancel) =>
        {
            if (parse.GetValue(follow)) await FollowAsync(client, id, cancel).ConfigureAwait(false);
            else Console.Write(await client.GetLogsAsync(id, cancel).ConfigureAwait(false));
            return 0;
        }, follow);
    }

    private static Command List()
    {
        var address = AddressOption();
        var password = PasswordOption();
        var command = new Command("list", "List the cluster's jobs: submitted ones and drivers that connected by themselves.") { address, password };
        command.SetAction((parse, cancel) => Run(async () =>
        {
            using var client = Connect(parse.GetValue(address), parse.GetValue(password));
            var jobs = await client.ListAsync(cancel).ConfigureAwait(false);
            var console = CliConsole.Create();
            // The same table as grid list jobs.
            if (jobs.Count == 0) console.MarkupLine("No jobs.");
            else console.Write(StateTables.Jobs.Table(jobs).Title("Jobs"));
            return 0;
        }));
        return command;
    }

    /// <summary>A subcommand on one job: <c>grid job NAME ID [--address] [--password] [options]</c>.</summary>
    private static Command OnJob(string name, string description, Func<GridJobClient, string, ParseResult, CancellationToken, Task<int>> action, params Option[] options)
    {
        var address = AddressOption();
        var password = PasswordOption();
        var id = new Argument<string>("submission-id") { Description = "The job's submission id (grid job submit prints it; grid job list shows them)." };
        var command = new Command(name, description) { address, password, id };
        foreach (var option in options) command.Options.Add(option);
        command.SetAction((parse, cancel) => Run(async () =>
        {
            using var client = Connect(parse.GetValue(address), parse.GetValue(password));
            return await action(client, parse.GetValue(id)!, parse, cancel).ConfigureAwait(false);
        }));
        return command;
    }

    private static async Task<int> ShowStatusAsync(GridJobClient client, string id, CancellationToken cancel)
    {
        var job = await client.GetAsync(id, cancel).ConfigureAwait(false);
        Console.WriteLine($"Job {job.SubmissionId}: {job.Status}");
        if (job.JobId is { } driver) Console.WriteLine($"  driver job: {driver}");
        Console.WriteLine($"  entrypoint: {job.Entrypoint}");
        if (job.Message is { } message) Console.WriteLine($"  message: {message}");
        if (job.ExitCode is { } code) Console.WriteLine($"  exit code: {code}");
        Console.WriteLine($"  started: {Time(job.StartTime)}");
        if (job.EndTime is not null) Console.WriteLine($"  ended: {Time(job.EndTime)}");
        return 0;
    }

    private static async Task<int> StopAsync(GridJobClient client, string id, CancellationToken cancel)
    {
        if (await client.StopAsync(id, cancel).ConfigureAwait(false))
        {
            Console.WriteLine($"Job {id} stopped.");
            return 0;
        }
        Console.WriteLine($"Job {id} had ended already ({(await client.GetAsync(id, cancel).ConfigureAwait(false)).Status}).");
        return 0;
    }

    private static async Task FollowAsync(GridJobClient client, string id, CancellationToken cancel)
    {
        await foreach (var text in client.FollowLogsAsync(id, cancel).ConfigureAwait(false))
        {
            Console.Write(text);
            await Console.Out.FlushAsync(cancel).ConfigureAwait(false);
        }
    }

    private static Dictionary<string, string> Environment(string[]? pairs)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) throw new GridCliException($"--env {pair}: give a variable as NAME=VALUE.");
            environment[pair[..equals]] = pair[(equals + 1)..];
        }
        return environment;
    }

    /// <summary>The head's web service and the password to use with it (see the class comment for the order).</summary>
    internal static GridJobClient Connect(string? address, string? password) =>
        WebServiceAddress.Open((url, pw) => new GridJobClient(url, pw), address, password);

    /// <summary>Runs through <see cref="CliErrors"/>, the web service's and the job client's errors turned into one message each.</summary>
    private static Task<int> Run(Func<Task<int>> action) => CliErrors.RunAsync(async () =>
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is GridException or ArgumentException or IOException)
        {
            throw new GridCliException(e.Message);
        }
    });

    private static string Time(DateTimeOffset? time) => time?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
