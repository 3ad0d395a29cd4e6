using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grid.Jobs;
using Grid.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Grid.Dashboard.Tests.Browser;

/// <summary>
/// The dashboard page in a real browser (Debian's chromium through Playwright) against a 3-node cluster: what a user
/// sees after logging in follows what the cluster does. Every wait is Playwright's auto-retrying expectation on the
/// page (it polls the API each second), bounded by the fixture's give-up time; none is a sleep.
/// </summary>
public sealed class DashboardPageTests(DashboardPageFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardPageFixture>
{
    /// <summary>Where GRID_DASHBOARD_SCREENSHOT names a path, the screenshot is also written there (docs/dashboard.png).</summary>
    public const string ScreenshotVariable = "GRID_DASHBOARD_SCREENSHOT";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private GridClient Grid => fixture.Cluster.Grid;

    [Fact]
    public async Task The_page_shows_the_cluster_live_nodes_a_named_actor_running_tasks_and_a_node_that_died()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var pageErrors = new List<string>();
        page.PageError += (_, error) => pageErrors.Add(error);
        // What the page was told, shown when the test fails (an error answer of the API, a script error).
        page.Response += (_, response) =>
        {
            if (response.Status >= 400) output.WriteLine($"{response.Request.Method} {response.Url} answered {response.Status}");
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error") output.WriteLine($"console: {message.Text}");
        };

        // The page asks for the password first, then shows the three nodes, the head marked.
        await LogInAsync(page, fixture.Password);
        await Expect(page.GetByTestId("nodes-alive")).ToHaveTextAsync("3");
        await Expect(page.Locator("[data-testid=node-row][data-state=ALIVE]")).ToHaveCountAsync(3);
        await Expect(page.GetByTestId("head-badge")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("last-updated")).ToHaveTextAsync(new Regex(@"^updated \d\d:\d\d:\d\d$"));

        // A named actor, some finished work and an object held by the driver.
        var counter = await Grid.CreateActorAsync(() => new PageCounter(), new ActorOptions { Name = "page-counter" });
        Assert.Equal(2, await counter.Call(c => c.Add(2)).GetAsync());
        var square = Grid.Function<int, int>(PageTestFunctions.Square);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => i * i), await Grid.GetAsync(Enumerable.Range(0, 8).Select(i => square.Remote(i))));
        var held = await Grid.PutAsync(new byte[256 * 1024]);
        await Expect(page.Locator("[data-testid=actor-row][data-name=page-counter]")).ToHaveAttributeAsync("data-state", "ALIVE");
        await Expect(page.Locator("[data-testid=task-row][data-state=FINISHED][data-name$=Square]")).ToHaveCountAsync(8);
        await Expect(page.GetByTestId("object-row").First).ToBeVisibleAsync();

        // Tasks held on a gate show as running (12 CPUs: all six run at once) ...
        await Expect(page.GetByTestId("tasks-running")).ToHaveTextAsync("0");
        var gate = "page-" + Guid.NewGuid().ToString("N");
        var hold = Grid.Function<string, int>(PageTestFunctions.Hold);
        var holding = Enumerable.Range(0, 6).Select(_ => hold.Remote(gate)).ToArray();
        await Expect(page.GetByTestId("tasks-running")).ToHaveTextAsync("6");
        await Expect(page.Locator("[data-testid=task-row][data-state=RUNNING][data-name$=Hold]")).ToHaveCountAsync(6);
        await ScreenshotAsync(page);

        // ... and no longer once it opens.
        PageTestFunctions.Gate(gate).TrySetResult(true);
        Assert.Equal(6, (await Grid.GetAsync(holding)).Sum());
        await Expect(page.GetByTestId("tasks-running")).ToHaveTextAsync("0");
        await Expect(page.Locator("[data-testid=task-row][data-state=FINISHED][data-name$=Hold]")).ToHaveCountAsync(6);

        // A node that stops turns dead on the page (not the head, nor the test cluster's membership holder).
        var victim = fixture.Cluster.Silos.First(s => s != fixture.Head);
        var victimId = GridTestCluster.NodeOf(victim).Value;
        await Expect(page.Locator($"[data-testid=node-row][data-node-id='{victimId}']")).ToHaveAttributeAsync("data-state", "ALIVE");
        await fixture.Cluster.StopSiloAsync(victim);
        await Expect(page.Locator($"[data-testid=node-row][data-node-id='{victimId}']")).ToHaveAttributeAsync("data-state", "DEAD");
        await Expect(page.GetByTestId("nodes-alive")).ToHaveTextAsync("2");
        await Expect(page.GetByTestId("nodes-dead")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("error-banner")).ToBeHiddenAsync();

        // Logging out in one tab sends another tab of the same browser to the login page at its next poll (a 401).
        var other = await context.NewPageAsync();
        await other.GotoAsync("/");
        await Expect(other.GetByTestId("nodes-alive")).ToHaveTextAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/login$"));
        await Expect(other).ToHaveURLAsync(new Regex("/login$"));

        GC.KeepAlive(held);
        Assert.Empty(pageErrors);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_by_the_login_page_and_the_api()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/login$"));
        await page.GetByTestId("login-password").FillAsync("not-the-" + fixture.Password);
        await page.GetByTestId("login-submit").ClickAsync();
        await Expect(page.GetByTestId("login-error")).ToBeVisibleAsync();

        // No session came of it: the page still sends the browser to log in, the API still answers 401, with or
        // without the wrong password as a bearer token.
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/login$"));
        var fromBrowser = await page.APIRequest.GetAsync("/api/cluster");
        Assert.Equal(401, fromBrowser.Status);
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-" + fixture.Password);
        using var wrong = await http.GetAsync("/api/nodes");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("password", await wrong.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_submitted_jobs_log_grows_on_the_page_while_it_runs()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await LogInAsync(page, fixture.Password);

        // A driver that writes a line, waits for the test to create a file, and writes another.
        var gate = Path.Combine(fixture.JobsDirectory, "gate-" + Guid.NewGuid().ToString("N"));
        var request = new JobSubmitRequest
        {
            Entrypoint = ["/bin/sh", "-c", "echo first line; while [ ! -e \"$0\" ]; do sleep 0.05; done; echo second line", gate],
        };
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Password);
        using var submitted = await http.PostAsJsonAsync("/api/jobs", request, Json);
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        var id = (await submitted.Content.ReadFromJsonAsync<JobSubmitResponse>(Json))!.SubmissionId;

        // The page shows the newest submitted job's log: the first line while it runs, the second once it may go on.
        var row = page.Locator($"[data-testid=job-row][data-id='{id}']");
        await Expect(row).ToHaveAttributeAsync("data-status", "RUNNING");
        await Expect(page.GetByTestId("job-log-id")).ToHaveTextAsync(id);
        await Expect(page.GetByTestId("job-log")).ToHaveTextAsync("first line\n");
        await File.WriteAllTextAsync(gate, "");
        await Expect(page.GetByTestId("job-log")).ToHaveTextAsync("first line\nsecond line\n");
        await Expect(row).ToHaveAttributeAsync("data-status", "SUCCEEDED");
        await Expect(page.GetByTestId("job-log-state")).ToHaveTextAsync("(ended)");
    }

    private async Task LogInAsync(IPage page, string password)
    {
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/login$"));
        await page.GetByTestId("login-password").FillAsync(password);
        await page.GetByTestId("login-submit").ClickAsync();
        await Expect(page).ToHaveURLAsync(fixture.Url + "/");
    }

    /// <summary>A full-page screenshot into the test's output directory and, when asked, where GRID_DASHBOARD_SCREENSHOT says.</summary>
    private async Task ScreenshotAsync(IPage page)
    {
        // Wait for a few seconds of history, so the charts draw lines rather than points.
        await page.WaitForFunctionAsync("() => +document.querySelector('[data-testid=chart-tasks]').dataset.samples >= 10", null, new() { Timeout = 60_000 });
        var paths = new List<string> { Path.Combine(AppContext.BaseDirectory, "dashboard.png") };
        if (Environment.GetEnvironmentVariable(ScreenshotVariable) is { Length: > 0 } extra) paths.Add(Path.GetFullPath(extra));
        var png = await page.ScreenshotAsync(new() { FullPage = true });
        foreach (var path in paths)
        {
            await File.WriteAllBytesAsync(path, png);
            output.WriteLine($"screenshot: {path}");
        }
    }
}
