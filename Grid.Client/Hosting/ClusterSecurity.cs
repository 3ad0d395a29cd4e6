using System.Text;
using Grid.Security;
using StackExchange.Redis;

namespace Grid.Hosting;

/// <summary>
/// How a cluster's connections are protected, as its head recorded it in the cluster's Redis (key
/// <c>grid:{cluster}:security</c>): either the sealed <see cref="ClusterCredentials"/> (TLS with mutual
/// authentication on every silo, gateway and object-transfer connection) or "insecure" (the head was started with
/// <c>--insecure</c>). Reading the record needs the Redis password, and opening the credentials needs it again (they
/// are sealed under it), so knowing the cluster password is what makes a process a member. A cluster with no record
/// was not started by <c>grid start</c> (hosts that wire silos themselves): it runs without TLS.
/// </summary>
internal static class ClusterSecurity
{
    private const string InsecureValue = "insecure";
    private const string TlsPrefix = "tls:";

    /// <summary>How long new credentials stay valid; rotate them before (docs/security.md).</summary>
    public static readonly TimeSpan CredentialsLifetime = TimeSpan.FromDays(5 * 365);

    private static RedisKey Key(GridRedisOptions redis) => redis.KeyPrefix + "security";

    /// <summary>The cluster's credentials, or null when it runs without TLS. Used by workers and clients.</summary>
    public static async Task<ClusterCredentials?> ReadAsync(GridRedisOptions redis, CancellationToken cancellationToken = default)
    {
        await using var connection = await GridRedis.ConnectAsync(redis, cancellationToken).ConfigureAwait(false);
        var value = await connection.GetDatabase(redis.Database).StringGetAsync(Key(redis)).ConfigureAwait(false);
        return Open(value, redis);
    }

    /// <summary>
    /// The head's side: keeps the cluster's existing record (a restarted head keeps its credentials, so running
    /// workers and clients stay members) or makes one: new credentials, or "insecure". Returns the credentials in
    /// force, null when the cluster runs without TLS.
    /// </summary>
    public static async Task<ClusterCredentials?> EnsureAsync(GridRedisOptions redis, bool insecure, CancellationToken cancellationToken = default)
    {
        await using var connection = await GridRedis.ConnectAsync(redis, cancellationToken).ConfigureAwait(false);
        var db = connection.GetDatabase(redis.Database);
        RedisValue wanted;
        if (insecure)
        {
            wanted = InsecureValue; // --insecure is the operator's explicit choice: it replaces credentials a previous head made
            await db.StringSetAsync(Key(redis), wanted).ConfigureAwait(false);
            return null;
        }
        var existing = await db.StringGetAsync(Key(redis)).ConfigureAwait(false);
        if (existing.HasValue && existing != InsecureValue) return Open(existing, redis);
        using var created = ClusterCredentials.Create(redis.ClusterId, CredentialsLifetime);
        wanted = TlsPrefix + Convert.ToBase64String(created.Seal(redis.Password));
        // Two heads racing on one Redis agree on whichever record was written first.
        await db.StringSetAsync(Key(redis), wanted, when: existing.HasValue ? When.Always : When.NotExists).ConfigureAwait(false);
        return Open(await db.StringGetAsync(Key(redis)).ConfigureAwait(false), redis);
    }

    private static ClusterCredentials? Open(RedisValue value, GridRedisOptions redis)
    {
        if (!value.HasValue || value == InsecureValue) return null;
        var text = (string)value!;
        if (!text.StartsWith(TlsPrefix, StringComparison.Ordinal))
            throw new GridException($"The cluster's security record in Redis at {redis.Address} is not one this Grid version knows; upgrade this process or restart the cluster with 'grid start --head --fresh'.");
        byte[] sealedBytes;
        try { sealedBytes = Convert.FromBase64String(text[TlsPrefix.Length..]); }
        catch (FormatException) { sealedBytes = Encoding.UTF8.GetBytes(text); } // Unseal reports it as damaged
        return ClusterCredentials.Unseal(sealedBytes, redis.Password, $"Redis at {redis.Address}", redis.PasswordOptionName);
    }
}
