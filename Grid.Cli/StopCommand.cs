using System.CommandLine;
using Grid.Hosting;

namespace Grid.Cli;

/// <summary>
/// <c>grid stop</c>: stops every node started on this machine (SIGTERM: each leaves the cluster and
/// marks itself dead in the GCS), then the head's Redis, and waits until their processes are gone.
/// </summary>
internal static class StopCommand
{
    public static Command Create()
    {
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for nodes to stop before killing them.", DefaultValueFactory = _ => 60 };
        var command = new Command("stop", "Stop the Grid nodes started on this machine, and the head's Redis.") { timeout };
        command.SetAction(parse => CliErrors.RunAsync(() => StopAsync(TimeSpan.FromSeconds(parse.GetValue(timeout)))));
        return command;
    }

    private static async Task<int> StopAsync(TimeSpan timeout)
    {
        var nodes = NodeRecord.ReadRunning();
        foreach (var node in nodes) LocalProcesses.Terminate(node.Pid);
        var stuck = await LocalProcesses.WaitForExitAsync([.. nodes.Select(n => n.Pid)], NodeRecord.ProcessMarkers, timeout).ConfigureAwait(false);
        foreach (var pid in stuck) LocalProcesses.ForceKill(pid);
        if (stuck.Count > 0) await LocalProcesses.WaitForExitAsync(stuck, NodeRecord.ProcessMarkers, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        foreach (var node in nodes)
        {
            NodeRecord.Remove(node.Pid);
            var how = stuck.Contains(node.Pid) ? $"killed: it did not stop within {timeout.TotalSeconds:F0} s" : "stopped";
            Console.WriteLine($"Stopped the {node.Role} node {node.NodeId} (pid {node.Pid}, {how}).");
        }

        var redis = await RedisServer.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        if (redis is { } r) Console.WriteLine($"Stopped the head's redis-server (pid {r.Pid}{(r.Stopped ? "" : ", killed")}).");
        // The cluster file names a cluster this machine leads; it is gone once its Redis is (or when nothing runs here).
        if (redis is not null || nodes.Count == 0 || nodes.Any(n => n.Role == "head")) CurrentCluster.Delete();
        if (nodes.Count == 0 && redis is null) Console.WriteLine($"No Grid nodes were running on this machine (state dir {StatePaths.Root}).");
        return stuck.Count > 0 ? 1 : 0;
    }
}
