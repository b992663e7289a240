using OpenCvSharp;

namespace CameraNet.Plates.Recognition;

/// <summary>
/// Cuts a plate region out of an image as an upright grey crop of the reader's input size, its contrast
/// stretched (see <see cref="Stretch"/>). Training crops are cut by this same code from synthetic scenes,
/// so the reader sees the same framing (a little margin around the plate) and the same levels in
/// training and at run time.
/// </summary>
public static class PlateRectifier
{
    public const int Height = 32;
    public const int Width = 128;

    /// <summary>Margin around the plate: the crop spans this much more than the region's long and short sides.</summary>
    public const float GrowWidth = 1.08f;

    public const float GrowHeight = 1.30f;

    /// <summary>Share of a crop's pixels allowed to clip at each end when its contrast is stretched.</summary>
    public const float ClipShare = 0.02f;

    /// <summary>The least range of grey levels a crop is stretched from: a flat crop keeps its flatness instead of having its noise blown up.</summary>
    public const int MinimumRange = 24;

    /// <summary>Pixels of one crop, row by row: the reader's input.</summary>
    public const int Pixels = Height * Width;

    private static void RequireCropSize(byte[] pixels, int size = Pixels, string kind = "crop")
    {
        if (pixels.Length != size)
        {
            throw new ArgumentException($"a {kind} has {size} bytes, not {pixels.Length}", nameof(pixels));
        }
    }

    /// <summary>The crop's pixels, row by row, as the models take them (<paramref name="pixels"/> already checked to be the crop's size).</summary>
    private static void CopyOut(Mat crop, byte[] pixels) => System.Runtime.InteropServices.Marshal.Copy(crop.Data, pixels, 0, pixels.Length);

    /// <summary>Cuts the crop into <paramref name="crop"/> and copies its pixels into <paramref name="pixels"/> (<see cref="Pixels"/> bytes), as the reader takes them.</summary>
    public static void Cut(Mat bgrOrGray, PlateRegion region, Mat crop, byte[] pixels)
    {
        RequireCropSize(pixels);

        Cut(bgrOrGray, region, crop);
        CopyOut(crop, pixels);
    }

    /// <summary>Writes the crop (grey, <see cref="Height"/>×<see cref="Width"/>) into <paramref name="crop"/>.</summary>
    public static void Cut(Mat bgrOrGray, PlateRegion region, Mat crop)
    {
        var corners = region.Corners(GrowWidth, GrowHeight);
        Cut(bgrOrGray, region, corners[0], corners[1], corners[3], region.Height * GrowHeight, new Size(Width, Height), crop);
    }

    /// <summary>A region must be turned at least this much (degrees) for <see cref="CutSheared"/> to differ enough from <see cref="Cut"/>.</summary>
    public const float ShearedMinAngle = 8;

    /// <summary>
    /// Cuts a turned region as a plate whose sides stay vertical: a camera mounted high and to the side
    /// of a lane sees a plate's baseline tilted but its characters upright (the image's verticals stay
    /// vertical), so the plate is a parallelogram, not a turned rectangle, and turning it upright would
    /// slant every character. The region is the parallelogram's bounding rotated rectangle (what the
    /// locator finds): for a parallelogram of vertical height H and length L along the angle a, that
    /// rectangle is L + H·|sin a| long and H·cos a high. Returns false (and cuts nothing) when the region
    /// is turned less than <see cref="ShearedMinAngle"/>° or is too short to hold such a plate.
    /// </summary>
    public static bool CutSheared(Mat bgrOrGray, PlateRegion region, Mat crop, byte[] pixels)
    {
        RequireCropSize(pixels);

        var a = region.Angle * Math.PI / 180;
        if (Math.Abs(region.Angle) < ShearedMinAngle || Math.Abs(region.Angle) > 60)
        {
            return false;
        }

        var height = region.Height / (float)Math.Cos(a);
        var length = region.Width - height * (float)Math.Abs(Math.Sin(a));
        if (length < 1.2f * height)
        {
            return false;
        }

        var u = new Point2f((float)Math.Cos(a), (float)Math.Sin(a)) * (length * GrowWidth / 2);
        var v = new Point2f(0, height * GrowHeight / 2);
        Cut(bgrOrGray, region, region.Centre - u - v, region.Centre + u - v, region.Centre - u + v, height * GrowHeight, new Size(Width, Height), crop);
        CopyOut(crop, pixels);
        return true;
    }

