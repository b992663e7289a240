using CameraNet.CameraSim.Scenes;
using CameraNet.Ingest.Decode;
using CameraNet.Ingest.Motion;
using OpenCvSharp;
using SkiaSharp;

namespace CameraNet.Ingest.Tests;

/// <summary>The motion stage alone, fed with frames drawn by the simulator's scene renderer.</summary>
public sealed class MotionDetectorTests
{
    private static Frame Render(SceneRenderer renderer, int index)
    {
        using var bgr = RenderBgr(renderer, index);
        var pool = new FramePool(bgr.Cols, bgr.Rows, 1);
        pool.TryRent(out var frame);
        frame.CopyFrom(bgr);
        return frame;
    }

    private static Mat RenderBgr(SceneRenderer renderer, int frame)
    {
        var spec = renderer.Spec;
        using var bitmap = new SKBitmap(new SKImageInfo(spec.Width, spec.Height, SKColorType.Bgra8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            renderer.DrawFrame(canvas, frame);
        }

        using var bgra = Mat.FromPixelData(spec.Height, spec.Width, MatType.CV_8UC4, bitmap.GetPixels());
        var bgr = new Mat();
        Cv2.CvtColor(bgra, bgr, ColorConversionCodes.BGRA2BGR);
        return bgr;
    }

    [Fact]
    public void The_first_frame_and_an_unchanged_scene_score_zero()
    {
        using var renderer = new SceneRenderer(new SceneSpec { Kind = SceneKind.Street, Seconds = 10, Width = 640, Height = 360 });
        var empty = Render(renderer, 0);
        var detector = new MotionDetector();
        detector.Score(empty).ShouldBe(0);
        detector.Score(empty).ShouldBe(0);
    }

    [Fact]
    public void A_vehicle_moving_through_the_view_scores_above_the_noise_floor()
    {
        var spec = new SceneSpec { Kind = SceneKind.Checkpoint, Seconds = 10, Width = 640, Height = 360 };
        using var renderer = new SceneRenderer(spec);
        var pass = renderer.Truth().Passes.First(p => p.Track.Count > 20);
        var middle = pass.Track[pass.Track.Count / 2][0];
        var before = Render(renderer, middle);
        var after = Render(renderer, middle + 5);
        var detector = new MotionDetector();
        detector.Score(before);
        var score = detector.Score(after);
        score.ShouldBeGreaterThan(0.01);
        score.ShouldBeLessThan(0.5);
    }

    [Fact]
    public void After_a_reset_the_next_frame_is_not_compared_with_an_old_one()
    {
        using var renderer = new SceneRenderer(new SceneSpec { Kind = SceneKind.Street, Seconds = 10, Width = 640, Height = 360 });
        var a = Render(renderer, 0);
        var b = Render(renderer, 100);
        var detector = new MotionDetector();
        detector.Score(a);
        detector.Reset();
        detector.Score(b).ShouldBe(0);
    }

    [Fact]
    public void A_thumbnail_is_a_small_jpeg()
    {
        using var renderer = new SceneRenderer(new SceneSpec { Kind = SceneKind.Street, Seconds = 10 });
        var frame = Render(renderer, 10);
        var jpeg = MotionDetector.Thumbnail(frame);
        jpeg[0].ShouldBe((byte)0xFF);
        jpeg[1].ShouldBe((byte)0xD8);
        jpeg.Length.ShouldBeLessThan(40_000);
        using var decoded = Cv2.ImDecode(jpeg, ImreadModes.Color);
        (decoded.Cols, decoded.Rows).ShouldBe((320, 180));
    }
}
