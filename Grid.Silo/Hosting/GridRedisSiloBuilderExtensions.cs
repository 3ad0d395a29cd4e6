using Grid.Hosting;
using Grid.Silo.Gcs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Serialization;

namespace Grid.Silo;

public static class GridRedisSiloBuilderExtensions
{
    /// <summary>
    /// Makes this silo a node of the cluster whose GCS and membership live in one Redis: registers
    /// <see cref="RedisGcs"/> as the node's <see cref="IGcs"/> (whether called before or after
    /// <c>UseGrid</c>), Orleans' Redis membership on the same server, and failure detection tuned so
    /// that a dead silo is declared dead within seconds (<see cref="ConfigureFailureDetection"/>).
    /// A wrong or missing password fails the silo's start with <see cref="GridAuthenticationException"/>,
    /// an unreachable server with <see cref="GridConnectionException"/>.
    /// </summary>
    public static ISiloBuilder UseGridRedis(this ISiloBuilder silo, Action<GridRedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new GridRedisOptions();
        configure(options);

        silo.Configure<ClusterOptions>(o => { o.ClusterId = options.ClusterId; o.ServiceId = GridRedisClientBuilderExtensions.ServiceId; });
        silo.UseRedisClustering(o => GridRedis.ConfigureClustering(o, options));
        silo.Configure<ClusterMembershipOptions>(ConfigureFailureDetection);

        var services = silo.Services;
        // Replaces UseGrid's in-memory default if that ran first; if it runs later, its TryAdd sees this one.
        services.RemoveAll<IGcs>();
        services.RemoveAll<RedisGcs>();
        services.AddSingleton(sp => new RedisGcs(options, sp.GetRequiredService<Serializer>(), sp.GetService<ILogger<RedisGcs>>()));
        services.AddSingleton<IGcs>(sp => sp.GetRequiredService<RedisGcs>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, RedisGcsLifecycle>();
        return silo;
    }

    /// <summary>
    /// Failure detection for Grid clusters. Orleans' defaults (5 s probes, 3 missed, 2 votes, table
    /// refresh every minute) take about half a minute or more to declare a silo dead, during which
    /// tasks keep being sent to it. Grid's retries and actor restarts wait on that declaration, so it
    /// is shortened to a few seconds: each silo probes 3 others every <see cref="ClusterMembershipOptions.ProbeTimeout"/>
    /// (2 s; Orleans adapts it between half and 4× to observed response times), a silo missing 3 probes in a row (about 6 s) is suspected and, with the votes of its
    /// probers (2, or all there are in a smaller cluster), declared dead. Every silo re-reads the
    /// table every 2 s so the death reaches all of them quickly; it is one small Redis hash read.
    /// Shorter probe timeouts risk declaring a silo dead during a long GC pause or CPU starvation;
    /// 2 s × 3 tolerates pauses of several seconds. Measured by the chaos run (docs/reliability.md): a
    /// SIGKILLed node, whose sockets the kernel closes, is listed dead in the GCS 2.7–4.6 s after the
    /// kill; a node that hangs without closing them is suspected only once 3 probes have timed out
    /// (about 6 s at the initial timeout; not measured).
    /// A prober whose own execution stalled during a probe counts its failure as inconclusive (Orleans
    /// 10), one whose local health is degraded waits longer for answers, and a failed direct probe is
    /// retried through another silo, so a busy node does not vote a healthy one dead; the last two are
    /// set explicitly because these margins depend on them.
    /// </summary>
    public static void ConfigureFailureDetection(ClusterMembershipOptions o)
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(2);
        o.NumMissedProbesLimit = 3;
        o.NumProbedSilos = 3;
        o.NumVotesForDeathDeclaration = 2;
        o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
        // Votes older than this are ignored; it must cover the ~6 s it takes to collect them.
        o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
        o.ExtendProbeTimeoutDuringDegradation = true;
        o.EnableIndirectProbes = true;
    }
}

/// <summary>
/// Connects the Redis GCS early in the silo's start (before membership and grains), so a wrong
/// password or address fails the start with a typed error instead of surfacing later in a grain.
/// </summary>
internal sealed class RedisGcsLifecycle(RedisGcs gcs) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RedisGcsLifecycle), ServiceLifecycleStage.RuntimeInitialize, ct => gcs.StartAsync(ct));
}
