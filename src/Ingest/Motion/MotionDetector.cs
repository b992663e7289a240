using OpenCvSharp;

namespace CameraNet.Ingest.Motion;

/// <summary>
/// Frame differencing on a small grey copy of each frame: the share of cells that changed by more
/// than a noise floor since the previous frame. One instance per camera; not thread-safe.
/// All working images are allocated once, so scoring a frame allocates nothing.
/// </summary>
public sealed class MotionDetector : IDisposable
{
    public const int SmallWidth = 160;
    public const int SmallHeight = 90;

    /// <summary>Grey-level change below which a pixel counts as sensor noise or compression flicker.</summary>
    public const double NoiseFloor = 18;

    private readonly Mat _small = new(SmallHeight, SmallWidth, MatType.CV_8UC3);
    private readonly Mat _grey = new(SmallHeight, SmallWidth, MatType.CV_8UC1);
    private readonly Mat _previous = new(SmallHeight, SmallWidth, MatType.CV_8UC1);
    private readonly Mat _difference = new(SmallHeight, SmallWidth, MatType.CV_8UC1);
    private bool _hasPrevious;

    /// <summary>Scores a BGR frame; 0 for the first frame of a stream.</summary>
    public double Score(Mat frame)
    {
        Cv2.Resize(frame, _small, new Size(SmallWidth, SmallHeight), interpolation: InterpolationFlags.Area);
        Cv2.CvtColor(_small, _grey, ColorConversionCodes.BGR2GRAY);
        Cv2.GaussianBlur(_grey, _grey, new Size(3, 3), 0);
        if (!_hasPrevious)
        {
            _grey.CopyTo(_previous);
            _hasPrevious = true;
            return 0;
        }

        Cv2.Absdiff(_grey, _previous, _difference);
        Cv2.Threshold(_difference, _difference, NoiseFloor, 255, ThresholdTypes.Binary);
        var changed = Cv2.CountNonZero(_difference);
        _grey.CopyTo(_previous);
        return changed / (double)(SmallWidth * SmallHeight);
    }

    /// <summary>Forget the previous frame (after a reconnect the next frame is not comparable).</summary>
    public void Reset() => _hasPrevious = false;

    /// <summary>A small JPEG of a frame, for frame events (sent at a capped rate, so its allocation does not matter).</summary>
    public static byte[] Thumbnail(Mat frame, int thumbWidth = 320, int quality = 70)
    {
        var thumbHeight = Math.Max(1, frame.Rows * thumbWidth / frame.Cols);
        using var small = new Mat();
        Cv2.Resize(frame, small, new Size(thumbWidth, thumbHeight), interpolation: InterpolationFlags.Area);
        Cv2.ImEncode(".jpg", small, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
        return jpeg;
    }

    public void Dispose()
    {
        _small.Dispose();
        _grey.Dispose();
        _previous.Dispose();
        _difference.Dispose();
    }
}
