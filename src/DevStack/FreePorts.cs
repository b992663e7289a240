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
}
