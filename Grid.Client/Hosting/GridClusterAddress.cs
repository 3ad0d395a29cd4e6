namespace Grid.Hosting;

/// <summary>
/// Turns what a user gives as a cluster address into the cluster's Redis endpoint and password:
/// "host:port" (or "redis://[:password@]host:port"), "auto" for the cluster whose head runs on this
/// machine, or nothing, which falls back to <c>GRID_ADDRESS</c> / <c>GRID_PASSWORD</c> and then "auto".
/// </summary>
internal sealed record GridClusterAddress(string Address, string? Password, string ClusterId)
{
    public const string AddressVariable = "GRID_ADDRESS";
    public const string PasswordVariable = "GRID_PASSWORD";
    public const string Auto = "auto";

    public string Host => Address[..Address.LastIndexOf(':')];
    public int Port => int.Parse(Address[(Address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Resolves <paramref name="address"/> and <paramref name="password"/> (either may be null).</summary>
    public static GridClusterAddress Resolve(string? address, string? password, string? clusterId = null)
    {
        address = NullIfEmpty(address) ?? NullIfEmpty(Environment.GetEnvironmentVariable(AddressVariable)) ?? Auto;
        password = NullIfEmpty(password) ?? NullIfEmpty(Environment.GetEnvironmentVariable(PasswordVariable));
        if (string.Equals(address, Auto, StringComparison.OrdinalIgnoreCase))
        {
            var current = CurrentCluster.TryRead() ?? throw new GridConnectionException(
                $"No Grid cluster was started on this machine (no {GridStateDirectory.CurrentClusterFile}). " +
                $"Start one with 'grid start --head', or pass the head's address (HOST:PORT) or set {AddressVariable}.", Auto);
            return new GridClusterAddress(current.Address, password ?? current.Password, clusterId ?? current.ClusterId);
        }
        var (endpoint, urlPassword) = Parse(address);
        return new GridClusterAddress(endpoint, password ?? urlPassword, clusterId ?? GridClientOptions.DefaultClusterId);
    }

    /// <summary>Parses "host:port" or "redis://[:password@]host:port" into "host:port" and the URL's password.</summary>
    public static (string Address, string? Password) Parse(string address)
    {
        var text = address.Trim();
        string? password = null;
        if (text.StartsWith("redis://", StringComparison.OrdinalIgnoreCase))
        {
            text = text["redis://".Length..].TrimEnd('/');
            var at = text.LastIndexOf('@');
            if (at >= 0)
            {
                var user = text[..at];
                password = Uri.UnescapeDataString(user.Contains(':') ? user[(user.IndexOf(':') + 1)..] : user);
                text = text[(at + 1)..];
            }
        }
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out var port) || port is <= 0 or > 65535)
            throw new GridConnectionException(
                $"'{address}' is not a cluster address: give the head's HOST:PORT (e.g. 127.0.0.1:6379), redis://:PASSWORD@HOST:PORT, or 'auto'.", address);
        return (text, password);
    }

    /// <summary>The Redis settings for this cluster; <paramref name="passwordName"/> is how errors name the password setting.</summary>
    public GridRedisOptions ToRedisOptions(string passwordName) =>
        new() { Address = Address, Password = Password, ClusterId = ClusterId, PasswordOptionName = passwordName };

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    public override string ToString() => Address;
}
