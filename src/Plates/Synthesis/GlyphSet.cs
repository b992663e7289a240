using System.Collections.Frozen;
using System.Reflection;
using SkiaSharp;

namespace CameraNet.Plates.Synthesis;

/// <summary>
/// A typeface for plate characters drawn from system fonts: Latin letters and digits from a condensed
/// grotesque, Chinese characters from a Hei (sans) face, each fitted to the plate font's 45×90 mm cell.
/// </summary>
/// <param name="Package">The Debian package that provides <paramref name="LatinFamily"/>, named in errors.</param>
public sealed record FontFace(string Name, string LatinFamily, bool LatinBold, bool LatinCondensed, string CjkFamily, bool CjkBold, string Package);

/// <summary>
/// Plate font glyphs and plate backgrounds. Face 0 is the bitmap font embedded in this assembly
/// (fake_chs_lp, BSD-3-Clause: the new-energy plates' typeface); faces 1… draw the letters and digits of
/// blue and yellow plates' typeface with <see cref="StrokeFont"/> at several pen widths (no freely
/// licensed font reproduces it); the faces after them are drawn from system fonts (<see cref="FontFaces"/>)
/// so that a reader trained on them does not learn one typeface's quirks.
/// Glyphs are 8-bit grey, black on white, 45×90 px (1 px per mm of a real plate).
/// Loaded once; the bitmaps are immutable afterwards and shared between threads.
/// </summary>
public sealed class GlyphSet
{
    private const int CellWidth = 45;
    private const int CellHeight = 90;

    /// <summary>The system-font faces, in face order (the first is face 1 + <see cref="StrokeFaceCount"/>). Their packages are installed by <c>./cameranet</c>.</summary>
    public static readonly IReadOnlyList<FontFace> FontFaces =
    [
        new("dejavu-condensed-bold", "DejaVu Sans", true, true, "Noto Sans CJK SC", true, "fonts-dejavu-core"),
        new("dejavu-condensed", "DejaVu Sans", false, true, "Noto Sans CJK SC", false, "fonts-dejavu-core"),
        new("roboto-condensed", "Roboto Condensed", false, false, "Noto Sans CJK SC", false, "fonts-roboto-unhinted"),
        new("roboto-condensed-bold", "Roboto Condensed", true, false, "Noto Sans CJK SC", true, "fonts-roboto-unhinted"),
        new("nimbus-sans-narrow", "Nimbus Sans Narrow", false, false, "Noto Sans CJK SC", false, "fonts-urw-base35"),
        new("nimbus-sans-narrow-bold", "Nimbus Sans Narrow", true, false, "Noto Sans CJK SC", true, "fonts-urw-base35"),
    ];

    private static readonly Lazy<GlyphSet> Embedded = new(() => new GlyphSet(typeof(GlyphSet).Assembly));

    /// <summary>
    /// Pen widths (mm of the 45 mm cell) of the stroke-font faces, faces 1… (see <see cref="StrokeFont"/>):
    /// the plate typeface's letters and digits (real plates' strokes look 7–10 mm wide in photos).
    /// </summary>
    public static readonly IReadOnlyList<float> StrokeWidths = [7f, 8.5f, 10f];

    /// <summary>The faces drawn with <see cref="StrokeFont"/>: faces 1 to this count.</summary>
    public static int StrokeFaceCount => StrokeWidths.Count;

    /// <summary>Face 0 is loaded at once; the system-font faces are drawn when first asked for (only training and its tests use them).</summary>
    private readonly Lazy<FrozenDictionary<char, SKImage>>[] _faces;
    private readonly FrozenDictionary<string, SKImage> _backgrounds;

