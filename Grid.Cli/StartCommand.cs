using System.CommandLine;
using System.Net;
using System.Security.Cryptography;
using Grid.Hosting;

namespace Grid.Cli;

/// <summary><c>grid start</c>: starts a head node (and its Redis) or joins a worker node to a cluster.</summary>
internal static class StartCommand
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);

    public static Command Create()
    {
        var head = new Option<bool>("--head") { Description = "Start the head node: the cluster's Redis (GCS and membership) and a node." };
        var address = new Option<string?>("--address") { Description = "Join the cluster whose head is at HOST:PORT (its Redis), or 'auto' for the one started on this machine." };
        var port = new Option<int>("--port") { Description = "Port of the head's Redis.", DefaultValueFactory = _ => 6379 };
        var password = new Option<string?>("--password") { Description = "The cluster's password (default: GRID_PASSWORD; a head without one generates one)." };
        var redisUrl = new Option<string?>("--redis-url") { Description = "Use an existing Redis (HOST:PORT or redis://:PASSWORD@HOST:PORT) instead of starting one." };
        var numCpus = new Option<double?>("--num-cpus") { Description = "CPUs this node offers to tasks (default: the machine's cores)." };
        var numGpus = new Option<double?>("--num-gpus") { Description = "GPUs this node offers (default: 0)." };
        var resources = new Option<string?>("--resources") { Description = "Custom resources as JSON, e.g. '{\"accelerator\": 2}'." };
        var labels = new Option<string?>("--labels") { Description = "Node labels, e.g. zone=a,disk=ssd." };
        var block = new Option<bool>("--block") { Description = "Run the node in the foreground until Ctrl+C or SIGTERM, logging to the terminal." };
        var nodeIp = new Option<string?>("--node-ip-address") { Description = "The address other nodes and clients reach this node at (default: the one towards the head; the default route's for a head)." };
        var nodePort = new Option<int>("--node-port") { Description = "Silo-to-silo port (default: a free one)." };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "Client gateway port (default: a free one)." };
        var codePath = new Option<string[]>("--code-path") { Description = "A directory holding task and actor assemblies this node may load (repeatable; also GRID_CODE_PATH).", Arity = ArgumentArity.ZeroOrMore };
        var listen = new Option<string?>("--listen") { Description = "The address to listen on (default: the node's own address, so a loopback node stays on loopback; 0.0.0.0 for every interface)." };
        var insecure = new Option<bool>("--insecure") { Description = "Head only: run the cluster without TLS or authentication on its node, gateway and transfer ports (only on a network you trust)." };
        var fresh = new Option<bool>("--fresh") { Description = "Head only: start a new cluster, dropping the previous one's nodes, actors and credentials kept in its Redis." };
        var dashboardPort = new Option<int>("--dashboard-port") { Description = "Head only: port of the web service — dashboard, state API (grid list), jobs (grid job); 0 turns it off.", DefaultValueFactory = _ => NodeSettings.DefaultDashboardPort };
        var dashboardHost = new Option<string>("--dashboard-host") { Description = "Head only: the address the web service listens on (0.0.0.0 for every interface; the cluster's password guards it).", DefaultValueFactory = _ => "127.0.0.1" };
        var metricsPort = new Option<int>("--metrics-port") { Description = "Port of this node's Prometheus endpoint /metrics, on the node's listen address (default: a free one)." };
        var clusterId = new Option<string>("--cluster-id") { Description = "Name of the cluster inside its Redis.", DefaultValueFactory = _ => GridClientOptions.DefaultClusterId, Hidden = true };

        var command = new Command("start", "Start a Grid node on this machine: a head (--head) or a worker joining a head (--address).")
        {
            head, address, port, password, redisUrl, numCpus, numGpus, resources, labels, block, nodeIp, nodePort, gatewayPort, codePath, clusterId,
            listen, insecure, fresh, dashboardPort, dashboardHost, metricsPort,
        };
        command.SetAction(parse => CliErrors.RunAsync(() =>
        {
            var request = new StartRequest(
                parse.GetValue(head), parse.GetValue(address), parse.GetValue(port), parse.GetValue(password), parse.GetValue(redisUrl),
                parse.GetValue(block), parse.GetValue(clusterId)!, parse.GetValue(fresh),
                new NodeSettings
                {
                    Head = parse.GetValue(head),
                    NumCpus = parse.GetValue(numCpus),
                    NumGpus = parse.GetValue(numGpus),
                    Resources = NodeSettings.ParseResources(parse.GetValue(resources)),
                    Labels = NodeSettings.ParseLabels(parse.GetValue(labels)),
                    NodeIp = ParseIp(parse.GetValue(nodeIp), "--node-ip-address"),
                    Listen = ParseIp(parse.GetValue(listen), "--listen"),
                    Insecure = parse.GetValue(insecure),
                    NodePort = parse.GetValue(nodePort),
                    GatewayPort = parse.GetValue(gatewayPort),
                    CodePath = parse.GetValue(codePath) ?? [],
                    DashboardPort = Port(parse.GetValue(dashboardPort), "--dashboard-port"),
                    DashboardHost = ParseIp(parse.GetValue(dashboardHost), "--dashboard-host")!,
                    MetricsPort = Port(parse.GetValue(metricsPort), "--metrics-port"),
                });
            if (!request.Settings.Head && (parse.GetResult(dashboardPort) is { Implicit: false } || parse.GetResult(dashboardHost) is { Implicit: false }))
                throw new GridCliException("--dashboard-port and --dashboard-host are for the head: the head serves the cluster's web service.");
            return request.Settings.Head ? StartHeadAsync(request) : StartWorkerAsync(request);
        }));
        return command;
    }

    private sealed record StartRequest(bool Head, string? Address, int Port, string? Password, string? RedisUrl, bool Block, string ClusterId, bool Fresh, NodeSettings Settings);

    private static async Task<int> StartHeadAsync(StartRequest r)
    {
        if (r.Address is not null) throw new GridCliException("Give either --head (start a cluster) or --address HOST:PORT (join one), not both.");
        var password = r.Password ?? Environment.GetEnvironmentVariable(GridClusterAddress.PasswordVariable);
        var ownsRedis = r.RedisUrl is null;
        var startedRedis = false;
        GridClusterAddress cluster;
        var fresh = r.Fresh;
        if (!ownsRedis)
        {
            cluster = GridClusterAddress.Resolve(r.RedisUrl, password, r.ClusterId);
        }
        else if (!fresh && RejoinAddress(r, password) is { } running)
        {
            // The head node died and left its Redis running (it is a daemon of its own): the cluster lives on there, so
            // the restarted head joins it again instead of starting a second one.
            cluster = running;
        }
        else
        {
            startedRedis = true;
            // A generated password starts a new cluster: the previous one's state (sealed under its password) is of no use.
            if (string.IsNullOrEmpty(password)) (password, fresh) = (RandomNumberGenerator.GetHexString(32, lowercase: true), true);
            var ip = r.Settings.NodeIp ?? NetworkAddresses.Primary();
            IPAddress[] bind = IPAddress.IsLoopback(ip) ? [ip] : [ip, IPAddress.Loopback];
            await RedisServer.StartAsync(r.Port, password, bind, fresh, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            cluster = new GridClusterAddress(NetworkAddresses.Format(ip, r.Port), password, r.ClusterId);
        }

        try
        {
            await ClusterProbe.EnsureReachableAsync(cluster).ConfigureAwait(false);
            if (fresh && !ownsRedis) await ClusterProbe.ForgetClusterAsync(cluster).ConfigureAwait(false);
            new CurrentCluster { Address = cluster.Address, Password = cluster.Password, ClusterId = cluster.ClusterId }.Write();
            if (r.Block)
            {
                PrintHowToJoin(cluster, log: null);
                return await NodeHost.RunAsync(r.Settings, cluster, ownsRedis).ConfigureAwait(false);
            }
            var node = await NodeLauncher.StartDetachedAsync(r.Settings, cluster, ReadyTimeout).ConfigureAwait(false);
            Console.WriteLine($"Started the Grid head node {node.NodeId} (pid {node.Pid}).");
            PrintHowToJoin(cluster, node.Log);
            PrintEndpoints(node);
            return 0;
        }
        catch when (startedRedis)
        {
            // A head that failed leaves nothing behind: its Redis and the current-cluster file go too.
            await RedisServer.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            CurrentCluster.Delete();
            throw;
        }
    }

    /// <summary>
    /// The running cluster a restarted head rejoins: the Redis this machine's head started still runs, on the port asked
    /// for; null when there is none (then the head starts a cluster). A different password is refused, not ignored.
    /// </summary>
    private static GridClusterAddress? RejoinAddress(StartRequest r, string? password)
    {
        if (RedisServer.RunningPid() is not { } pid || CurrentCluster.TryRead() is not { } current) return null;
        if (!current.Address.EndsWith($":{r.Port}", StringComparison.Ordinal))
            throw new GridCliException($"The Redis of this machine's cluster at {current.Address} still runs (pid {pid}), on another port than {r.Port}. " +
                "Restart the head with that port to rejoin it, or stop that cluster with 'grid stop' first.");
        if (!string.IsNullOrEmpty(password) && password != current.Password)
            throw new GridCliException($"The Redis of this machine's cluster at {current.Address} still runs (pid {pid}) with another password. " +
                "Give that cluster's password to rejoin it, or stop it with 'grid stop' first.");
        Console.WriteLine($"The cluster's Redis at {current.Address} still runs (pid {pid}): the head node rejoins that cluster.");
        return new GridClusterAddress(current.Address, current.Password, current.ClusterId);
    }

    private static async Task<int> StartWorkerAsync(StartRequest r)
    {
        if (r.Address is null)
            throw new GridCliException("Say which node to start: 'grid start --head' starts a cluster, 'grid start --address HOST:PORT' joins one.");
        if (r.RedisUrl is not null) throw new GridCliException("--redis-url is for the head; a worker joins with --address HOST:PORT.");
        if (r.Settings.Insecure || r.Fresh)
            throw new GridCliException("--insecure and --fresh are for the head: a worker follows the cluster's own choice (TLS unless its head ran --insecure).");
        var cluster = GridClusterAddress.Resolve(r.Address, r.Password, r.ClusterId);
        await ClusterProbe.EnsureReachableAsync(cluster).ConfigureAwait(false);
        if (r.Block) return await NodeHost.RunAsync(r.Settings, cluster, ownsRedis: false).ConfigureAwait(false);
        var node = await NodeLauncher.StartDetachedAsync(r.Settings, cluster, ReadyTimeout).ConfigureAwait(false);
        Console.WriteLine($"Started a Grid worker node {node.NodeId} (pid {node.Pid}) in the cluster at {cluster.Address}.");
        Console.WriteLine($"  Log: {node.Log}");
        PrintEndpoints(node);
        Console.WriteLine("  See the cluster with 'grid status'; stop this machine's nodes with 'grid stop'.");
        return 0;
    }

    /// <summary>
    /// How to join and connect. The password itself is never printed: this text goes to the head's log when the head
    /// runs detached, and a log is no place for a secret. It is in the 0600 current-cluster file of this user.
    /// </summary>
    private static void PrintHowToJoin(GridClusterAddress cluster, string? log)
    {
        var hasPassword = cluster.Password is { Length: > 0 };
        var pw = hasPassword ? " --password PASSWORD" : "";
        Console.WriteLine($"""
            Grid cluster at {cluster.Address}{(log is null ? "" : $"\n  Head log: {log}")}
            {(hasPassword ? $"  Password: in {GridStateDirectory.CurrentClusterFile} (readable by you only), or the one you gave with --password / GRID_PASSWORD" : "")}

            To add a worker node (on another machine, or this one):
              grid start --address {cluster.Address}{pw}

            To connect a program:
              await using var grid = await GridClient.ConnectAsync("{cluster.Address}"{(hasPassword ? ", password" : "")});
            or set GRID_ADDRESS={cluster.Address}{(hasPassword ? " GRID_PASSWORD=PASSWORD" : "")} and call GridClient.ConnectAsync();
            on this machine GridClient.ConnectAsync("auto") finds this cluster.

            See the cluster: grid status        Stop this machine's nodes and Redis: grid stop
            """);
    }

    /// <summary>The node's web endpoints: the dashboard (head) and the Prometheus scrape endpoint (every node).</summary>
    private static void PrintEndpoints(NodeRecord node)
    {
        if (node.DashboardUrl is { } dashboard)
            Console.WriteLine($"  Dashboard: {dashboard}   (state: grid list nodes; jobs: grid job submit -- COMMAND…)");
        if (node.MetricsUrl is { } metrics)
            Console.WriteLine($"  Metrics (Prometheus, bearer token = the cluster's password): {metrics}");
    }

    private static int Port(int port, string option) =>
        port is >= 0 and <= 65535 ? port : throw new GridCliException($"{option}: {port} is not a port (0–65535).");

    private static IPAddress? ParseIp(string? text, string option) =>
        text is null ? null : IPAddress.TryParse(text, out var ip) ? ip : throw new GridCliException($"{option}: '{text}' is not an IP address.");
}
