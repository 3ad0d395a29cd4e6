using System.Net;
using System.Net.Http.Json;
using Grid.State;
using Grid.Testing;

namespace Grid.Dashboard.Tests.Api;

/// <summary>A head whose GCS (Redis) is gone answers 503 with the reason, within its GCS timeout: it never hangs.</summary>
public sealed class GcsDownTests
{
    [Fact]
    public async Task With_redis_stopped_the_api_answers_503_naming_redis_and_what_to_do()
    {
        var redis = await RedisServer.StartAsync();
        await using var _ = redis;
        await using var cluster = await new GridTestClusterBuilder()
            .Silos(1)
            .UseRedisGcs(redis)
            .ConfigureSilos((_, silo) => silo.UseGridDashboard(o => { o.Port = 0; o.GcsTimeout = TimeSpan.FromSeconds(2); }))
            .StartAsync();
        var url = GridTestCluster.Service<DashboardEndpoint>(cluster.Silos[0]).Url;
        using var http = new HttpClient { BaseAddress = new Uri(url + "/"), Timeout = TimeSpan.FromSeconds(60) };

        using (var before = await http.GetAsync("api/nodes"))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await redis.DisposeAsync();

        foreach (var path in (string[])["api/nodes", "api/actors", "api/placement-groups", "api/jobs", "api/cluster", "api/summary/actors"])
        {
            using var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var error = (await response.Content.ReadFromJsonAsync<ApiError>(HeadApi.Json))!.Error;
            Assert.Contains("GCS", error);
            Assert.Contains(redis.Address, error);
            Assert.Contains("Restart Redis", error);
        }
    }
}