    private GlyphSet(Assembly assembly)
    {
        using var index = assembly.GetManifestResourceStream("glyphs/glyphs.tsv")
            ?? throw new InvalidOperationException("glyphs/glyphs.tsv is not embedded in CameraNet.Plates");
        using var reader = new StreamReader(index);
        var glyphs = new Dictionary<char, SKImage>();
        var backgrounds = new Dictionary<string, SKImage>(StringComparer.Ordinal);
        reader.ReadLine(); // header
        while (reader.ReadLine() is { } line)
        {
            var cols = line.Split('\t');
            var image = Load(assembly, cols[0]);
            if (cols[2] == "background")
            {
                backgrounds[cols[3]] = image;
            }
            else
            {
                glyphs[cols[1][0]] = image;
            }
        }

        // The bitmap font has no special suffixes (学 警 挂 港 澳 使 领 试 超): draw them from the system's
        // CJK font (fonts-noto-cjk, which ./cameranet installs) in the same format, when there is one.
        using (var cjk = Typeface("Noto Sans CJK SC", bold: true))
        {
            foreach (var c in CameraNet.Contracts.PlateGrammar.SpecialSuffixes)
            {
                if (!glyphs.ContainsKey(c) && cjk is not null && Stretched(cjk, c) is { } drawn)
                {
                    glyphs[c] = drawn;
                }
            }
        }

        var bitmapFont = glyphs.ToFrozenDictionary();
        var faces = new List<Lazy<FrozenDictionary<char, SKImage>>> { new(bitmapFont) };
        var missing = new List<string>();
        foreach (var stroke in StrokeWidths)
        {
            faces.Add(new(() => FromStrokes(stroke, bitmapFont)));
        }

        foreach (var face in FontFaces)
        {
            if (Installed(face))
            {
                faces.Add(new(() => FromFonts(face, bitmapFont.Keys)
                    ?? throw new InvalidOperationException($"face {face.Name} lacks a plate character")));
            }
            else
            {
                missing.Add($"{face.Name} ({face.Package})");
                break; // faces are numbered: one missing face makes the later ones unusable as numbered
            }
        }

        _faces = [.. faces];
        MissingFaces = missing;
        _backgrounds = backgrounds.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public static GlyphSet Default => Embedded.Value;

    /// <summary>How many faces can be drawn: 1 (the bitmap font) + the system-font faces whose fonts are installed.</summary>
    public int FaceCount => _faces.Length;

    /// <summary>System-font faces that could not be drawn because their font is not installed (with the package to install).</summary>
    public IReadOnlyList<string> MissingFaces { get; }

    /// <summary>Characters this set can draw: 31 provinces, letters without I/O, digits, special suffixes.</summary>
    public IEnumerable<char> Characters => _faces[0].Value.Keys;

    public bool CanDraw(char c) => _faces[0].Value.ContainsKey(c);

    public SKImage Glyph(char c, int face = 0)
    {
        if ((uint)face >= (uint)_faces.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(face), face, $"there are {_faces.Length} faces{(MissingFaces.Count > 0 ? $"; not installed: {string.Join(", ", MissingFaces)}" : "")}");
        }

        return _faces[face].Value.TryGetValue(c, out var image) ? image : throw new ArgumentException($"no plate glyph for '{c}'", nameof(c));
    }

    /// <summary>Background by name: blue, yellow, black, green-small, green-large.</summary>
    public SKImage Background(string name) =>
        _backgrounds.TryGetValue(name, out var image) ? image : throw new ArgumentException($"no plate background '{name}'", nameof(name));

    private static bool Installed(FontFace face)
    {
        using var latin = Typeface(face.LatinFamily, face.LatinBold, face.LatinCondensed);
        using var cjk = Typeface(face.CjkFamily, face.CjkBold);
        return latin is not null && cjk is not null;
    }

    /// <summary>Every character of the bitmap font drawn in <paramref name="face"/>; null when one of its fonts is not installed.</summary>
    private static FrozenDictionary<char, SKImage>? FromFonts(FontFace face, IEnumerable<char> characters)
    {
        using var latin = Typeface(face.LatinFamily, face.LatinBold, face.LatinCondensed);
        using var cjk = Typeface(face.CjkFamily, face.CjkBold);
        if (latin is null || cjk is null)
        {
            return null;
        }

        using var font = new SKFont(latin, 100) { Subpixel = true };
        // Scale the face so that its capitals fill the cell's height and its zero is as wide as the plate font's (about 43 of 45 mm).
        font.MeasureText("H", out var cap);
        font.MeasureText("0", out var zero);
        var sy = CellHeight * 0.98f / cap.Height;
        var sx = Math.Min(CellWidth * 0.95f / zero.Width, sy * 1.6f);
        var drawn = new Dictionary<char, SKImage>();
        foreach (var c in characters)
        {
            var image = c < 128 ? Fitted(font, c, sx, sy, cap.Top) : Stretched(cjk, c);
            if (image is null)
            {
                return null;
            }

            drawn[c] = image;
        }

        return drawn.ToFrozenDictionary();
    }

