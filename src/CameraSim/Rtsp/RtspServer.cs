using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CameraNet.CameraSim.Rtsp;

/// <summary>
/// A small RTSP server (RFC 2326, RTP over interleaved TCP only) that plays pre-packetised loops
/// on a shared live timeline: every client of a camera sees the same frame at the same time, as
/// with a real camera. One pacing thread sends due frames to all playing sessions, so the cost per
/// camera is a memory copy per frame, not an encoder.
/// </summary>
public sealed class RtspServer : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, Mount> _mounts;
    private readonly Action<string> _log;
    private readonly TcpListener _listener;
    private readonly List<Socket> _refusing = [];
    private readonly Dictionary<string, int> _refusingPorts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<RtspConnection, byte> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = new();
    private Thread? _pacer;
    private Task? _acceptLoop;

    public RtspServer(IPAddress address, int port, IEnumerable<Mount> mounts, Action<string> log)
    {
        _mounts = mounts.ToDictionary(m => m.Name, StringComparer.Ordinal);
        _log = log;
        _listener = new TcpListener(address, port);
        Address = address;
    }

    public IPAddress Address { get; }
    public int Port { get; private set; }

    /// <summary>Wall-clock time of absolute frame 0 of every camera.</summary>
    public DateTimeOffset StartedAt { get; private set; }

    public TimeSpan Elapsed => _clock.Elapsed;

    public IReadOnlyDictionary<string, Mount> Mounts => _mounts;

    public int PortOf(Mount mount) => _refusingPorts.TryGetValue(mount.Name, out var port) ? port : Port;

    public void Start()
    {
        _listener.Server.NoDelay = true;
        _listener.Start(backlog: 512);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        foreach (var mount in _mounts.Values.Where(m => m.Camera.Fault == CameraFault.Refuse))
        {
            // Bound but never listening: the port stays ours, and every SYN is answered with a reset (ECONNREFUSED).
            var socket = new Socket(Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(Address, 0));
            _refusing.Add(socket);
            _refusingPorts[mount.Name] = ((IPEndPoint)socket.LocalEndPoint!).Port;
        }

        StartedAt = DateTimeOffset.UtcNow;
        _clock.Start();
        _acceptLoop = AcceptLoopAsync();
        _pacer = new Thread(Pace) { IsBackground = true, Name = "rtsp-pacer", Priority = ThreadPriority.AboveNormal };
        _pacer.Start();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                _log($"accept failed: {e.SocketErrorCode}");
                continue;
            }

            socket.NoDelay = true;
            var connection = new RtspConnection(socket, this, _log);
            _connections[connection] = 0;
            _ = RunConnectionAsync(connection);
        }
    }

    private async Task RunConnectionAsync(RtspConnection connection)
    {
        try
        {
            await connection.RunAsync(_stop.Token);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            connection.Dispose();
        }
    }

    /// <summary>The live timeline: absolute frame number now, for a camera at <paramref name="fps"/>.</summary>
    public long CurrentFrame(int fps) => (long)Math.Floor(_clock.Elapsed.TotalSeconds * fps);

    private void Pace()
    {
        while (!_stop.IsCancellationRequested)
        {
            var elapsed = _clock.Elapsed;
            foreach (var connection in _connections.Keys)
            {
                try
                {
                    connection.Pump(elapsed);
                }
                catch (Exception e)
                {
                    // One broken session must not stop the other cameras.
                    _log($"dropping a session after an internal error: {e.GetType().Name}: {e.Message}");
                    connection.Dispose();
                }
            }

            Thread.Sleep(4);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _refusing)
        {
            socket.Dispose();
        }

        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }

        _pacer?.Join(TimeSpan.FromSeconds(2));
        foreach (var connection in _connections.Keys)
        {
            connection.Dispose();
        }

        _stop.Dispose();
    }
}
