using CameraNet.Ingest.Decode;
using CameraNet.Ingest.Rtsp;

namespace CameraNet.Ingest.Capture;

/// <summary>
/// Full-mode capture (checkpoints) in the worker's own process: every access unit of the camera's H.264
/// stream is decoded in order by the camera's own decoder, on the thread that received it, and pictures
/// are converted into pooled I420 frames at the analysis size and at most at the analysis rate.
/// </summary>
/// <remarks>
/// Why not one ffmpeg per camera piping raw frames (measured on this machine, 720p25 H.264, Debian 12's
/// ffmpeg 5.1, four cameras; bench/README.md): the same ffmpeg that costs 0.024 CPU-s per video-second
/// with <c>-f null</c> costs 0.043 writing <c>-f rawvideo</c> yuv420p into a pipe read by <c>cat</c>
/// (0.040 with <c>-avioflags direct</c>): three copies of 35 MB/s (raw encoder, muxer buffer, pipe)
/// before the worker has read a byte, and the worker then pays the reads. That is 1.6–1.8× plain
/// decoding before any analysis, against a 1.3× budget. In process, a picture costs its decode and one
/// conversion into a pooled frame, and pictures the analysis rate skips cost the decode alone.
/// <para>
/// Decoding on the receiving thread needs no queue and no hand-off: if decoding cannot keep up, TCP
/// pushes back on the camera and the delay shows in frame capture times (the worker's frame-lag gauge),
/// not in memory. The price of running in process is isolation: a fault in the decoder is a fault of the
/// worker, whose cameras the fleet then takes over within three heartbeats. libavcodec reports corrupt
/// data as errors (the bad-stream tests feed it garbage); operators who prefer a process per camera set
/// <c>Ingest:FullModeDecoder=Ffmpeg</c> (<see cref="CaptureSession"/>) and pay the CPU above.
/// </para>
/// </remarks>
public sealed class FullFrameSession : RtpCaptureSession
{
    /// <summary>Access units in a row that give no picture before a stream that never gave one counts as undecodable.</summary>
    public const int UndecodableAfter = 50;

    private readonly FramePool _pool;
    private readonly double? _analysisFps;
    private readonly H264Decoder _decoder = new();
    private H264Depacketizer? _depacketizer;
    private uint _lastDelivered;
    private bool _delivered;
    private int _undecodable;

    private FullFrameSession(FramePool pool, double? analysisFps, Action<Frame?> onFrame, Action<string> onError, CancellationToken cancellationToken)
        : base(onFrame, onError, cancellationToken)
    {
        _pool = pool;
        _analysisFps = analysisFps;
    }

    /// <summary>Runs until the stream ends or fails, or <paramref name="cancellationToken"/> fires; frames go to <paramref name="onFrame"/> (null: one was dropped).</summary>
    public static async Task<CaptureResult> RunAsync(
        StreamAddress address, FramePool pool, double? analysisFps, Action<Frame?> onFrame, Action<string> onError, CancellationToken cancellationToken)
    {
        using var session = new FullFrameSession(pool, analysisFps, onFrame, onError, cancellationToken);
        return await session.RunAsync(address, cancellationToken);
    }

    protected override H264Depacketizer CreateDepacketizer() =>
        _depacketizer = new H264Depacketizer { KeyFramesOnly = false, OnKeyFrame = OnAccessUnit, OnInterFrame = OnAccessUnit };

    /// <summary>True when a picture at this timestamp is due for analysis.</summary>
    private bool Due(uint rtpTimestamp)
    {
        if (_analysisFps is not { } fps || !_delivered)
        {
            return true;
        }

        var interval = ClockRate / fps;
        return (int)(rtpTimestamp - _lastDelivered) >= interval * 0.875; // an eighth of slack for camera clock jitter
    }

    private void OnAccessUnit(ReadOnlySpan<byte> accessUnit, uint rtpTimestamp)
    {
        Frame? target = null;
        if (Due(rtpTimestamp) && !_pool.TryRent(out target))
        {
            OnFrame(null); // the analysis has every frame of the pool: decode this one (later ones need it) but do not keep it
        }

        var status = _decoder.DecodeNext(accessUnit, target);
        if (status == DecodeStatus.Picture)
        {
            _undecodable = 0;
            if (target is not null)
            {
                _lastDelivered = rtpTimestamp;
                _delivered = true;
                Deliver(target, CaptureTime(rtpTimestamp));
            }

            return;
        }

        target?.Release();
        if (status == DecodeStatus.Invalid)
        {
            // What follows refers to what the decoder could not read: start again from the next IDR frame.
            OnError("the decoder rejected a picture");
            _decoder.Reset();
            _depacketizer?.AwaitKeyFrame();
        }

        if (++_undecodable >= UndecodableAfter && Frames == 0)
        {
            Fail("stream cannot be decoded (decoder errors, no picture)");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _decoder.Dispose();
        }

        base.Dispose(disposing);
    }
}
