using System.Buffers;
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
/// decode every frame and are few (checkpoints), are decoded in process too, each on its own decoder
/// (<see cref="FullFrameSession"/>).
/// </remarks>
public sealed class KeyframeSession : RtpCaptureSession, IKeyframeSink
{
    /// <summary>Key frames that cannot be decoded, in a row, before the stream counts as undecodable.</summary>
    public const int UndecodableAfter = 3;

    private readonly FramePool _pool;
    private readonly DecoderLanes _lanes;
    private readonly Stack<byte[]> _buffers = new();
    private readonly Lock _gate = new();
    private int _pending;
    private int _undecodable;

    private KeyframeSession(FramePool pool, DecoderLanes lanes, Action<Frame?> onFrame, Action<string> onError, CancellationToken cancellationToken)
        : base(onFrame, onError, cancellationToken)
    {
        _pool = pool;
        _lanes = lanes;
    }

    /// <summary>Runs until the stream ends or fails, or <paramref name="cancellationToken"/> fires; frames go to <paramref name="onFrame"/> (null: one was dropped).</summary>
    public static async Task<CaptureResult> RunAsync(
        StreamAddress address, FramePool pool, DecoderLanes lanes, Action<Frame?> onFrame, Action<string> onError, CancellationToken cancellationToken)
    {
        using var session = new KeyframeSession(pool, lanes, onFrame, onError, cancellationToken);
        return await session.RunAsync(address, cancellationToken);
    }

    protected override H264Depacketizer CreateDepacketizer() => new() { OnKeyFrame = OnKeyFrame };

    protected override async ValueTask SettleAsync()
    {
        // Frames and buffers in flight on the lanes belong to this session: wait for them.
        while (Volatile.Read(ref _pending) > 0)
        {
            await Task.Delay(5, CancellationToken.None);
        }

        lock (_gate)
        {
            while (_buffers.TryPop(out var buffer))
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
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
                OnFrame(null);
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
            OnFrame(null); // the decoders are saturated: drop rather than fall behind
        }
    }

    Frame? IKeyframeSink.RentFrame()
    {
        if (_pool.TryRent(out var frame))
        {
            return frame;
        }

        OnFrame(null);
        return null;
    }

    void IKeyframeSink.Decoded(Frame frame, DecodeStatus status, in KeyframeJob job)
    {
        if (status != DecodeStatus.Picture)
        {
            frame.Release();
            OnError(status == DecodeStatus.Invalid ? "the decoder rejected a key frame" : "a key frame gave no picture");
            if (++_undecodable >= UndecodableAfter && Frames == 0)
            {
                Fail("stream cannot be decoded (decoder errors, no picture)");
            }

            return;
        }

        _undecodable = 0;
        Deliver(frame, job.CapturedAt);
    }

    public void Done(in KeyframeJob job)
    {
        lock (_gate)
        {
            _buffers.Push(job.Buffer);
            _pending--;
        }
    }
}