    /// <summary>Cuts the parallelogram (top-left, top-right, bottom-left corners; <paramref name="height"/> px high) of a region's surroundings into the crop, <paramref name="size"/> large.</summary>
    private static void Cut(Mat bgrOrGray, PlateRegion region, Point2f topLeft, Point2f topRight, Point2f bottomLeft, float height, Size size, Mat crop)
    {
        using var transform = Cv2.GetAffineTransform(
            [topLeft, topRight, bottomLeft],
            [new Point2f(0, 0), new Point2f(size.Width, 0), new Point2f(0, size.Height)]);

        // Shrinking a large plate to the crop's height: sample from a version blurred to the target resolution, or strokes alias.
        var shrink = height / size.Height;
        if (bgrOrGray.Channels() == 1)
        {
            Warp(bgrOrGray, transform, size, crop, shrink);
            return;
        }

        using var gray = new Mat();
        if (GrayAround(bgrOrGray, region, (int)(region.Height * GrowHeight) + 2, gray) is not { } roi)
        {
            crop.Create(size, MatType.CV_8UC1);
            crop.SetTo(Scalar.All(0));
            return;
        }

        // The transform was made for whole-image coordinates: shift it to the region of interest.
        using var shifted = transform.Clone();
        shifted.Set(0, 2, transform.At<double>(0, 2) + transform.At<double>(0, 0) * roi.X + transform.At<double>(0, 1) * roi.Y);
        shifted.Set(1, 2, transform.At<double>(1, 2) + transform.At<double>(1, 0) * roi.X + transform.At<double>(1, 1) * roi.Y);
        Warp(gray, shifted, size, crop, shrink);
    }

    /// <summary>Size of the province crop (<see cref="CutProvince"/>): about 0.33 px per mm of plate both ways, so the province character is ~15×30 px.</summary>
    public const int ProvinceHeight = 64;

    public const int ProvinceWidth = 56;

    public const int ProvincePixels = ProvinceHeight * ProvinceWidth;

    /// <summary>The span of the province crop along a one-row region's width (shares of it from its centre): the province character stands at -0.47 to -0.36 of a 440 mm plate, -0.47 to -0.37 of a 480 mm new-energy plate; the span allows for a box off by a tenth of the plate.</summary>
    public const float ProvinceFrom = -0.56f, ProvinceTo = -0.16f;

    /// <summary>
    /// Cuts the left end of a one-row plate region (the province character and some of the letter) at
    /// about twice the resolution of the reader's crop (<see cref="ProvinceHeight"/>×<see cref="ProvinceWidth"/>,
    /// as tall as <see cref="GrowHeight"/> region heights), contrast stretched: a Chinese character's
    /// strokes are too dense for the 32-px line crop, where a province is about 12×16 px.
    /// </summary>
    public static void CutProvince(Mat bgrOrGray, PlateRegion region, Mat crop, byte[] pixels)
    {
        RequireCropSize(pixels, ProvincePixels, "province crop");

        var (along, across) = region.Axes();
        var u = along * region.Width;
        var v = across * (region.Height * GrowHeight);
        var topLeft = region.Centre + u * ProvinceFrom - v * 0.5f;
        Cut(bgrOrGray, region, topLeft, topLeft + u * (ProvinceTo - ProvinceFrom), topLeft + v, region.Height * GrowHeight, new Size(ProvinceWidth, ProvinceHeight), crop);
        CopyOut(crop, pixels);
    }

    /// <summary>
    /// Where a two-row plate's rows go in the crop: the upper row (province and letter, the middle of the
    /// plate's width) to the left <see cref="TwoRowSplit"/> columns, the lower row (the five-character
    /// serial, the whole width) to the rest, so that the reader sees the seven characters in one line,
    /// in order, as on a one-row plate. Spans are shares of the region's width and height (a little
    /// beyond the plate where the locator's box may be short).
    /// </summary>
    public const int TwoRowSplit = 36;

