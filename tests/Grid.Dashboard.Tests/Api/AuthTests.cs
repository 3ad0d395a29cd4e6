using System.Net;
using System.Net.Http.Json;
using Grid.State;

namespace Grid.Dashboard.Tests.Api;

/// <summary>The cluster's password guards every page and API of the web service: a bearer token, or a login's cookie.</summary>
[Collection("dashboard")]
public sealed class AuthTests(DashboardCluster cluster)
{
    [Fact]
    public async Task The_api_refuses_a_request_without_the_password_or_with_a_wrong_one_and_says_why()
    {
        using var none = cluster.Http(authenticated: false);
        using var refused = await none.GetAsync("api/nodes");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("password", (await refused.Content.ReadFromJsonAsync<ApiError>(HeadApi.Json))!.Error, StringComparison.OrdinalIgnoreCase);

        using var wrong = cluster.Http(bearer: "not-the-password");
        using var refusedAgain = await wrong.GetAsync("api/cluster");
        Assert.Equal(HttpStatusCode.Unauthorized, refusedAgain.StatusCode);
        Assert.Contains("wrong", (await refusedAgain.Content.ReadFromJsonAsync<ApiError>(HeadApi.Json))!.Error, StringComparison.OrdinalIgnoreCase);

        using var right = cluster.Http();
        using var answered = await right.GetAsync("api/nodes");
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }

    [Fact]
    public async Task A_page_without_the_password_redirects_to_the_login_page_which_is_served_without_it()
    {
        using var none = cluster.Http(authenticated: false);
        using var page = await none.GetAsync("");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/login", page.Headers.Location?.ToString());

        using var login = await none.GetAsync("login");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal("text/html", login.Content.Headers.ContentType?.MediaType);
        var html = await login.Content.ReadAsStringAsync();
        Assert.Contains("name=\"password\"", html);
        Assert.DoesNotContain("data-testid=\"login-error\"", html);
    }

    [Fact]
    public async Task A_wrong_password_at_the_login_says_so_and_sets_no_cookie()
    {
        using var none = cluster.Http(authenticated: false);
        using var response = await none.PostAsync("login", new FormUrlEncodedContent([KeyValuePair.Create("password", "guess")]));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Contains("data-testid=\"login-error\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_login_sets_a_session_cookie_that_opens_the_api_until_logout()
    {
        using var none = cluster.Http(authenticated: false);
        using var login = await none.PostAsync("login", new FormUrlEncodedContent([KeyValuePair.Create("password", DashboardCluster.Password)]));
        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        Assert.Equal("/", login.Headers.Location?.ToString());
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("grid_session=", setCookie);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        var cookie = setCookie.Split(';')[0];
        Assert.DoesNotContain(DashboardCluster.Password, Uri.UnescapeDataString(cookie));

        Assert.Equal(HttpStatusCode.OK, await StatusWithCookieAsync("api/nodes", cookie));
        Assert.Equal(HttpStatusCode.OK, await StatusWithCookieAsync("", cookie));

        using var logout = new HttpRequestMessage(HttpMethod.Post, "logout");
        logout.Headers.Add("Cookie", cookie);
        using var loggedOut = await none.SendAsync(logout);
        Assert.Equal(HttpStatusCode.SeeOther, loggedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithCookieAsync("api/nodes", cookie));
    }

    [Fact]
    public async Task A_made_up_session_cookie_opens_nothing()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithCookieAsync("api/nodes", "grid_session=made-up"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithCookieAsync("api/nodes", $"grid_session={DashboardCluster.Password}"));
    }

    [Fact]
    public async Task Every_nodes_metrics_endpoint_asks_for_the_password()
    {
        using var http = new HttpClient();
        foreach (var url in cluster.MetricsUrls)
        {
            using var refused = await http.GetAsync(url);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new("Bearer", DashboardCluster.Password);
            using var answered = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }
    }

    private async Task<HttpStatusCode> StatusWithCookieAsync(string path, string cookie)
    {
        using var none = cluster.Http(authenticated: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        using var response = await none.SendAsync(request);
        return response.StatusCode;
    }
}
