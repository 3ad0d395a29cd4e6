using System.Globalization;
using System.Net;

namespace Grid.Cluster.Tests;

/// <summary>
/// What a <c>grid start</c> cluster gives away by default: nothing. The password is in no command line, no log and
/// no file others can read; the state directory is its user's only; loopback nodes listen on loopback only.
/// </summary>
[Collection(ThreeNodeCluster.Name)]
public sealed class SafeDefaultsTests(LocalCluster cluster)
{
    [Fact]
    public void The_password_is_in_no_command_line_and_no_log()
    {
        var pids = cluster.RecordedPids();
        Assert.Equal(4, pids.Count); // three nodes and the head's Redis
        foreach (var pid in pids)
            Assert.DoesNotContain(LocalCluster.Password, File.ReadAllText($"/proc/{pid}/cmdline"));
        var logs = Directory.GetFiles(Path.Combine(cluster.StateDir, "logs"));
        Assert.Contains(logs, l => Path.GetFileName(l).StartsWith("head-", StringComparison.Ordinal));
        foreach (var log in logs)
            Assert.DoesNotContain(LocalCluster.Password, File.ReadAllText(log));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Every_file_and_directory_of_the_state_directory_is_its_users_only()
    {
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        var entries = Directory.GetFileSystemEntries(cluster.StateDir, "*", SearchOption.AllDirectories).Append(cluster.StateDir).ToArray();
        Assert.Contains(entries, e => e.EndsWith("current-cluster.json", StringComparison.Ordinal));
        foreach (var entry in entries)
            Assert.True((File.GetUnixFileMode(entry) & others) == 0, $"{entry} is {File.GetUnixFileMode(entry)}");
    }

    [Fact]
    public async Task Loopback_nodes_listen_on_loopback_only()
    {
        await using var member = await MemberClient.ConnectAsync(cluster.Redis);
        var ports = new List<int>();
        foreach (var (silo, gateway) in await member.NodeEndpointsAsync()) ports.AddRange([silo.Port, gateway.Port]);
        foreach (var node in await cluster.AliveNodesAsync()) ports.Add((await member.TransferEndpointAsync(node.NodeId)).Endpoint.Port);
        ports.Add(cluster.Port); // Redis

        var listening = ListeningSockets();
        foreach (var port in ports)
        {
            var addresses = listening.Where(l => l.Port == port).Select(l => l.Address).ToArray();
            Assert.NotEmpty(addresses);
            Assert.All(addresses, a => Assert.True(IPAddress.IsLoopback(a), $"port {port} listens on {a}"));
        }
    }

    /// <summary>The machine's listening TCP sockets, from /proc/net/tcp and tcp6 (local address and port of state 0A).</summary>
    private static List<IPEndPoint> ListeningSockets()
    {
        var result = new List<IPEndPoint>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table)) continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 4 || fields[3] != "0A") continue;
                var (hex, port) = (fields[1][..fields[1].IndexOf(':')], int.Parse(fields[1][(fields[1].IndexOf(':') + 1)..], NumberStyles.HexNumber));
                var bytes = Convert.FromHexString(hex);
                // The kernel prints each 32-bit word in host (little-endian) order.
                for (var word = 0; word < bytes.Length; word += 4) Array.Reverse(bytes, word, 4);
                result.Add(new IPEndPoint(new IPAddress(bytes), port));
            }
        }
        return result;
    }
}
