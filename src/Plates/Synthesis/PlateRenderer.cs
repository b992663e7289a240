using System.Collections.Concurrent;
using CameraNet.Contracts;
using SkiaSharp;

namespace CameraNet.Plates.Synthesis;

/// <summary>
/// Draws a plate number onto its canonical canvas (1 px per mm: 440×140, new-energy 480×140)
/// following the GA 36 layout. Thread-safe; results are new images owned by the caller.
/// </summary>
public sealed class PlateRenderer
{
    // Character left edges (GA 36 layout; 12 mm between characters, a wider gap after the 2nd where the dot is).
    private static readonly int[] StandardX = [15, 72, 151, 208, 265, 322, 379];
    private static readonly int[] NewEnergyX = [15, 69, 161, 213, 265, 317, 369, 421];
    private const int GlyphTop = 25;
    private const int GlyphHeight = 90;

    // Two-row plates (440×220): province and letter about 60 mm high in the upper row with a dot between
    // them, the serial's five characters 65×110 mm in the lower, 15 mm apart.
    private static readonly SKRect[] TwoRowCells =
    [
        new(115, 15, 185, 72), new(250, 15, 310, 72),
        new(27.5f, 95, 92.5f, 205), new(107.5f, 95, 172.5f, 205), new(187.5f, 95, 252.5f, 205), new(267.5f, 95, 332.5f, 205), new(347.5f, 95, 412.5f, 205),
    ];

    private static readonly SKSamplingOptions Smooth = new(SKFilterMode.Linear, SKMipmapMode.Linear);

    private readonly GlyphSet _glyphs;
    private readonly ConcurrentDictionary<(char, SKColor, int), SKImage> _tinted = new();

    public PlateRenderer(GlyphSet? glyphs = null) => _glyphs = glyphs ?? GlyphSet.Default;

    public static PlateRenderer Default { get; } = new();

    /// <summary>True when every character of <paramref name="plate"/> has a glyph in the set.</summary>
    public bool CanRender(string plate) => plate.All(_glyphs.CanDraw);

    /// <summary>The glyph faces plates can be drawn in (see <see cref="GlyphSet"/>).</summary>
    public GlyphSet Glyphs => _glyphs;

    public SKImage Render(string plate, PlateStyle style)
    {
        if (!PlateGrammar.TryValidate(plate, out var shape, out var error))
        {
            throw new ArgumentException(error, nameof(plate));
        }

        if ((shape == PlateShape.NewEnergy) != (style.Colour == PlateColour.Green))
        {
            throw new ArgumentException($"plate '{plate}' has {plate.Length} characters, which does not fit a {style.Colour} plate", nameof(style));
        }

        if (style.TwoRow && style.Colour != PlateColour.Yellow)
        {
            throw new ArgumentException($"two-row plates are yellow (GA 36), not {style.Colour}", nameof(style));
        }

        var (background, ink) = style.Colour switch
        {
            PlateColour.Blue => ("blue", SKColors.White),
            PlateColour.Yellow => ("yellow", SKColors.Black),
            PlateColour.Black => ("black", SKColors.White),
            PlateColour.Green => (style.LargeVehicle ? "green-large" : "green-small", SKColors.Black),
            PlateColour.White => ("white", SKColors.Black),
            _ => throw new ArgumentException($"no plate background for colour {style.Colour}", nameof(style)),
        };

        var info = new SKImageInfo(style.CanvasWidth, style.Height, SKColorType.Bgra8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        void DrawRim()
        {
            using var rim = new SKPaint { Color = SKColors.Black, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 4 };
            canvas.DrawRoundRect(new SKRect(6, 6, info.Width - 6, info.Height - 6), 10, 10, rim);
        }

        if (style.TwoRow)
        {
            // The glyph set's yellow background is a one-row plate (its dot would land among the serial): draw the yellow and the rim.
            canvas.Clear(new SKColor(255, 204, 0));
            DrawRim();
        }
        else if (background == "white")
        {
            // Police plates: white with a black rim (the glyph set has no white background; it is plain enough to draw).
            DrawRim();
        }
        else
        {
            canvas.DrawImage(_glyphs.Background(background), new SKRect(0, 0, info.Width, info.Height), Smooth, null);
        }

        var xs = plate.Length == 8 ? NewEnergyX : StandardX;
        for (var i = 0; i < plate.Length; i++)
        {
            // The 警 of a police plate is red.
            var glyph = Tinted(plate[i], style.Colour == PlateColour.White && plate[i] == '警' ? new SKColor(205, 20, 30) : ink, style.Face);
            var cell = style.TwoRow ? TwoRowCells[i] : new SKRect(xs[i], GlyphTop, xs[i] + glyph.Width, GlyphTop + GlyphHeight);
            canvas.DrawImage(glyph, cell, Smooth, null);
        }

        if (style.TwoRow)
        {
            using var dot = new SKPaint { Color = ink, IsAntialias = true };
            canvas.DrawCircle(218, 45, 5, dot);
        }

        return surface.Snapshot();
    }

    /// <summary>The glyph as ink of the given colour with coverage as alpha (glyphs are stored black on white).</summary>
    private SKImage Tinted(char c, SKColor ink, int face) => _tinted.GetOrAdd((c, ink, face), static (key, glyphs) =>
    {
        var source = glyphs.Glyph(key.Item1, key.Item3);
        using var grey = new SKBitmap(new SKImageInfo(source.Width, source.Height, SKColorType.Gray8, SKAlphaType.Opaque));
        source.ReadPixels(grey.Info, grey.GetPixels(), grey.RowBytes, 0, 0);
        var tinted = new SKBitmap(new SKImageInfo(source.Width, source.Height, SKColorType.Bgra8888, SKAlphaType.Premul));
        for (var y = 0; y < source.Height; y++)
        {
            for (var x = 0; x < source.Width; x++)
            {
                var coverage = (byte)(255 - grey.GetPixel(x, y).Red);
                tinted.SetPixel(x, y, key.Item2.WithAlpha(coverage));
            }
        }

        tinted.SetImmutable();
        return SKImage.FromBitmap(tinted);
    }, _glyphs);
}
