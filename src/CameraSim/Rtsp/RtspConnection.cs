using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;

namespace CameraNet.CameraSim.Rtsp;

/// <summary>
/// One RTSP client connection with at most one session (one video track). Requests are answered
/// on the connection's own task; media is pushed by the server's pacing thread through
/// <see cref="Pump"/>. Everything written to the socket goes through one queue, so responses and
/// RTP packets never interleave mid-message.
/// </summary>
internal sealed class RtspConnection : IDisposable
{
    private const string Realm = "CameraNet Simulator";
    private const int MaxQueuedFrames = 50;
    private static readonly TimeSpan SenderReportInterval = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly RtspServer _server;
    private readonly Action<string> _log;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
    private readonly Lock _gate = new();
    private readonly string _peer;

    private Mount? _mount;
    private string? _sessionId;
    private bool _playing;
    private long _nextFrame;
    private TimeSpan _playStartedAt;
    private ushort _sequence = (ushort)Random.Shared.Next(ushort.MaxValue);
    private readonly uint _timestampBase = (uint)Random.Shared.Next();
    private readonly uint _ssrc = (uint)Random.Shared.Next();
    private int _queuedFrames;
    private bool _skipToKeyFrame;
    private long _framesSent;
    private long _framesDropped;
    private long _octetsSent;
    private TimeSpan _lastSenderReport = -SenderReportInterval;
    private bool _stallLogged;
    private int _disposed;

