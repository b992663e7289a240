using BenchmarkDotNet.Attributes;
using CameraNet.CameraSim.Scenes;
using CameraNet.Ingest.Decode;
using CameraNet.Ingest.Motion;
using OpenCvSharp;
using SkiaSharp;

namespace CameraNet.Bench;

/// <summary>
/// The worker's per-frame analysis path (motion score on a pooled 640×360 frame) against the bare
/// OpenCV resize it starts with. Target: 0 bytes allocated per frame in steady state.
/// </summary>
[MemoryDiagnoser]
public class FramePathBenchmarks
{
    private FramePool _pool = null!;
    private Frame _a = null!;
    private Frame _b = null!;
    private MotionDetector _motion = null!;
    private Mat _small = null!;
    private bool _flip;

    [GlobalSetup]
    public void Setup()
    {
        var spec = new SceneSpec { Kind = SceneKind.Checkpoint, Seconds = 10, Width = 640, Height = 360 };
        using var renderer = new SceneRenderer(spec);
        _pool = new FramePool(640, 360, 2);
        _pool.TryRent(out _a);
        _pool.TryRent(out _b);
        Draw(renderer, 60, _a);
        Draw(renderer, 64, _b);
        _motion = new MotionDetector();
        _small = new Mat(MotionDetector.SmallHeight, MotionDetector.SmallWidth, MatType.CV_8UC3);
    }

    private static void Draw(SceneRenderer renderer, int frame, Frame target)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(640, 360, SKColorType.Bgra8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            renderer.DrawFrame(canvas, frame);
        }

        using var bgra = Mat.FromPixelData(360, 640, MatType.CV_8UC4, bitmap.GetPixels());
        Cv2.CvtColor(bgra, target.Image, ColorConversionCodes.BGRA2BGR);
    }

    [Benchmark(Baseline = true, Description = "resize only (baseline)")]
    public void ResizeOnly() =>
        Cv2.Resize((_flip = !_flip) ? _a.Image : _b.Image, _small, new Size(MotionDetector.SmallWidth, MotionDetector.SmallHeight), interpolation: InterpolationFlags.Area);

    [Benchmark(Description = "motion score per frame")]
    public double MotionScore() => _motion.Score((_flip = !_flip) ? _a.Image : _b.Image);

    [GlobalCleanup]
    public void Cleanup()
    {
        _motion.Dispose();
        _small.Dispose();
        _pool.Dispose();
    }
}
