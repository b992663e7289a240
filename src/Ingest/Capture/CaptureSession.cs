using System.Globalization;
using CameraNet.Contracts;
using FFMpegCore;
using FFMpegCore.Pipes;

namespace CameraNet.Ingest.Capture;

/// <summary>How one camera's stream should be pulled and decoded.</summary>
public sealed record CaptureRequest(string Url, DecodeMode Mode, int Width, int Height, double? AnalysisFps);

/// <summary>Why a capture session ended.</summary>
public enum CaptureOutcome
{
    /// <summary>Stopped on purpose (shutdown, reassignment, watchdog).</summary>
    Cancelled,

    /// <summary>The stream ended or ffmpeg exited without a recognisable fault.</summary>
    Ended,

    Unreachable,
    AuthFailed,
    BadStream,

    /// <summary>The camera's codec is not one the in-process key-frame capture reads (ffmpeg takes over).</summary>
    UnsupportedCodec,
}

public sealed record CaptureResult(CaptureOutcome Outcome, string Reason, long Frames, int ExitCode);

/// <summary>
/// One ffmpeg process pulling one RTSP stream (over TCP) and writing raw I420 frames of a fixed
/// size into a pipe, run through FFMpegCore. The reader fills pooled buffers; nothing is allocated per frame.
/// I420 is the decoder's own layout: no colour conversion is paid for frames nobody looks at in colour.
/// </summary>
/// <remarks>
/// Full mode (checkpoints) uses this; key-frame mode runs in-process (<see cref="KeyframeSession"/>)
/// and comes here only for codecs other than H.264, decoding only key frames (<c>-skip_frame nokey</c>). <c>-fps_mode passthrough</c> keeps ffmpeg from inventing
/// duplicate frames to fill the gaps between them. One decoder thread per camera: parallelism comes
/// from many cameras, and more threads per stream would only add latency and memory.
/// </remarks>
public static class CaptureSession
{
    public static string InputArguments(CaptureRequest request)
    {
        var args = "-hide_banner -nostats -loglevel error -rtsp_transport tcp -timeout 10000000 -analyzeduration 2000000 -probesize 2000000 -fflags nobuffer -threads 1";
        return request.Mode == DecodeMode.Keyframe ? args + " -skip_frame nokey" : args;
    }

    public static string OutputArguments(CaptureRequest request)
    {
        var filters = new List<string>();
        if (request.Mode == DecodeMode.Full && request.AnalysisFps is { } fps)
        {
            filters.Add(string.Create(CultureInfo.InvariantCulture, $"fps={fps:0.###}"));
        }

        filters.Add(string.Create(CultureInfo.InvariantCulture, $"scale={request.Width}:{request.Height}:flags=bilinear"));
        return $"-an -sn -dn -fps_mode passthrough -filter_threads 1 -vf {string.Join(',', filters)} -pix_fmt yuv420p";
    }

    /// <summary>
    /// Runs ffmpeg until the stream ends, the process fails, or <paramref name="cancellationToken"/> fires.
    /// <paramref name="onFrame"/> is called on the reader task with each complete frame.
    /// </summary>
    public static async Task<CaptureResult> RunAsync(
        CaptureRequest request,
        Decode.FramePool pool,
        Action<Decode.Frame?> onFrame,
        Action<string> onError,
        FFOptions ffOptions,
        CancellationToken cancellationToken)
    {
        long frames = 0;
        var errors = new ErrorLog();
        var sink = new StreamPipeSink(async (pipe, token) =>
        {
            // One scratch frame when the pool is exhausted: the bytes must be read to keep the stream in step.
            var scratch = new byte[pool.FrameBytes];
            while (true)
            {
                var frame = pool.TryRent(out var rented) ? rented : null;
                if (!await FillAsync(pipe, frame?.Pixels ?? scratch, token))
                {
                    frame?.Release();
                    return;
                }

                frames++;
                if (frame is not null)
                {
                    frame.Sequence = frames;
                    frame.ReceivedAt = DateTimeOffset.UtcNow;
                }

                onFrame(frame);
            }
        })
        { Format = "rawvideo" };

        var processor = FFMpegArguments
            .FromUrlInput(new Uri(request.Url), o => o.WithCustomArgument(InputArguments(request)))
            .OutputToPipe(sink, o => o.WithCustomArgument(OutputArguments(request)))
            .NotifyOnStandardError(line =>
            {
                if (errors.Add(line))
                {
                    onError(line);
                }
            })
            .CancellableThrough(cancellationToken, TimeSpan.FromSeconds(2));

        FFMpegResult result;
        try
        {
            result = await processor.ProcessAsynchronously(throwOnError: false, ffOptions);
        }
        catch (OperationCanceledException)
        {
            return new CaptureResult(CaptureOutcome.Cancelled, "stopped", frames, -1);
        }

        if (result.Cancelled || cancellationToken.IsCancellationRequested)
        {
            return new CaptureResult(CaptureOutcome.Cancelled, "stopped", frames, result.ExitCode);
        }

        var (outcome, reason) = Classify(errors.Lines, frames);
        return new CaptureResult(outcome, reason, frames, result.ExitCode);
    }

