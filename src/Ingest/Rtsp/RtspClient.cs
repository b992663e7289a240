using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using CameraNet.Contracts;

namespace CameraNet.Ingest.Rtsp;

/// <summary>Why an RTSP exchange failed, in the terms an operator needs.</summary>
public enum RtspFailure
{
    Unreachable,
    AuthFailed,
    BadStream,
    UnsupportedCodec,
}

public sealed class RtspException(RtspFailure failure, string message) : Exception(message)
{
    public RtspFailure Failure { get; } = failure;
}

/// <summary>What DESCRIBE said about the stream's video track.</summary>
public sealed record RtspVideoTrack(string Codec, int PayloadType, int ClockRate, Uri Control, byte[]? Sps, byte[]? Pps);

/// <summary>
/// A minimal RTSP 1.0 client for one camera's video over interleaved TCP (RFC 2326 §10.12): DESCRIBE,
/// SETUP, PLAY, keep-alives, TEARDOWN, with Digest (RFC 2617, with or without qop) or Basic
/// authentication. After PLAY, <see cref="ReceiveAsync"/> hands each RTP/RTCP packet to the caller
/// straight from one reused buffer: nothing is allocated per packet.
/// </summary>
public sealed class RtspClient : IAsyncDisposable
{
    private const int BufferSize = 256 * 1024;
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Uri _url;
    private readonly string? _username;
    private readonly string? _password;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _start;
    private int _end;
    private int _cseq;
    private string? _session;
    private TimeSpan _sessionTimeout = TimeSpan.FromSeconds(60);
    private Challenge? _challenge;

