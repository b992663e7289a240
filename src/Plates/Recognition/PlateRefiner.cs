using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace CameraNet.Plates.Recognition;

/// <summary>
/// Boxes a plate anew from a region that cuts it badly: the region's surroundings (<see cref="Window"/>)
/// are drawn upright at <see cref="Width"/>×<see cref="Height"/> grey, and a small convolutional network
/// trained on synthetic scenes only (<c>./cameranet plates train</c>; boxes off by up to half a plate's
/// length, a third short, or three times its height) gives whether a plate is there and its four
/// corners. For regions none of whose cuts read: the locator's box stopped short of a plate's end, took
/// in its frame, or was twice its height. Thread-safe (ONNX Runtime sessions are; scratch images are per
/// thread).
/// </summary>
public sealed class PlateRefiner : IDisposable
{
    /// <summary>The canvas the network looks at: 64 px high, 128 long.</summary>
    public const int Height = 64, Width = 128;

    public const int Pixels = Height * Width;

    /// <summary>The window drawn around a region: this many times its length, and half that high.</summary>
    public const float WindowAlong = 1.6f;

    /// <summary>Outputs: a plate's presence (a logit), then its corners TL, TR, BR, BL as (x, y) shares of the canvas.</summary>
    public const int Outputs = 9;

    private readonly InferenceSession _session;
    private readonly string _input;

    public PlateRefiner(byte[] model) =>
        (_session, _input) = PlateModels.Session(model, Outputs, "box refiner", "values (presence, four corners)");

    /// <summary>The surroundings of <paramref name="region"/> that are drawn: centred on it, along its axes, <see cref="WindowAlong"/> times its length and half that high.</summary>
    public static PlateRegion Window(PlateRegion region)
    {
        var length = region.Width * WindowAlong;
        return region with { Width = length, Height = length * Height / Width };
    }

    private sealed class Scratch
    {
        public readonly Mat Gray = new(), Half = new(), Canvas = new();
    }

    [ThreadStatic]
    private static Scratch? _scratch;

    /// <summary>
    /// Draws the canvas of <paramref name="region"/> into <paramref name="canvas"/> (<see cref="Pixels"/> bytes,
    /// row by row): what the network is trained on and run on. Returns where the canvas lies, or null when the
    /// region is wholly outside the image.
    /// </summary>
    public static Upright? Draw(Mat bgrOrGray, PlateRegion region, Span<byte> canvas)
    {
        ArgumentNullException.ThrowIfNull(bgrOrGray);
        if (canvas.Length != Pixels)
        {
            throw new ArgumentException($"a refiner canvas has {Pixels} bytes, not {canvas.Length}", nameof(canvas));
        }

        if (region.Width < 2 || region.Height < 1)
        {
            return null;
        }

        var s = _scratch ??= new Scratch();
        var window = Window(region);
        if (PlateRectifier.DrawUpright(bgrOrGray, window, new Size(Width, Height), Height / window.Height, s.Gray, s.Half, s.Canvas) is not { } frame)
        {
            return null;
        }

        s.Canvas.AsSpan<byte>().CopyTo(canvas);
        return frame;
    }

    /// <summary>
    /// The plate the network sees around <paramref name="region"/>: its box in the image (the rotated rectangle
    /// around the corners found, the region's colour, <see cref="PlateRegion.LastResort"/>) and the network's
    /// probability that a plate is there; null when that is below <paramref name="minPresence"/> or the corners
    /// make no plate (long side under 1.4 times the short one).
    /// </summary>
    public (PlateRegion Region, float Presence)? Refine(Mat bgrOrGray, PlateRegion region, float minPresence = 0.5f)
    {
        Span<byte> canvas = stackalloc byte[Pixels];
        if (Draw(bgrOrGray, region, canvas) is not { } frame)
        {
            return null;
        }

        var (presence, corners) = Run(canvas);
        if (presence < minPresence)
        {
            return null;
        }

        var quad = Array.ConvertAll(corners, c => frame.ToImage(new Point2f(c.X * Width, c.Y * Height)));
        var found = PlateRegion.From(Cv2.MinAreaRect(quad), region.Colour, region.Score);
        if (found.Width < found.Height * 1.4f || found.Height < 2)
        {
            return null;
        }

        return (found with { LastResort = true }, presence);
    }

    /// <summary>The network on one canvas: the probability that a plate is there, and its corners TL, TR, BR, BL as shares of the canvas.</summary>
    public (float Presence, Point2f[] Corners) Run(ReadOnlySpan<byte> canvas)
    {
        var input = PlateModels.Input(canvas, Height, Width, "refiner canvas");
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_input, input)]);
        var output = results[0].AsTensor<float>();
        var corners = new Point2f[4];
        for (var k = 0; k < 4; k++)
        {
            corners[k] = new Point2f(output[0, 1 + 2 * k], output[0, 2 + 2 * k]);
        }

        return (1 / (1 + MathF.Exp(-output[0, 0])), corners);
    }

    public void Dispose() => _session.Dispose();
}
