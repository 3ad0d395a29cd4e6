using StackExchange.Redis;

namespace Grid.Silo.Gcs;

internal sealed partial class RedisGcs
{
    public async Task<bool> HasCodePackageAsync(string hash)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        return await db.KeyExistsAsync(_keys.CodePackage(hash)).ConfigureAwait(false);
    }

    public async Task PutCodePackageAsync(string hash, ReadOnlyMemory<byte> package)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        // Content-addressed: the first writer's bytes stay; later puts of the same hash are no-ops.
        await db.StringSetAsync(_keys.CodePackage(hash), package, when: When.NotExists).ConfigureAwait(false);
    }

    public async Task<byte[]?> GetCodePackageAsync(string hash)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var value = await db.StringGetAsync(_keys.CodePackage(hash)).ConfigureAwait(false);
        return value.IsNull ? null : (byte[]?)value;
    }
}