    private RtspClient(Socket socket, Uri url, string? username, string? password)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _url = url;
        _username = username;
        _password = password;
    }

    /// <summary>The stream's URL without credentials (safe to show).</summary>
    public Uri Url => _url;

    public static async Task<RtspClient> ConnectAsync(Uri url, string? username, string? password, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!string.Equals(url.Scheme, "rtsp", StringComparison.OrdinalIgnoreCase))
        {
            throw new RtspException(RtspFailure.BadStream, $"not an rtsp:// URL ({url.Scheme})");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 512 * 1024 };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(url.Host, url.Port > 0 ? url.Port : 554, limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new RtspException(RtspFailure.Unreachable, "connection timed out");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new RtspException(RtspFailure.Unreachable, e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.TimedOut => "connection timed out",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host name not known",
                SocketError.HostUnreachable => "no route to host",
                SocketError.NetworkUnreachable => "network unreachable",
                _ => "cannot connect: " + e.SocketErrorCode,
            });
        }

        var clean = new UriBuilder(url) { UserName = string.Empty, Password = string.Empty }.Uri;
        return new RtspClient(socket, clean, username, password);
    }

    /// <summary>DESCRIBE: finds the video track; its codec must be H.264 for key-frame capture.</summary>
    public async Task<RtspVideoTrack> DescribeAsync(CancellationToken cancellationToken)
    {
        var response = await RequestAsync("DESCRIBE", _url, "Accept: application/sdp\r\n", cancellationToken);
        var baseUrl = response.Header("Content-Base") ?? response.Header("Content-Location") ?? _url.AbsoluteUri;
        return ParseSdp(response.Body, new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/"));
    }

    public async Task SetupAsync(RtspVideoTrack track, CancellationToken cancellationToken)
    {
        var response = await RequestAsync("SETUP", track.Control, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n", cancellationToken);
        var session = response.Header("Session") ?? throw new RtspException(RtspFailure.BadStream, "SETUP answered without a session");
        var parts = session.Split(';', StringSplitOptions.TrimEntries);
        _session = parts[0];
        foreach (var part in parts.Skip(1))
        {
            if (part.StartsWith("timeout=", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(part.AsSpan(8), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
            {
                _sessionTimeout = TimeSpan.FromSeconds(seconds);
            }
        }

        var transport = response.Header("Transport") ?? string.Empty;
        if (!transport.Contains("TCP", StringComparison.OrdinalIgnoreCase))
        {
            throw new RtspException(RtspFailure.BadStream, "the camera does not offer RTP over the RTSP connection (interleaved TCP)");
        }
    }

    public Task PlayAsync(CancellationToken cancellationToken) =>
        RequestAsync("PLAY", _url, "Range: npt=0.000-\r\n", cancellationToken);

    /// <summary>Keep-alive interval: well inside the session timeout the camera announced.</summary>
    public TimeSpan KeepAliveInterval => TimeSpan.FromSeconds(Math.Max(5, _sessionTimeout.TotalSeconds / 2 - 5));

    /// <summary>A packet arrived on an interleaved channel (0 = RTP, 1 = RTCP for our SETUP).</summary>
    public delegate void PacketHandler(int channel, ReadOnlySpan<byte> packet);

    /// <summary>
    /// Reads until the camera closes the connection or <paramref name="cancellationToken"/> fires, sending
    /// keep-alives (GET_PARAMETER) as it goes. RTSP responses in between (to the keep-alives) are skipped.
    /// </summary>
    public async Task ReceiveAsync(PacketHandler onPacket, CancellationToken cancellationToken)
    {
        var nextKeepAlive = Environment.TickCount64 + (long)KeepAliveInterval.TotalMilliseconds;
        while (true)
        {
            if (Environment.TickCount64 >= nextKeepAlive)
            {
                nextKeepAlive = Environment.TickCount64 + (long)KeepAliveInterval.TotalMilliseconds;
                await SendAsync("GET_PARAMETER", _url, string.Empty, cancellationToken);
            }

            while (TryTakeInterleaved(onPacket) || TrySkipResponse())
            {
            }

            if (_end == _buffer.Length)
            {
                Compact();
                if (_end == _buffer.Length)
                {
                    throw new RtspException(RtspFailure.BadStream, "the camera sent a message larger than 256 KiB");
                }
            }

            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                return;
            }

            _end += read;
        }
    }

    private bool TryTakeInterleaved(PacketHandler onPacket)
    {
        var data = _buffer.AsSpan(_start, _end - _start);
        var total = InterleavedLength(data);
        if (total <= 0)
        {
            return false;
        }

        onPacket(data[1], data[4..total]);
        _start += total;
        if (_start == _end)
        {
            _start = _end = 0;
        }

        return true;
    }

    private bool TrySkipResponse()
    {
        var data = _buffer.AsSpan(_start, _end - _start);
        if (data.Length == 0 || data[0] == (byte)'$')
        {
            return false;
        }

        var head = data.IndexOf("\r\n\r\n"u8);
        if (head < 0)
        {
            return false;
        }

        var response = RtspResponse.Parse(Encoding.UTF8.GetString(data[..head]));
        var total = head + 4 + response.ContentLength;
        if (data.Length < total)
        {
            return false;
        }

        _start += total;
        return true;
    }

    /// <summary>
    /// The length of the interleaved packet ('$', channel, 16-bit length, packet) at the start of
    /// <paramref name="data"/>: 0 when none starts there, -1 while it is still incomplete.
    /// </summary>
    private static int InterleavedLength(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0 || data[0] != (byte)'$')
        {
            return 0;
        }

        if (data.Length < 4)
        {
            return -1;
        }

        var total = 4 + BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        return data.Length < total ? -1 : total;
    }

    /// <summary>
    /// Where the first byte after the complete interleaved packets at the start of <paramref name="data"/>
    /// is, or -1 while a packet there is still incomplete.
    /// </summary>
    private static int SkipInterleaved(ReadOnlySpan<byte> data)
    {
        var at = 0;
        int length;
        while ((length = InterleavedLength(data[at..])) > 0)
        {
            at += length;
        }

        return length < 0 ? -1 : at;
    }

    private void Compact()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
    }

    private async Task<RtspResponse> RequestAsync(string method, Uri url, string headers, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await SendAsync(method, url, headers, cancellationToken);
            var response = await ReadResponseAsync(cancellationToken);
            if (response.Status == 401 && attempt == 0 && _username is not null && _password is not null)
            {
                _challenge = Challenge.From(response) ?? throw new RtspException(RtspFailure.AuthFailed, "the camera asks for an authentication scheme other than Digest or Basic");
                continue;
            }

            if (response.Status is >= 200 and < 300)
            {
                return response;
            }

            throw response.Status switch
            {
                401 when _username is null => new RtspException(RtspFailure.AuthFailed, "the camera requires credentials (401 Unauthorized) and none are registered"),
                401 => new RtspException(RtspFailure.AuthFailed, "camera refused the credentials (401 Unauthorized)"),
                403 => new RtspException(RtspFailure.AuthFailed, "camera refused access (403 Forbidden)"),
                404 => new RtspException(RtspFailure.Unreachable, "camera has no stream at this URL (404)"),
                453 or 503 => new RtspException(RtspFailure.Unreachable, $"camera busy ({response.Status})"),
                461 => new RtspException(RtspFailure.BadStream, "the camera does not offer RTP over the RTSP connection (461 Unsupported Transport)"),
                _ => new RtspException(RtspFailure.BadStream, $"{method} answered {response.Status} {response.Reason}"),
            };
        }
    }

    private async Task SendAsync(string method, Uri url, string headers, CancellationToken cancellationToken)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{method} {url.AbsoluteUri} RTSP/1.0\r\n")
            .Append(CultureInfo.InvariantCulture, $"CSeq: {++_cseq}\r\n")
            .Append("User-Agent: CameraNet-Ingest/1.0\r\n")
            .Append(headers);
        if (_session is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"Session: {_session}\r\n");
        }

        if (_challenge is not null)
        {
            text.Append("Authorization: ").Append(_challenge.Authorization(method, url.AbsoluteUri, _username!, _password!)).Append("\r\n");
        }

        text.Append("\r\n");
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<RtspResponse> ReadResponseAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ResponseTimeout);
        try
        {
            while (true)
            {
                // Cameras may start the media before they answer PLAY (the simulator's pacing thread
                // could, and so do some real cameras): the interleaved packets ahead of the answer stay
                // where they are for ReceiveAsync, so the first key frame is not lost.
                var data = _buffer.AsSpan(_start, _end - _start);
                var at = SkipInterleaved(data);
                if (at >= 0)
                {
                    var message = data[at..];
                    var head = message.IndexOf("\r\n\r\n"u8);
                    if (head >= 0)
                    {
                        var response = RtspResponse.Parse(Encoding.UTF8.GetString(message[..head]));
                        var total = head + 4 + response.ContentLength;
                        if (message.Length >= total)
                        {
                            response.Body = Encoding.UTF8.GetString(message.Slice(head + 4, response.ContentLength));
                            message[total..].CopyTo(message);
                            _end -= total;
                            if (_start == _end)
                            {
                                _start = _end = 0;
                            }

                            return response;
                        }
                    }
                }

                Compact();
                if (_end == _buffer.Length)
                {
                    throw new RtspException(RtspFailure.BadStream, "the camera's answer, with the media it sent before it, is larger than 256 KiB");
                }

                var read = await _stream.ReadAsync(_buffer.AsMemory(_end), limit.Token);
                if (read == 0)
                {
                    throw new RtspException(RtspFailure.Unreachable, "the camera closed the connection");
                }

                _end += read;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RtspException(RtspFailure.Unreachable, $"no answer within {ResponseTimeout.TotalSeconds:0} s");
        }
        catch (IOException e)
        {
            throw new RtspException(RtspFailure.Unreachable, e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset }
                ? "connection reset by the camera"
                : "connection lost: " + e.Message);
        }
    }

    /// <summary>Reads the video track from an SDP description.</summary>
    public static RtspVideoTrack ParseSdp(string sdp, Uri baseUrl)
    {
        string? codec = null;
        var payloadType = -1;
        var clockRate = 90000;
        string? control = null;
        string? fmtp = null;
        var inVideo = false;
        foreach (var raw in sdp.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("m=", StringComparison.Ordinal))
            {
                if (codec is not null)
                {
                    break; // the first video track is the one
                }

                inVideo = line.StartsWith("m=video", StringComparison.Ordinal);
                var fields = line.Split(' ');
                payloadType = inVideo && fields.Length > 3 && int.TryParse(fields[3], CultureInfo.InvariantCulture, out var pt) ? pt : -1;
                continue;
            }

            if (!inVideo)
            {
                continue;
            }

            if (line.StartsWith("a=rtpmap:", StringComparison.Ordinal))
            {
                var parts = line[9..].Split(' ', 2);
                if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pt) && pt == payloadType)
                {
                    var encoding = parts[1].Split('/');
                    codec = encoding[0].ToUpperInvariant();
                    if (encoding.Length > 1 && int.TryParse(encoding[1], CultureInfo.InvariantCulture, out var rate))
                    {
                        clockRate = rate;
                    }
                }
            }
            else if (line.StartsWith("a=fmtp:", StringComparison.Ordinal))
            {
                fmtp = line[7..];
            }
            else if (line.StartsWith("a=control:", StringComparison.Ordinal))
            {
                control = line[10..].Trim();
            }
        }

        if (payloadType < 0)
        {
            throw new RtspException(RtspFailure.BadStream, "the camera's description has no video track");
        }

        codec ??= payloadType == 26 ? "JPEG" : "unknown";
        if (codec != "H264")
        {
            throw new RtspException(RtspFailure.UnsupportedCodec, $"the video track is {codec}, not H.264");
        }

        byte[]? sps = null, pps = null;
        var sets = fmtp?.Split(';').Select(p => p.Trim()).FirstOrDefault(p => p.StartsWith("sprop-parameter-sets=", StringComparison.OrdinalIgnoreCase));
        if (sets is not null)
        {
            foreach (var item in sets[(sets.IndexOf('=') + 1)..].Split(','))
            {
                try
                {
                    var nal = Convert.FromBase64String(item.Trim());
                    if (nal.Length > 0 && (nal[0] & 0x1F) == H264Depacketizer.NalSps)
                    {
                        sps = nal;
                    }
                    else if (nal.Length > 0 && (nal[0] & 0x1F) == H264Depacketizer.NalPps)
                    {
                        pps = nal;
                    }
                }
                catch (FormatException)
                {
                    // A damaged parameter set in the SDP: in-band ones may still come.
                }
            }
        }

        var controlUrl = control is null or "*" ? baseUrl
            : Uri.TryCreate(control, UriKind.Absolute, out var absolute) ? absolute
            : new Uri(baseUrl, control);
        return new RtspVideoTrack(codec, payloadType, clockRate, controlUrl, sps, pps);
    }

    public async ValueTask DisposeAsync()
    {
        if (_session is not null && _socket.Connected)
        {
            try
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
                await SendAsync("TEARDOWN", _url, string.Empty, quick.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Going away anyway.
            }
        }

        await _stream.DisposeAsync();
        _writeGate.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    /// <summary>An RTSP response: status, headers, body.</summary>
    private sealed class RtspResponse
    {
        private readonly List<(string Name, string Value)> _headers = [];

        public int Status { get; private set; }
        public string Reason { get; private set; } = string.Empty;
        public int ContentLength { get; private set; }
        public string Body { get; set; } = string.Empty;

        public string? Header(string name) => _headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

        public IEnumerable<string> Headers(string name) => _headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

        public static RtspResponse Parse(string head)
        {
            var lines = head.Split("\r\n");
            var status = lines[0].Split(' ', 3);
            if (status.Length < 2 || !status[0].StartsWith("RTSP/", StringComparison.Ordinal) || !int.TryParse(status[1], CultureInfo.InvariantCulture, out var code))
            {
                throw new RtspException(RtspFailure.BadStream, "the camera does not speak RTSP (" + (lines[0].Length > 60 ? lines[0][..60] : lines[0]) + ")");
            }

            var response = new RtspResponse { Status = code, Reason = status.Length > 2 ? status[2] : string.Empty };
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':');
                if (colon > 0)
                {
                    response._headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
                }
            }

            if (response.Header("Content-Length") is { } length)
            {
                if (!int.TryParse(length, CultureInfo.InvariantCulture, out var n) || n < 0 || n > 64 * 1024)
                {
                    throw new RtspException(RtspFailure.BadStream, $"the camera sent an unusable Content-Length ({length})");
                }

                response.ContentLength = n;
            }

            return response;
        }
    }

    /// <summary>The camera's authentication challenge, answered on every later request.</summary>
    private sealed class Challenge
    {
        private string _scheme = "Basic";
        private string _realm = string.Empty;
        private string _nonce = string.Empty;
        private string? _opaque;
        private bool _qopAuth;
        private int _nonceCount;

        public static Challenge? From(RtspResponse response)
        {
            Challenge? basic = null;
            foreach (var header in response.Headers("WWW-Authenticate"))
            {
                if (header.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase))
                {
                    var fields = DigestFields.Parse(header[7..]);
                    if (fields.TryGetValue("algorithm", out var algorithm) && !algorithm.Equals("MD5", StringComparison.OrdinalIgnoreCase))
                    {
                        continue;
                    }

                    return new Challenge
                    {
                        _scheme = "Digest",
                        _realm = fields.GetValueOrDefault("realm", string.Empty),
                        _nonce = fields.GetValueOrDefault("nonce", string.Empty),
                        _opaque = fields.GetValueOrDefault("opaque"),
                        _qopAuth = fields.TryGetValue("qop", out var qop) && qop.Split(',').Any(q => q.Trim() == "auth"),
                    };
                }

                if (header.StartsWith("Basic", StringComparison.OrdinalIgnoreCase))
                {
                    basic = new Challenge();
                }
            }

            return basic;
        }

        public string Authorization(string method, string uri, string username, string password)
        {
            if (_scheme == "Basic")
            {
                return "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"));
            }

            var ha1 = DigestFields.Md5($"{username}:{_realm}:{password}");
            var ha2 = DigestFields.Md5($"{method}:{uri}");
            var header = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"Digest username=\"{username}\", realm=\"{_realm}\", nonce=\"{_nonce}\", uri=\"{uri}\"");
            if (_qopAuth)
            {
                var nc = (++_nonceCount).ToString("x8", CultureInfo.InvariantCulture);
                var cnonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
                header.Append(CultureInfo.InvariantCulture, $", qop=auth, nc={nc}, cnonce=\"{cnonce}\", response=\"{DigestFields.Md5($"{ha1}:{_nonce}:{nc}:{cnonce}:auth:{ha2}")}\"");
            }
            else
            {
                header.Append(CultureInfo.InvariantCulture, $", response=\"{DigestFields.Md5($"{ha1}:{_nonce}:{ha2}")}\"");
            }

            if (_opaque is not null)
            {
                header.Append(CultureInfo.InvariantCulture, $", opaque=\"{_opaque}\"");
            }

            return header.Append(", algorithm=MD5").ToString();
        }
    }
}
