using System.Net;
using System.Net.Sockets;

namespace Grid.Testing;

/// <summary>Raw TCP as a hostile peer uses it: send bytes that are not the port's protocol and see what comes back.</summary>
public static class RawConnections
{
    /// <summary>
    /// Connects, sends <paramref name="bytes"/>, closes the sending side and reads: true when the peer closed (or
    /// reset) the connection without answering; only a TLS alert (content type 21) may come before the close.
    /// </summary>
    public static async Task<bool> DroppedAsync(IPEndPoint endpoint, byte[] bytes, TimeSpan giveUp)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint);
        await socket.SendAsync(bytes);
        socket.Shutdown(SocketShutdown.Send);
        using var deadline = new CancellationTokenSource(giveUp);
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                if (read == 0) return true;
                if (buffer[0] != 0x15) return false;
            }
        }
        catch (SocketException) { return true; }
    }
}