    private static readonly (float U0, float U1, float V0, float V1, int X0, int X1)[] TwoRowStrips =
    [
        (0.18f, 0.82f, -0.02f, 0.43f, 0, TwoRowSplit),
        (-0.01f, 1.01f, 0.36f, 1.03f, TwoRowSplit, Width),
    ];

    /// <summary>
    /// Cuts a two-row plate (a large vehicle's rear plate) into the reader's one-line crop: its upper
    /// row then its lower row side by side (see <see cref="TwoRowSplit"/>), contrast stretched.
    /// </summary>
    public static void CutTwoRows(Mat bgrOrGray, PlateRegion region, Mat crop, byte[] pixels)
    {
        RequireCropSize(pixels);

        crop.Create(Height, Width, MatType.CV_8UC1);
        var (along, across) = region.Axes();
        var u = along * region.Width;
        var v = across * region.Height;
        // Only the region's surroundings are converted and smoothed, in their own coordinates.
        using var gray = new Mat();
        if (GrayAround(bgrOrGray, region, (int)(region.Height * 0.1f) + 2, gray) is not { } roi)
        {
            crop.SetTo(Scalar.All(0));
            CopyOut(crop, pixels);
            return;
        }

        var topLeft = region.Centre - u * 0.5f - v * 0.5f - new Point2f(roi.X, roi.Y);

        foreach (var (u0, u1, v0, v1, x0, x1) in TwoRowStrips)
        {
            Point2f At(float su, float sv) => topLeft + u * su + v * sv;
            using var transform = Cv2.GetAffineTransform(
                [At(u0, v0), At(u1, v0), At(u0, v1)],
                [new Point2f(0, 0), new Point2f(x1 - x0, 0), new Point2f(0, Height)]);
            var shrink = Math.Max(region.Height * (v1 - v0) / Height, region.Width * (u1 - u0) / (x1 - x0));
            using var strip = new Mat(crop, new Rect(x0, 0, x1 - x0, Height));
            using var warped = new Mat();
            WarpSmoothed(gray, transform, new Size(x1 - x0, Height), warped, shrink);
            warped.CopyTo(strip);
        }

        Stretch(crop.AsSpan<byte>());
        CopyOut(crop, pixels);
    }

    /// <summary>
    /// Draws <paramref name="window"/> (a rotated rectangle in the image) upright into <paramref name="output"/>
    /// at <paramref name="size"/>, <paramref name="scale"/> canvas px per image px, its grey levels stretched
    /// (<see cref="Stretch"/>): what <see cref="PlateLocator.RowsAround"/> searches and <see cref="PlateRefiner"/>
    /// looks at. Shrinking first averages by area to about the canvas's resolution (sampling would alias
    /// strokes), then only turns. <paramref name="gray"/> and <paramref name="half"/> are scratch. Returns where
    /// the canvas lies in the image, or null when the window is wholly outside it.
    /// </summary>
    internal static Upright? DrawUpright(Mat bgrOrGray, PlateRegion window, Size size, float scale, Mat gray, Mat half, Mat output)
    {
        var frame = Upright.Of(window, size, scale);
        if (GrayAround(bgrOrGray, window, 2, gray) is not { } roi)
        {
            return null;
        }

        var shrink = scale < 0.8f ? scale : 1f;
        var source = gray;
        if (shrink < 1)
        {
            Cv2.Resize(gray, half, new Size(), shrink, shrink, InterpolationFlags.Area);
            source = half;
        }

        Point2f Source(Point2f image) => (image - new Point2f(roi.X, roi.Y)) * shrink;
        using var transform = Cv2.GetAffineTransform(
            [Source(frame.ToImage(new Point2f(0, 0))), Source(frame.ToImage(new Point2f(size.Width, 0))), Source(frame.ToImage(new Point2f(0, size.Height)))],
            [new Point2f(0, 0), new Point2f(size.Width, 0), new Point2f(0, size.Height)]);
        Cv2.WarpAffine(source, output, transform, size, InterpolationFlags.Linear, BorderTypes.Replicate);
        Stretch(output.AsSpan<byte>());
        return frame;
    }

