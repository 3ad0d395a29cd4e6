using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Grid.Cli;

/// <summary>What <c>grid start</c> was asked to start: the node's role, resources, labels and network.</summary>
internal sealed record NodeSettings
{
    public required bool Head { get; init; }
    public double? NumCpus { get; init; }
    public double? NumGpus { get; init; }
    public Dictionary<string, double> Resources { get; init; } = [];
    public Dictionary<string, string> Labels { get; init; } = [];
    /// <summary>The address other nodes and clients reach this node at; null picks one (see <see cref="NetworkAddresses"/>).</summary>
    public IPAddress? NodeIp { get; init; }
    /// <summary>The address to listen on; null: <see cref="NodeIp"/>'s (a node listens where it is reached). 0.0.0.0 is an explicit choice.</summary>
    public IPAddress? Listen { get; init; }
    /// <summary>Run without TLS (<c>--insecure</c>): a head records it for its cluster; workers follow the cluster's record.</summary>
    public bool Insecure { get; init; }
    /// <summary>Orleans silo-to-silo port; 0 picks a free one.</summary>
    public int NodePort { get; init; }
    /// <summary>Orleans client gateway port; 0 picks a free one.</summary>
    public int GatewayPort { get; init; }
    /// <summary>Directories searched for the assemblies of tasks and actors this node runs (besides shipped code).</summary>
    public IReadOnlyList<string> CodePath { get; init; } = [];
    /// <summary>Head only: the port of the web service (dashboard, state API, jobs); 0 turns it off. Ray's default, 8265.</summary>
    public int DashboardPort { get; init; } = DefaultDashboardPort;
    /// <summary>Head only: the address the web service listens on; loopback by default, as Ray's.</summary>
    public IPAddress DashboardHost { get; init; } = IPAddress.Loopback;
    /// <summary>The port of this node's Prometheus endpoint (on its listen address); 0 picks a free one.</summary>
    public int MetricsPort { get; init; }

    public const int DefaultDashboardPort = 8265;

    public string Role => Head ? "head" : "worker";

    /// <summary>Parses --resources: a JSON object of custom resource names to amounts, e.g. {"accelerator": 2}.</summary>
    public static Dictionary<string, double> ParseResources(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            var parsed = JsonSerializer.Deserialize<Dictionary<string, double>>(json) ?? [];
            foreach (var (name, amount) in parsed)
                if (amount < 0 || double.IsNaN(amount)) throw new GridCliException($"--resources: '{name}' has a negative amount ({amount}); amounts must be 0 or more.");
            if (parsed.Keys.FirstOrDefault(k => k is "CPU" or "GPU") is { } reserved)
                throw new GridCliException($"--resources: declare {reserved} with --num-{reserved.ToLowerInvariant()}s, not in --resources.");
            return parsed;
        }
        catch (JsonException e)
        {
            throw new GridCliException($"--resources must be a JSON object of names to numbers, e.g. '{{\"accelerator\": 2}}' ({e.Message}).");
        }
    }

    /// <summary>Parses --labels: "k=v,k2=v2".</summary>
    public static Dictionary<string, string> ParseLabels(string? text)
    {
        var labels = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(text)) return labels;
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new GridCliException($"--labels: '{pair}' is not key=value; write labels as k=v,k2=v2.");
            labels[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        return labels;
    }
}

/// <summary>Picks addresses and ports for a node.</summary>
internal static class NetworkAddresses
{
    /// <summary>
    /// The local address this machine uses to reach <paramref name="remoteHost"/> (a UDP "connect" sends
    /// nothing, it only asks the routing table); loopback when the remote is on this machine.
    /// </summary>
    public static IPAddress LocalAddressTowards(string remoteHost)
    {
        try
        {
            var remote = IPAddress.TryParse(remoteHost, out var ip) ? ip
                : Dns.GetHostAddresses(remoteHost).First(a => a.AddressFamily == AddressFamily.InterNetwork);
            if (IPAddress.IsLoopback(remote)) return IPAddress.Loopback;
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(remote, 9);
            return ((IPEndPoint)socket.LocalEndPoint!).Address;
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException)
        {
            return IPAddress.Loopback;
        }
    }

    /// <summary>The machine's address on its default route (what other machines most likely reach it at), else loopback.</summary>
    public static IPAddress Primary() => LocalAddressTowards("192.0.2.1");

    public static int FreePort(IPAddress on)
    {
        using var listener = new TcpListener(on, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string Format(IPAddress ip, int port) => string.Create(CultureInfo.InvariantCulture, $"{ip}:{port}");
}
