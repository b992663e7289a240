using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using CameraNet.Ingest.Decode;
using CameraNet.Ingest.Rtsp;

namespace CameraNet.Ingest.Capture;

/// <summary>
/// Key-frame capture in the worker's own process: an RTSP client receives the camera's H.264 stream,
/// only IDR access units are kept, and they are decoded on the shared <see cref="DecoderLanes"/>.
/// </summary>
/// <remarks>
/// Why not one ffmpeg per key-frame camera (measured on this machine, Debian 12's ffmpeg 5.1, a 720p25
/// camera, bench/README.md): every ffmpeg process costs about 11 MB of private memory before it decodes
/// anything (`-c copy`: relocations of the ~200 libraries Debian's build links, and its heap), and
/// 17–20 MB with `-skip_frame nokey` decoding and scaling — over the 15 MB per camera budget on its own.
/// One ffmpeg serving several cameras shares that cost, but ffmpeg drives all its inputs from one
/// loop: with one of four cameras stalling, none of the four delivered a frame in 40 s, and any
/// reconnect restarts every camera in the process. Here a camera costs its socket, one access-unit
/// buffer and its frame pool; decoding runs on a few threads for all cameras. Full-mode cameras, which
/// decode every frame and are few (checkpoints), keep one ffmpeg process each (<see cref="CaptureSession"/>).
/// </remarks>
public sealed class KeyframeSession : IKeyframeSink, IDisposable
{
    /// <summary>Key frames that cannot be decoded, in a row, before the stream counts as undecodable.</summary>
    public const int UndecodableAfter = 3;

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset NtpEpoch = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly FramePool _pool;
    private readonly DecoderLanes _lanes;
    private readonly Action<Frame?> _onFrame;
    private readonly Action<string> _onError;
    private readonly CancellationTokenSource _session;
    private readonly Stack<byte[]> _buffers = new();
    private readonly Lock _gate = new();
    private int _pending;
    private long _frames;
    private int _undecodable;
    private string? _verdict;
    private int _clockRate = 90000;
    private DateTimeOffset? _srWall;
    private uint _srRtp;

