using System.Net;
using System.Net.Sockets;

namespace Grid.Testing;

/// <summary>Free TCP ports on the loopback interface, for servers and silos a test starts.</summary>
public static class LoopbackPorts
{
    /// <summary>A port the OS reports free now (another process could still take it before use; callers retry on a bind failure).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