    public RtspConnection(Socket socket, RtspServer server, Action<string> log)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _server = server;
        _log = log;
        _peer = socket.RemoteEndPoint?.ToString() ?? "?";
    }

    private readonly record struct Outgoing(byte[] Buffer, int Length, bool Pooled, bool Media);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var writer = WriteLoopAsync(cancellationToken);
        try
        {
            await ReadLoopAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the server is stopping: nothing to answer.
        }
        finally
        {
            lock (_gate)
            {
                _playing = false;
            }

            _outgoing.Writer.TryComplete();
            if (_mount is not null)
            {
                _log($"camera={_mount.Name} client={_peer} closed: sent {_framesSent} frames, dropped {_framesDropped} for a slow reader");
            }
        }

        try
        {
            await writer;
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    // ---- reading requests -------------------------------------------------------------------------------

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var filled = 0;
        while (true)
        {
            var read = await _stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                return;
            }

            filled += read;
            var consumed = 0;
            while (TryTakeMessage(buffer.AsSpan(consumed, filled - consumed), out var length, out var request))
            {
                consumed += length;
                if (request is not null)
                {
                    var keepOpen = Handle(request);
                    if (!keepOpen)
                    {
                        return;
                    }
                }
            }

            if (consumed > 0)
            {
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }

            if (filled == buffer.Length)
            {
                Send(Response(400, "Bad Request", null, body: "request too large"u8.ToArray()));
                return;
            }
        }
    }

    /// <summary>Takes one interleaved binary packet (RTCP from the client, ignored) or one RTSP request.</summary>
    private static bool TryTakeMessage(ReadOnlySpan<byte> data, out int length, out RtspRequest? request)
    {
        request = null;
        length = 0;
        if (data.Length == 0)
        {
            return false;
        }

        if (data[0] == (byte)'$')
        {
            if (data.Length < 4)
            {
                return false;
            }

            length = 4 + BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            return data.Length >= length;
        }

        var end = data.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return false;
        }

        var head = Encoding.UTF8.GetString(data[..end]);
        var parsed = RtspRequest.Parse(head);
        var bodyLength = parsed.ContentLength;
        length = end + 4 + bodyLength;
        if (data.Length < length)
        {
            return false;
        }

        request = parsed;
        return true;
    }

    private bool Handle(RtspRequest request)
    {
        if (request.Method is null)
        {
            Send(Response(400, "Bad Request", request.CSeq));
            return false;
        }

        switch (request.Method)
        {
            case "OPTIONS":
                Send(Response(200, "OK", request.CSeq, headers: "Public: OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER\r\n"));
                return true;
            case "GET_PARAMETER":
            case "SET_PARAMETER":
                Send(Response(200, "OK", request.CSeq, SessionHeader()));
                return true;
            case "DESCRIBE":
                return Describe(request);
            case "SETUP":
                return Setup(request);
            case "PLAY":
                return Play(request);
            case "PAUSE":
                lock (_gate)
                {
                    _playing = false;
                }

                Send(Response(200, "OK", request.CSeq, SessionHeader()));
                return true;
            case "TEARDOWN":
                Send(Response(200, "OK", request.CSeq, SessionHeader()));
                return false;
            default:
                Send(Response(405, "Method Not Allowed", request.CSeq, headers: "Allow: OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER\r\n"));
                return true;
        }
    }

    private bool Describe(RtspRequest request)
    {
        if (!ResolveMount(request, out var mount) || !Authorised(request, mount))
        {
            return true;
        }

        var frames = mount.Frames;
        var sdp =
            "v=0\r\n" +
            $"o=- {_ssrc} 1 IN IP4 {_server.Address}\r\n" +
            $"s=CameraNet simulated camera {mount.Name}\r\n" +
            "c=IN IP4 0.0.0.0\r\n" +
            "t=0 0\r\n" +
            "a=control:*\r\n" +
            "a=range:npt=0-\r\n" +
            $"m=video 0 RTP/AVP {RtpFrameSet.PayloadType}\r\n" +
            $"a=rtpmap:{RtpFrameSet.PayloadType} H264/90000\r\n" +
            $"a=fmtp:{RtpFrameSet.PayloadType} {frames.Fmtp}\r\n" +
            $"a=framerate:{frames.Fps}\r\n" +
            "a=control:track1\r\n";
        var baseUrl = $"rtsp://{_server.Address}:{_server.Port}/{mount.Name}/";
        Send(Response(200, "OK", request.CSeq,
            headers: $"Content-Base: {baseUrl}\r\nContent-Type: application/sdp\r\n",
            body: Encoding.UTF8.GetBytes(sdp)));
        return true;
    }

    private bool Setup(RtspRequest request)
    {
        if (!ResolveMount(request, out var mount) || !Authorised(request, mount))
        {
            return true;
        }

        var transport = request.Header("Transport") ?? string.Empty;
        if (!transport.Contains("RTP/AVP/TCP", StringComparison.OrdinalIgnoreCase))
        {
            // Only interleaved TCP: clients such as ffmpeg then retry with TCP by themselves.
            Send(Response(461, "Unsupported Transport", request.CSeq));
            return true;
        }

        lock (_gate)
        {
            _mount = mount;
            _sessionId ??= Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        }

        Send(Response(200, "OK", request.CSeq,
            headers: $"Transport: RTP/AVP/TCP;unicast;interleaved=0-1;ssrc={_ssrc:X8}\r\n" + SessionHeader()));
        return true;
    }

    private bool Play(RtspRequest request)
    {
        Mount mount;
        lock (_gate)
        {
            if (_mount is null || _sessionId is null)
            {
                Send(Response(455, "Method Not Valid in This State", request.CSeq));
                return true;
            }

            mount = _mount;
        }

        if (!Authorised(request, mount))
        {
            return true;
        }

        // Start at the last key frame of the live timeline and catch up at once (a GOP cache, as media
        // servers do), so a client gets a decodable picture immediately instead of waiting up to a GOP.
        var now = _server.CurrentFrame(mount.Fps);
        var loopFrame = mount.LoopFrame(now);
        var key = mount.Frames.KeyFrameAtOrBefore(loopFrame);
        var start = now - (loopFrame - key);
        var url = $"rtsp://{_server.Address}:{_server.Port}/{mount.Name}/track1";
        lock (_gate)
        {
            // The answer is queued before playing starts, under the lock the pacing thread takes to queue
            // media: a camera answers PLAY before its first packet (RFC 2326 §10.5).
            Send(Response(200, "OK", request.CSeq,
                headers: "Range: npt=0.000-\r\n" +
                         $"RTP-Info: url={url};seq={_sequence};rtptime={Timestamp(start, mount.Fps)}\r\n" + SessionHeader()));
            _nextFrame = start;
            _playStartedAt = _server.Elapsed;
            _playing = true;
            _skipToKeyFrame = false;
        }

        _log($"camera={mount.Name} client={_peer} playing from loop frame {key} (live edge {loopFrame}){(mount.Camera.Fault == CameraFault.None ? string.Empty : $", fault={mount.Camera.Fault}")}");
        return true;
    }

    private bool ResolveMount(RtspRequest request, out Mount mount)
    {
        var name = request.MountName;
        if (name is not null && _server.Mounts.TryGetValue(name, out var found) && found.Camera.Fault != CameraFault.Refuse)
        {
            mount = found;
            return true;
        }

        mount = null!;
        Send(Response(404, "Not Found", request.CSeq, body: Encoding.UTF8.GetBytes($"no camera at '{request.Url}'")));
        return false;
    }

    private bool Authorised(RtspRequest request, Mount mount)
    {
        if (!mount.RequiresAuth || DigestAuth.Verify(request, Realm, _nonce, mount.Camera.Username!, mount.Camera.Password!))
        {
            return true;
        }

        if (request.Header("Authorization") is not null)
        {
            _log($"camera={mount.Name} client={_peer} authentication failed");
        }

        Send(Response(401, "Unauthorized", request.CSeq,
            headers: $"WWW-Authenticate: Digest realm=\"{Realm}\", nonce=\"{_nonce}\", algorithm=\"MD5\"\r\n"));
        return false;
    }

    private string SessionHeader() => _sessionId is null ? string.Empty : $"Session: {_sessionId};timeout=60\r\n";

    private static Outgoing Response(int status, string reason, string? cseq, string headers = "", byte[]? body = null)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"RTSP/1.0 {status} {reason}\r\n")
            .Append(CultureInfo.InvariantCulture, $"CSeq: {cseq ?? "0"}\r\n")
            .Append("Server: CameraNet-CameraSim/1.0\r\n")
            .Append(CultureInfo.InvariantCulture, $"Date: {DateTime.UtcNow:R}\r\n")
            .Append(headers);
        if (body is { Length: > 0 })
        {
            text.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        }

        text.Append("\r\n");
        var head = Encoding.UTF8.GetBytes(text.ToString());
        var bytes = body is { Length: > 0 } ? [.. head, .. body] : head;
        return new Outgoing(bytes, bytes.Length, Pooled: false, Media: false);
    }

    private void Send(Outgoing message) => _outgoing.Writer.TryWrite(message);

    // ---- media --------------------------------------------------------------------------------------

    private uint Timestamp(long absoluteFrame, int fps) => unchecked(_timestampBase + (uint)(absoluteFrame * 90000 / fps));

    /// <summary>Called by the pacing thread: queues every frame that is due by <paramref name="elapsed"/>.</summary>
    public void Pump(TimeSpan elapsed)
    {
        lock (_gate)
        {
            if (!_playing || _mount is null)
            {
                return;
            }

            var mount = _mount;
            if (mount.Camera.Fault == CameraFault.Stall && elapsed - _playStartedAt > TimeSpan.FromSeconds(mount.Camera.StallAfterSeconds))
            {
                if (!_stallLogged)
                {
                    _stallLogged = true;
                    _log($"camera={mount.Name} client={_peer} stalling (connection kept open, no more media)");
                }

                return;
            }

            var due = (long)Math.Floor(elapsed.TotalSeconds * mount.Fps);
            while (_nextFrame <= due)
            {
                QueueFrame(mount, _nextFrame);
                _nextFrame++;
            }

            if (elapsed - _lastSenderReport >= SenderReportInterval)
            {
                _lastSenderReport = elapsed;
                QueueSenderReport(mount, due);
            }
        }
    }

    private void QueueFrame(Mount mount, long absolute)
    {
        var frame = mount.Frames.Frames[mount.LoopFrame(absolute)];
        if (Volatile.Read(ref _queuedFrames) >= MaxQueuedFrames)
        {
            // The client reads too slowly: drop, and resume only at a key frame so it can decode again.
            _framesDropped++;
            _skipToKeyFrame = true;
            return;
        }

        if (_skipToKeyFrame && !frame.IsKeyFrame)
        {
            _framesDropped++;
            return;
        }

        _skipToKeyFrame = false;
        var buffer = ArrayPool<byte>.Shared.Rent(frame.Data.Length);
        _sequence = frame.CopyTo(buffer, _sequence, Timestamp(absolute, mount.Fps), _ssrc);
        Interlocked.Increment(ref _queuedFrames);
        _framesSent++;
        _octetsSent += frame.Data.Length;
        if (!_outgoing.Writer.TryWrite(new Outgoing(buffer, frame.Data.Length, Pooled: true, Media: true)))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Interlocked.Decrement(ref _queuedFrames);
        }
    }

    /// <summary>RTCP sender report on channel 1: maps the RTP clock to wall-clock (NTP) time, as cameras do.</summary>
    private void QueueSenderReport(Mount mount, long absolute)
    {
        var wall = _server.StartedAt + TimeSpan.FromSeconds(absolute / (double)mount.Fps);
        var ntp = wall.UtcDateTime - new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var seconds = (ulong)ntp.Ticks / TimeSpan.TicksPerSecond;
        var fraction = (ulong)ntp.Ticks % TimeSpan.TicksPerSecond * (1UL << 32) / TimeSpan.TicksPerSecond;
        var packet = new byte[4 + 28];
        packet[0] = (byte)'$';
        packet[1] = RtpFrameSet.RtpChannel + 1;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 28);
        packet[4] = 0x80;
        packet[5] = 200; // SR
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), 6);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), _ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(12), (uint)seconds);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(16), (uint)fraction);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(20), Timestamp(absolute, mount.Fps));
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(24), (uint)_framesSent);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(28), (uint)_octetsSent);
        _outgoing.Writer.TryWrite(new Outgoing(packet, packet.Length, Pooled: false, Media: false));
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        await foreach (var message in _outgoing.Reader.ReadAllAsync(cancellationToken))
        {
            try
            {
                await _stream.WriteAsync(message.Buffer.AsMemory(0, message.Length), cancellationToken);
            }
            finally
            {
                if (message.Pooled)
                {
                    ArrayPool<byte>.Shared.Return(message.Buffer);
                }

                if (message.Media)
                {
                    Interlocked.Decrement(ref _queuedFrames);
                }
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _outgoing.Writer.TryComplete();
        while (_outgoing.Reader.TryRead(out var message))
        {
            if (message.Pooled)
            {
                ArrayPool<byte>.Shared.Return(message.Buffer);
            }
        }

        _stream.Dispose();
        _socket.Dispose();
    }
}