    private KeyframeSession(FramePool pool, DecoderLanes lanes, Action<Frame?> onFrame, Action<string> onError, CancellationToken cancellationToken)
    {
        _pool = pool;
        _lanes = lanes;
        _onFrame = onFrame;
        _onError = onError;
        _session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>Runs until the stream ends or fails, or <paramref name="cancellationToken"/> fires; frames go to <paramref name="onFrame"/> (null: one was dropped).</summary>
    public static async Task<CaptureResult> RunAsync(
        StreamAddress address, FramePool pool, DecoderLanes lanes, Action<Frame?> onFrame, Action<string> onError, CancellationToken cancellationToken)
    {
        using var session = new KeyframeSession(pool, lanes, onFrame, onError, cancellationToken);
        return await session.RunAsync(address, cancellationToken);
    }

    private async Task<CaptureResult> RunAsync(StreamAddress address, CancellationToken cancellationToken)
    {
        var depacketizer = new H264Depacketizer();
        try
        {
            if (!Uri.TryCreate(address.PlainUrl, UriKind.Absolute, out var url))
            {
                return new CaptureResult(CaptureOutcome.BadStream, "the stream URL is not a valid URL", 0, 0);
            }

            await using var client = await RtspClient.ConnectAsync(url, address.Username, address.Password, ConnectTimeout, _session.Token);
            var track = await client.DescribeAsync(_session.Token);
            _clockRate = track.ClockRate;
            depacketizer.SetParameterSets(track.Sps, track.Pps);
            depacketizer.OnKeyFrame = OnKeyFrame;
            await client.SetupAsync(track, _session.Token);
            await client.PlayAsync(_session.Token);
            await client.ReceiveAsync((channel, packet) =>
            {
                if (channel == 0)
                {
                    depacketizer.Push(packet);
                    if (depacketizer.Discarded >= UndecodableAfter && depacketizer.KeyFrames == 0 && !depacketizer.HasParameterSets)
                    {
                        Fail("no H.264 parameter sets (SPS/PPS) in the camera's description or stream: its key frames cannot be decoded");
                    }
                }
                else if (channel == 1)
                {
                    SenderReport(packet);
                }
            }, _session.Token);
            return Finish(CaptureOutcome.Ended, "the camera closed the stream");
        }
        catch (OperationCanceledException) when (_verdict is not null)
        {
            return Finish(CaptureOutcome.BadStream, _verdict);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Finish(CaptureOutcome.Cancelled, "stopped");
        }
        catch (RtspException e)
        {
            return Finish(e.Failure switch
            {
                RtspFailure.Unreachable => CaptureOutcome.Unreachable,
                RtspFailure.AuthFailed => CaptureOutcome.AuthFailed,
                RtspFailure.UnsupportedCodec => CaptureOutcome.UnsupportedCodec,
                _ => CaptureOutcome.BadStream,
            }, e.Message);
        }
        catch (IOException e)
        {
            return Finish(CaptureOutcome.Ended, e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset }
                ? "connection reset by the camera"
                : "connection lost: " + e.Message);
        }
        finally
        {
            // Frames and buffers in flight on the lanes belong to this session: wait for them.
            while (Volatile.Read(ref _pending) > 0)
            {
                await Task.Delay(5, CancellationToken.None);
            }

            depacketizer.Dispose();
            lock (_gate)
            {
                while (_buffers.TryPop(out var buffer))
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
    }

    private CaptureResult Finish(CaptureOutcome outcome, string reason) => new(outcome, reason, Interlocked.Read(ref _frames), 0);

    private void Fail(string verdict)
    {
        if (_verdict is null)
        {
            _verdict = verdict;
            _onError(verdict);
            _session.Cancel();
        }
    }

    private void OnKeyFrame(ReadOnlySpan<byte> accessUnit, uint rtpTimestamp)
    {
        byte[]? buffer;
        lock (_gate)
        {
            // Two key frames in flight per camera at most (a GOP is seconds long; more means the lanes are behind).
            buffer = _pending < 2 ? (_buffers.TryPop(out var reused) ? reused : null) : null;
            if (buffer is null && _pending >= 2)
            {
                _onFrame(null);
                return;
            }

            _pending++;
        }

        if (buffer is null || buffer.Length < accessUnit.Length)
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            buffer = ArrayPool<byte>.Shared.Rent(accessUnit.Length);
        }

        accessUnit.CopyTo(buffer);
        var job = new KeyframeJob(this, buffer, accessUnit.Length, rtpTimestamp, CaptureTime(rtpTimestamp));
        if (!_lanes.TryEnqueue(job))
        {
            Done(job);
            _onFrame(null); // the decoders are saturated: drop rather than fall behind
        }
    }

    private DateTimeOffset? CaptureTime(uint rtpTimestamp) =>
        _srWall is { } wall ? wall + TimeSpan.FromSeconds((int)(rtpTimestamp - _srRtp) / (double)_clockRate) : null;

    /// <summary>RTCP sender reports map the stream's RTP clock to the camera's wall clock.</summary>
    private void SenderReport(ReadOnlySpan<byte> packet)
    {
        while (packet.Length >= 20)
        {
            var length = (BinaryPrimitives.ReadUInt16BigEndian(packet[2..]) + 1) * 4;
            if (packet[1] == 200 && packet.Length >= 20)
            {
                var seconds = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
                var fraction = BinaryPrimitives.ReadUInt32BigEndian(packet[12..]);
                _srWall = NtpEpoch + TimeSpan.FromSeconds(seconds + fraction / 4294967296.0);
                _srRtp = BinaryPrimitives.ReadUInt32BigEndian(packet[16..]);
            }

            if (length <= 0 || length > packet.Length)
            {
                return;
            }

            packet = packet[length..];
        }
    }

    Frame? IKeyframeSink.RentFrame()
    {
        if (_pool.TryRent(out var frame))
        {
            return frame;
        }

        _onFrame(null);
        return null;
    }

    void IKeyframeSink.Decoded(Frame frame, DecodeStatus status, in KeyframeJob job)
    {
        if (status != DecodeStatus.Picture)
        {
            frame.Release();
            _onError(status == DecodeStatus.Invalid ? "the decoder rejected a key frame" : "a key frame gave no picture");
            if (++_undecodable >= UndecodableAfter && Interlocked.Read(ref _frames) == 0)
            {
                Fail("stream cannot be decoded (decoder errors, no picture)");
            }

            return;
        }

        _undecodable = 0;
        frame.Sequence = Interlocked.Increment(ref _frames);
        frame.ReceivedAt = DateTimeOffset.UtcNow;
        frame.CapturedAt = job.CapturedAt;
        _onFrame(frame);
    }

    public void Done(in KeyframeJob job)
    {
        lock (_gate)
        {
            _buffers.Push(job.Buffer);
            _pending--;
        }
    }

    public void Dispose() => _session.Dispose();
}
