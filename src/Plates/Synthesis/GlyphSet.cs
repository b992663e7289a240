using System.Collections.Frozen;
using System.Reflection;
using SkiaSharp;

namespace CameraNet.Plates.Synthesis;

/// <summary>
/// The plate font glyphs and plate backgrounds embedded in this assembly (fake_chs_lp, BSD-3-Clause).
/// Glyphs are 8-bit grey, black on white, 90 px tall (1 px per mm of a real plate).
/// Loaded once; the bitmaps are immutable afterwards and shared between threads.
/// </summary>
public sealed class GlyphSet
{
    private static readonly Lazy<GlyphSet> Embedded = new(() => new GlyphSet(typeof(GlyphSet).Assembly));

    private readonly FrozenDictionary<char, SKImage> _glyphs;
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

        // The font has no special suffixes (学 警 挂 港 澳 使 领 试 超): draw them from a system CJK font
        // (fonts-noto-cjk, which ./cameranet installs) in the same format, when there is one.
        if (glyphs.TryGetValue('京', out var sample))
        {
            foreach (var c in CameraNet.Contracts.PlateGrammar.SpecialSuffixes)
            {
                if (!glyphs.ContainsKey(c) && FromFont(c, sample.Width, sample.Height) is { } drawn)
                {
                    glyphs[c] = drawn;
                }
            }
        }

        _glyphs = glyphs.ToFrozenDictionary();
        _backgrounds = backgrounds.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public static GlyphSet Default => Embedded.Value;

    /// <summary>Characters this set can draw: 31 provinces, letters without I/O, digits.</summary>
    public IEnumerable<char> Characters => _glyphs.Keys;

    public bool CanDraw(char c) => _glyphs.ContainsKey(c);

    public SKImage Glyph(char c) =>
        _glyphs.TryGetValue(c, out var image) ? image : throw new ArgumentException($"no plate glyph for '{c}'", nameof(c));

    /// <summary>Background by name: blue, yellow, black, green-small, green-large.</summary>
    public SKImage Background(string name) =>
        _backgrounds.TryGetValue(name, out var image) ? image : throw new ArgumentException($"no plate background '{name}'", nameof(name));

    private static SKImage? FromFont(char c, int width, int height)
    {
        using var typeface = SKFontManager.Default.MatchFamily("Noto Sans CJK SC", SKFontStyle.Bold);
        if (typeface is null)
        {
            return null;
        }

        using var font = new SKFont(typeface, height);
        if (font.GetGlyph(c) == 0)
        {
            return null;
        }

        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        var text = c.ToString();
        font.MeasureText(text, out var bounds);
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        surface.Canvas.Clear(SKColors.White);
        // Stretch the character's ink box onto the glyph cell, as the plate font's characters fill theirs.
        surface.Canvas.Scale(width * 0.96f / bounds.Width, height * 0.96f / bounds.Height);
        surface.Canvas.DrawText(text, -bounds.Left + bounds.Width * 0.02f, -bounds.Top + bounds.Height * 0.02f, SKTextAlign.Left, font, paint);
        return surface.Snapshot();
    }

    private static SKImage Load(Assembly assembly, string file)
    {
        using var stream = assembly.GetManifestResourceStream("glyphs/" + file)
            ?? throw new InvalidOperationException($"glyphs/{file} is listed in glyphs.tsv but not embedded");
        return SKImage.FromEncodedData(stream) ?? throw new InvalidOperationException($"glyphs/{file} is not a readable image");
    }
}
