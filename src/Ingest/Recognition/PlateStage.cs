using CameraNet.Contracts;
using CameraNet.Ingest.Decode;
using CameraNet.Ingest.Publishing;
using CameraNet.Ingest.Tracking;
using CameraNet.Plates.Recognition;
using OpenCvSharp;

namespace CameraNet.Ingest.Recognition;

/// <summary>
/// Plate recognition for one full-mode camera: reads the plates of frames while there is motion (or a pass
/// is still in view), at a capped rate; tracks them into vehicle passes; publishes one
/// <see cref="PlateCaptured"/> per pass with the best reading's crop. Runs on the camera's analysis task.
/// </summary>
public sealed class PlateStage : IDisposable
{
    private const int CropMaxWidth = 240;
    private static readonly int[] JpegParams = [(int)ImwriteFlags.JpegQuality, 80];

    private readonly IngestCamera _camera;
    private readonly PlateReader _reader;
    private readonly PlatePublisher _publisher;
    private readonly ILogger _logger;
    private readonly string _workerId;
    private readonly string _subject;
    private readonly PlateTracker _tracker;
    private readonly TimeSpan _interval;
    private readonly double _motionThreshold;
    private readonly Mat _bgr = new();
    private DateTimeOffset _lastRead = DateTimeOffset.MinValue;
    private DateTimeOffset _lastMotion = DateTimeOffset.MinValue;
    private long _captures;

    public PlateStage(IngestCamera camera, PlateReader reader, PlatePublisher publisher, IngestOptions options, ILogger logger)
    {
        _camera = camera;
        _reader = reader;
        _publisher = publisher;
        _logger = logger;
        _workerId = options.WorkerId;
        _subject = Subjects.Plates(DivisionCode.Parse(camera.DistrictCode), DivisionCode.Parse(camera.TownshipCode), GbDeviceId.Parse(camera.Id));
        _tracker = new PlateTracker(camera.Id, new TrackerOptions { Gap = options.PlatePassGap, MinReadings = options.PlateMinReadings });
        _interval = TimeSpan.FromSeconds(1 / options.PlateReadsPerSecond) * 0.9; // a tenth of slack for frame-time jitter
        _motionThreshold = options.PlateMotionThreshold;
    }

    /// <summary>Passes published by this camera's stage.</summary>
    public long Captures => Interlocked.Read(ref _captures);

    /// <summary>
    /// Considers one decoded frame. <paramref name="motion"/> is the latest motion score. Frames are read
    /// while something moved in the last second or a pass is still in view (a vehicle stopped at the barrier).
    /// </summary>
    public async ValueTask OnFrameAsync(Frame frame, double motion, CancellationToken cancellationToken)
    {
        var at = frame.CapturedAt ?? frame.ReceivedAt;
        if (motion >= _motionThreshold)
        {
            _lastMotion = at;
        }

        if (at - _lastRead >= _interval && (at - _lastMotion <= TimeSpan.FromSeconds(1) || _tracker.Live.Count > 0))
        {
            _lastRead = at;
            Read(frame, at);
        }

        foreach (var pass in _tracker.Collect(at))
        {
            await PublishAsync(pass, frame.Width, frame.Height, cancellationToken);
        }
    }

    private void Read(Frame frame, DateTimeOffset at)
    {
        IReadOnlyList<PlateRead> reads;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            Cv2.CvtColor(frame.Planar, _bgr, ColorConversionCodes.YUV2BGR_I420);
            reads = _reader.Read(_bgr);
        }
        catch (Exception e) when (e is OpenCVException or ArgumentException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            Log.RecognitionFailed(_logger, _camera.Id, e);
            return;
        }
        finally
        {
            IngestMetrics.RecognitionSeconds.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        foreach (var read in reads)
        {
            IngestMetrics.PlateReadings.WithLabels(_camera.Id).Inc();
            var bounds = read.Region.Bounds;
            var observation = new PlateObservation(
                read.Text, read.Confidence, read.CharacterConfidence, read.Region.Colour,
                new PlateBox(bounds.X, bounds.Y, bounds.Width, bounds.Height), at);
            var track = _tracker.Observe(observation);
            if (ReferenceEquals(track.Best, observation))
            {
                track.BestCrop = Crop(_bgr, bounds);
            }
        }
    }

    /// <summary>The plate with a margin of half its height around it, at most <see cref="CropMaxWidth"/> wide, as JPEG.</summary>
    public static byte[] Crop(Mat bgr, Rect plate)
    {
        var margin = Math.Max(4, plate.Height / 2);
        var box = new Rect(plate.X - margin, plate.Y - margin, plate.Width + 2 * margin, plate.Height + 2 * margin)
            .Intersect(new Rect(0, 0, bgr.Width, bgr.Height));
        using var region = new Mat(bgr, box);
        if (box.Width <= CropMaxWidth)
        {
            return region.ImEncode(".jpg", JpegParams);
        }

        using var small = new Mat();
        Cv2.Resize(region, small, new Size(CropMaxWidth, Math.Max(1, box.Height * CropMaxWidth / box.Width)), interpolation: InterpolationFlags.Area);
        return small.ImEncode(".jpg", JpegParams);
    }

    /// <summary>Publishes the passes still open (the worker is stopping or the camera moves to another worker).</summary>
    public async ValueTask FlushAsync(int width, int height, CancellationToken cancellationToken)
    {
        foreach (var pass in _tracker.Collect(DateTimeOffset.MaxValue, all: true))
        {
            await PublishAsync(pass, width, height, cancellationToken);
        }
    }

    private async ValueTask PublishAsync(TrackedPass pass, int width, int height, CancellationToken cancellationToken)
    {
        var capture = new PlateCaptured
        {
            CaptureId = pass.CaptureId,
            CameraId = _camera.Id,
            DistrictCode = _camera.DistrictCode,
            TownshipCode = _camera.TownshipCode,
            WorkerId = _workerId,
            FirstSeenAt = pass.FirstSeenAt,
            LastSeenAt = pass.LastSeenAt,
            PublishedAt = DateTimeOffset.UtcNow,
            Plate = pass.Plate,
            Colour = pass.Colour,
            Kind = pass.Kind,
            CharacterConfidence = pass.CharacterConfidence,
            Confidence = pass.CharacterConfidence.Length == 0 ? 0 : pass.CharacterConfidence.Min(),
            Readings = pass.Readings,
            Box = pass.Best.Box,
            FrameWidth = width,
            FrameHeight = height,
            CropJpeg = pass.Crop,
        };
        Interlocked.Increment(ref _captures);
        Log.PlateCaptured(_logger, _camera.Id, capture.Plate, capture.Readings, capture.Confidence);
        await _publisher.EnqueueAsync(_subject, capture, cancellationToken);
    }

    public void Dispose() => _bgr.Dispose();
}
