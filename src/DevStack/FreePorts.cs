using System.Net;
using System.Net.Sockets;

namespace CameraNet.DevStack;

public static class FreePorts
{
    /// <summary>A loopback TCP port nobody listens on right now. Servers given one retry if they lose the race.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts TCP connections on the port, or the deadline passes.</summary>
    public static async Task<bool> WaitForListenerAsync(int port, TimeSpan timeout, Func<bool>? gaveUp = null, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && gaveUp?.Invoke() != true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        return false;
    }
}