    /// <summary>
    /// Letters and digits from the stroke font at this pen width; the Chinese characters of the bitmap
    /// plate font, which are the plate typeface's own (a model trained with Noto's in their place misread
    /// 13 of 103 real provinces against 3).
    /// </summary>
    private static FrozenDictionary<char, SKImage> FromStrokes(float stroke, FrozenDictionary<char, SKImage> bitmapFont)
    {
        var latin = StrokeFont.Draw(stroke, CellWidth, CellHeight);
        return bitmapFont.ToFrozenDictionary(g => g.Key, g => latin.TryGetValue(g.Key, out var glyph) ? glyph : g.Value);
    }

    /// <summary>A letter or digit on the cap line, scaled by (sx, sy), centred across the cell (narrowed if it would overflow).</summary>
    private static SKImage? Fitted(SKFont font, char c, float sx, float sy, float capTop)
    {
        if (font.GetGlyph(c) == 0)
        {
            return null;
        }

        var text = c.ToString();
        font.MeasureText(text, out var bounds);
        sx = Math.Min(sx, CellWidth * 0.98f / bounds.Width);

        // Ink below the baseline or above the cap line (DejaVu's J hooks under the baseline) would be cut
        // off the cell, leaving a J that is a bare bar like a 1: squeeze such a glyph to fit instead.
        var top = Math.Min(capTop, bounds.Top);
        var bottom = Math.Max(0f, bounds.Bottom);
        sy = Math.Min(sy, CellHeight * 0.98f / (bottom - top));
        using var surface = SKSurface.Create(new SKImageInfo(CellWidth, CellHeight, SKColorType.Gray8, SKAlphaType.Opaque));
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        canvas.Translate((CellWidth - bounds.Width * sx) / 2f, CellHeight * 0.01f);
        canvas.Scale(sx, sy);
        canvas.DrawText(text, -bounds.Left, -top, SKTextAlign.Left, font, paint);
        return surface.Snapshot();
    }

    /// <summary>A Chinese character with its ink box stretched onto the cell, as the plate font's characters fill theirs.</summary>
    private static SKImage? Stretched(SKTypeface typeface, char c)
    {
        using var font = new SKFont(typeface, CellHeight);
        if (font.GetGlyph(c) == 0)
        {
            return null;
        }

        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        var text = c.ToString();
        font.MeasureText(text, out var bounds);
        using var surface = SKSurface.Create(new SKImageInfo(CellWidth, CellHeight, SKColorType.Gray8, SKAlphaType.Opaque));
        surface.Canvas.Clear(SKColors.White);
        surface.Canvas.Scale(CellWidth * 0.96f / bounds.Width, CellHeight * 0.96f / bounds.Height);
        surface.Canvas.DrawText(text, -bounds.Left + bounds.Width * 0.02f, -bounds.Top + bounds.Height * 0.02f, SKTextAlign.Left, font, paint);
        return surface.Snapshot();
    }

    /// <summary>The installed typeface of that family, or null (fontconfig would otherwise substitute another family silently).</summary>
    private static SKTypeface? Typeface(string family, bool bold, bool condensed = false)
    {
        var style = new SKFontStyle(bold ? SKFontStyleWeight.Bold : SKFontStyleWeight.Normal,
            condensed ? SKFontStyleWidth.Condensed : SKFontStyleWidth.Normal, SKFontStyleSlant.Upright);
        var typeface = SKFontManager.Default.MatchFamily(family, style);
        if (typeface is null)
        {
            return null;
        }

        if (!string.Equals(typeface.FamilyName, family, StringComparison.OrdinalIgnoreCase) || (bold && typeface.FontWeight < (int)SKFontStyleWeight.SemiBold)
            || (condensed && typeface.FontWidth >= (int)SKFontStyleWidth.Normal))
        {
            typeface.Dispose();
            return null;
        }

        return typeface;
    }

    private static SKImage Load(Assembly assembly, string file)
    {
        using var stream = assembly.GetManifestResourceStream("glyphs/" + file)
            ?? throw new InvalidOperationException($"glyphs/{file} is listed in glyphs.tsv but not embedded");
        return SKImage.FromEncodedData(stream) ?? throw new InvalidOperationException($"glyphs/{file} is not a readable image");
    }
}