    /// <summary>Reads exactly one frame's bytes; false at the end of the stream.</summary>
    public static async ValueTask<bool> FillAsync(Stream pipe, byte[] target, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < target.Length)
        {
            var n = await pipe.ReadAsync(target.AsMemory(filled, target.Length - filled), cancellationToken);
            if (n == 0)
            {
                return false;
            }

            filled += n;
        }

        return true;
    }

    /// <summary>Maps ffmpeg's complaints to what an operator needs to know about the camera.</summary>
    public static (CaptureOutcome Outcome, string Reason) Classify(IReadOnlyList<string> errors, long frames)
    {
        static bool Has(IReadOnlyList<string> lines, string text) => lines.Any(l => l.Contains(text, StringComparison.OrdinalIgnoreCase));

        if (Has(errors, "401 Unauthorized") || Has(errors, "authorization failed"))
        {
            return (CaptureOutcome.AuthFailed, "camera refused the credentials (401 Unauthorized)");
        }

        foreach (var (text, reason) in new[]
                 {
                     ("Connection refused", "connection refused"),
                     ("Connection timed out", "connection timed out"),
                     ("No route to host", "no route to host"),
                     ("Network is unreachable", "network unreachable"),
                     ("Name or service not known", "host name not known"),
                     ("Connection reset by peer", "connection reset by the camera"),
                     ("404 Not Found", "camera has no stream at this URL (404)"),
                     ("503 Service Unavailable", "camera busy (503)"),
                 })
        {
            if (Has(errors, text))
            {
                return (CaptureOutcome.Unreachable, reason);
            }
        }

        if (frames == 0 && (Has(errors, "Invalid data found") || Has(errors, "Could not find codec parameters")
                            || Has(errors, "non-existing PPS") || Has(errors, "decode_slice_header error") || Has(errors, "no frame!")
                            || Has(errors, "unspecified size")))
        {
            return (CaptureOutcome.BadStream, "stream cannot be decoded");
        }

        var last = errors.Count > 0 ? errors[^1] : "stream ended";
        return (CaptureOutcome.Ended, last.Length > 200 ? last[..200] : last);
    }

    /// <summary>The last lines ffmpeg wrote, bounded, without its progress chatter.</summary>
    private sealed class ErrorLog
    {
        private const int Capacity = 50;
        private readonly List<string> _lines = [];
        private readonly Lock _gate = new();

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_gate)
                {
                    return [.. _lines];
                }
            }
        }

        public bool Add(string line)
        {
            if (string.IsNullOrWhiteSpace(line) || line.StartsWith("frame=", StringComparison.Ordinal) || line.Contains("Last message repeated", StringComparison.Ordinal))
            {
                return false;
            }

            lock (_gate)
            {
                if (_lines.Count == Capacity)
                {
                    _lines.RemoveAt(0);
                }

                _lines.Add(line);
            }

            return true;
        }
    }
}
