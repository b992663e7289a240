using OpenCvSharp;
using SkiaSharp;

namespace CameraNet.Plates.Synthesis;

/// <summary>Simple test scenes: a 1280×720 street frame with one car whose plate is rendered at a given size and angle.</summary>
public static class PlateScene
{
    /// <summary>The plate as a BGR image on its canonical canvas (1 px per mm).</summary>
    public static Mat RenderBgr(string plate, PlateStyle style, PlateRenderer? renderer = null)
    {
        using var image = (renderer ?? PlateRenderer.Default).Render(plate, style);
        return ToBgr(image);
    }

    /// <summary>A Skia image as a new BGR image.</summary>
    public static Mat ToBgr(SKImage image)
    {
        using var bitmap = SKBitmap.FromImage(image);
        using var bgra = Mat.FromPixelData(bitmap.Height, bitmap.Width, MatType.CV_8UC4, bitmap.GetPixels(), bitmap.RowBytes);
        var bgr = new Mat();
        Cv2.CvtColor(bgra, bgr, ColorConversionCodes.BGRA2BGR);
        return bgr;
    }

    /// <summary>
    /// A frame with the plate <paramref name="width"/> px long (along the x axis), centred at (640, 480), turned by
    /// <paramref name="angle"/>°; or, with a <paramref name="tilt"/>, seen from the side instead: its baseline
    /// tilted by that many degrees (positive: the right end lower), its sides and characters upright.
    /// </summary>
    public static Mat Frame(string plate, PlateStyle style, int width = 180, double angle = 3, int seed = 1, double tilt = 0)
    {
        var random = new Random(seed);
        var frame = new Mat(720, 1280, MatType.CV_8UC3, new Scalar(95, 100, 105));
        Cv2.Rectangle(frame, new Rect(420, 250, 440, 330), new Scalar(random.Next(40, 200), random.Next(40, 200), random.Next(40, 200)), -1); // a car
        Cv2.Rectangle(frame, new Rect(470, 280, 340, 110), new Scalar(40, 40, 45), -1); // its windscreen
        Cv2.Line(frame, new Point(0, 650), new Point(1280, 640), new Scalar(230, 230, 230), 6); // a lane marking

        using var bgr = RenderBgr(plate, style);
        var scale = width / (double)bgr.Width;
        using var transform = tilt == 0
            ? Cv2.GetRotationMatrix2D(new Point2f(bgr.Width / 2f, bgr.Height / 2f), angle, scale)
            : Sheared(bgr.Size(), scale, tilt);
        transform.Set(0, 2, transform.At<double>(0, 2) + 640 - bgr.Width / 2.0);
        transform.Set(1, 2, transform.At<double>(1, 2) + 480 - bgr.Height / 2.0);
        using var mask = new Mat(bgr.Size(), MatType.CV_8UC1, Scalar.All(255));
        using var warped = new Mat();
        using var warpedMask = new Mat();
        Cv2.WarpAffine(bgr, warped, transform, frame.Size(), InterpolationFlags.Area);
        Cv2.WarpAffine(mask, warpedMask, transform, frame.Size());
        warped.CopyTo(frame, warpedMask);
        Cv2.GaussianBlur(frame, frame, new Size(3, 3), 0.6);
        return frame;
    }

    /// <summary>(x, y) about the canvas's centre to scale·(x·cos t, x·sin t + y) about it: the baseline tilted, verticals kept.</summary>
    private static Mat Sheared(Size canvas, double scale, double tilt)
    {
        var t = tilt * Math.PI / 180;
        double a = scale * Math.Cos(t), c = scale * Math.Sin(t), d = scale;
        double cx = canvas.Width / 2.0, cy = canvas.Height / 2.0;
        var m = new Mat(2, 3, MatType.CV_64FC1);
        m.Set(0, 0, a);
        m.Set(0, 1, 0.0);
        m.Set(0, 2, cx - a * cx);
        m.Set(1, 0, c);
        m.Set(1, 1, d);
        m.Set(1, 2, cy - c * cx - d * cy);
        return m;
    }
}
