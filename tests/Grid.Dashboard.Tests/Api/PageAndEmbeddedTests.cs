using System.Net;
using Grid.State;
using Grid.Testing;

namespace Grid.Dashboard.Tests.Api;

/// <summary>The page's files are served from the assembly; the embedded mode can serve the whole web service.</summary>
[Collection("dashboard")]
public sealed class PageTests(DashboardCluster cluster)
{
    [Theory]
    [InlineData("", "text/html")]
    [InlineData("login", "text/html")]
    public async Task The_pages_files_come_with_their_content_type_and_no_cache(string path, string type)
    {
        // The login page is for those who have not logged in (a logged-in browser is sent on to the page).
        using var http = cluster.Http(authenticated: path != "login");
        using var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Contains("<html", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Every_embedded_file_is_served_at_its_path()
    {
        using var http = cluster.Http();
        var names = typeof(DashboardEndpoint).Assembly.GetManifestResourceNames().Where(n => n.StartsWith("wwwroot/", StringComparison.Ordinal)).ToList();
        Assert.Contains("wwwroot/index.html", names);
        foreach (var name in names.Where(n => n is not "wwwroot/index.html" and not "wwwroot/login.html"))
        {
            using var response = await http.GetAsync(name["wwwroot/".Length..]);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("no-cache", response.Headers.CacheControl?.ToString());
        }
    }
}

public sealed class EmbeddedDashboardTests
{
    [Fact]
    public async Task The_embedded_mode_serves_the_state_api_without_a_password()
    {
        var port = LoopbackPorts.Next();
        await using var grid = await GridClient.StartLocalAsync(node => node.NumCpus = 2, silo: s => s.UseGridDashboard(o => o.Port = port));
        var square = grid.Function<int, int>(DashboardFunctions.Square);
        Assert.Equal(49, await square.Remote(7));

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
        var nodes = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<Page<NodeView>>(http, "api/nodes", HeadApi.Json);
        var node = Assert.Single(nodes!.Items);
        Assert.True(node.IsHead);
        Assert.Equal(2, node.Resources["CPU"].Total);
    }
}