    /// <summary>
    /// The grey of the region's surroundings (its bounds grown by <paramref name="pad"/>, inside the
    /// image) into <paramref name="gray"/>; their place in the image, or null when none of it is inside.
    /// </summary>
    internal static Rect? GrayAround(Mat bgrOrGray, PlateRegion region, int pad, Mat gray)
    {
        var bounds = region.Bounds;
        var roi = new Rect(bounds.X - pad, bounds.Y - pad, bounds.Width + 2 * pad, bounds.Height + 2 * pad) & new Rect(0, 0, bgrOrGray.Width, bgrOrGray.Height);
        if (roi.Width <= 0 || roi.Height <= 0)
        {
            return null;
        }

        using var part = new Mat(bgrOrGray, roi);
        if (bgrOrGray.Channels() == 1)
        {
            part.CopyTo(gray);
        }
        else
        {
            Cv2.CvtColor(part, gray, ColorConversionCodes.BGR2GRAY);
        }

        return roi;
    }

    private static void Warp(Mat gray, Mat transform, Size size, Mat crop, double shrink)
    {
        WarpSmoothed(gray, transform, size, crop, shrink);
        Stretch(crop.AsSpan<byte>());
    }

    /// <summary>Warps to <paramref name="size"/>; shrinking by more than 1.6, from a version blurred to the target resolution, or strokes alias.</summary>
    private static void WarpSmoothed(Mat gray, Mat transform, Size size, Mat output, double shrink)
    {
        if (shrink > 1.6)
        {
            using var smooth = new Mat();
            Cv2.GaussianBlur(gray, smooth, new Size(0, 0), 0.45 * shrink);
            Cv2.WarpAffine(smooth, output, transform, size, InterpolationFlags.Linear, BorderTypes.Replicate);
        }
        else
        {
            Cv2.WarpAffine(gray, output, transform, size, InterpolationFlags.Linear, BorderTypes.Replicate);
        }
    }

    /// <summary>
    /// Stretches a crop's grey levels so that its darkest and brightest <see cref="ClipShare"/> of pixels
    /// become black and white. Real plates come dim, washed out or backlit; measured on the
    /// development photos' crops, a reader trained without this read 27 of 100 best crops exactly as
    /// they were cut and 41 once stretched, so crops are stretched before training and reading alike.
    /// </summary>
    public static void Stretch(Span<byte> pixels)
    {
        Span<int> histogram = stackalloc int[256];
        foreach (var p in pixels)
        {
            histogram[p]++;
        }

        var clip = (int)(pixels.Length * ClipShare);
        int low = 0, seen = 0;
        while (low < 255 && (seen += histogram[low]) <= clip)
        {
            low++;
        }

        int high = 255;
        seen = 0;
        while (high > 0 && (seen += histogram[high]) <= clip)
        {
            high--;
        }

        var range = high - low;
        if (range < MinimumRange)
        {
            // Too flat to stretch fully: widen the range about its middle.
            var middle = (low + high) / 2;
            low = middle - MinimumRange / 2;
            range = MinimumRange;
        }

        Span<byte> map = stackalloc byte[256];
        for (var v = 0; v < 256; v++)
        {
            map[v] = (byte)Math.Clamp((v - low) * 255 / range, 0, 255);
        }

        foreach (ref var p in pixels)
        {
            p = map[p];
        }
    }
}

/// <summary>
/// An upright canvas drawn from a turned window of an image (<see cref="PlateRectifier.DrawUpright"/>): its
/// top-left corner in the image, the window's axes, and canvas px per image px.
/// </summary>
public readonly record struct Upright(Point2f Origin, Point2f Along, Point2f Across, float Scale)
{
    /// <summary>The canvas of <paramref name="size"/> centred on <paramref name="window"/>, along its axes.</summary>
    public static Upright Of(PlateRegion window, Size size, float scale)
    {
        var (along, across) = window.Axes();
        return new Upright(window.Centre - along * (size.Width / 2f / scale) - across * (size.Height / 2f / scale), along, across, scale);
    }

    public Point2f ToImage(Point2f canvas) => Origin + Along * (canvas.X / Scale) + Across * (canvas.Y / Scale);

    public Point2f ToCanvas(Point2f image)
    {
        var d = image - Origin;
        return new Point2f((d.X * Along.X + d.Y * Along.Y) * Scale, (d.X * Across.X + d.Y * Across.Y) * Scale);
    }
}

