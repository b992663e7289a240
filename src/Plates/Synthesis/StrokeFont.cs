using System.Collections.Frozen;
using SkiaSharp;

namespace CameraNet.Plates.Synthesis;

/// <summary>
/// The letters and digits of blue, yellow, black and white plates, drawn as strokes of constant width
/// on the plate font's 45×90 mm cell, the way that typeface is built (GA 36: every character one
/// stroke width, straight sides, round bowls, a "1" that is a bare bar with a small flag). No freely
/// licensed font has these shapes, and readers trained on grotesque fonts confuse exactly the
/// characters where they differ (a footless 1 read as J; 0/D/Q; 5/6/8). The geometry is this code's
/// own: centre lines in millimetres of the cell, drawn with a pen of <c>stroke</c> mm.
/// </summary>
public static class StrokeFont
{
    public const string Characters = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";

    private const float L = 5, R = 40, T = 5, B = 85, Cx = 22.5f, Rr = 17.5f;

    /// <summary>Every letter and digit of the plate alphabet as a 45×90 black-on-white glyph.</summary>
    public static FrozenDictionary<char, SKImage> Draw(float stroke, int width, int height)
    {
        var glyphs = new Dictionary<char, SKImage>();
        foreach (var c in Characters)
        {
            using var path = Path(c);
            using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
            using var pen = new SKPaint
            {
                Color = SKColors.Black,
                IsAntialias = true,
                Style = SKPaintStyle.Stroke,
                StrokeWidth = stroke,
                StrokeCap = SKStrokeCap.Butt,
                StrokeJoin = SKStrokeJoin.Miter,
                StrokeMiter = 2f,
            };
            surface.Canvas.Clear(SKColors.White);
            surface.Canvas.Scale(width / 45f, height / 90f);
            surface.Canvas.DrawPath(path, pen);
            glyphs[c] = surface.Snapshot();
        }

        return glyphs.ToFrozenDictionary();
    }

    /// <summary>The centre line of a character in cell millimetres (x right, y down).</summary>
    public static SKPath Path(char c)
    {
        using var p = new SKPathBuilder();
        switch (c)
        {
            case '0':
                p.AddRoundRect(new SKRect(L, T, R, B), Rr, Rr * 1.1f, SKPathDirection.Clockwise);
                break;
            case '1':
                // A bare bar with a flag so small that in most photos it is gone.
                Polyline(p, 19, T + 5, 25, T, 25, B);
                break;
            case '2':
                p.ArcTo(new SKRect(L, T, R, T + 2 * Rr), 180, 180, true);
                p.LineTo(R, T + Rr + 4);
                p.LineTo(L, B);
                p.LineTo(R, B);
                break;
            case '3':
                Polyline(p, L, T, R, T, Cx, 42);
                p.ArcTo(new SKRect(L, 42, R, B), -90, 225, false);
                break;
            case '4':
                Polyline(p, 32, B, 32, T, L, 62, R + 2, 62);
                break;
            case '5':
                Polyline(p, R, T, L + 2, T, L + 2, 47);
                p.ArcTo(new SKRect(L, 38, R, B), 215, 290, false);
                break;
            case '6':
                p.ArcTo(new SKRect(L, T, R, T + 2 * Rr), 300, -120, true);
                p.LineTo(L, 62);
                p.AddOval(new SKRect(L, 40, R, B), SKPathDirection.Clockwise);
                break;
            case '7':
                Polyline(p, L, T, R, T, 16, B);
                break;
            case '8':
                p.AddOval(new SKRect(L + 2, T, R - 2, 45), SKPathDirection.Clockwise);
                p.AddOval(new SKRect(L, 45, R, B), SKPathDirection.Clockwise);
                break;
            case '9':
                p.AddOval(new SKRect(L, T, R, 50), SKPathDirection.Clockwise);
                Polyline(p, R, 27.5f, R, B - Rr);
                p.ArcTo(new SKRect(L, B - 2 * Rr, R, B), 0, 120, false);
                break;
            case 'A':
                Polyline(p, L, B, Cx - 2, T, Cx + 2, T, R, B);
                Polyline(p, 11, 60, 34, 60);
                break;
            case 'B':
                Polyline(p, L, B, L, T, 26, T);
                p.ArcTo(new SKRect(12, T, R - 1, 45), -90, 180, false);
                p.LineTo(L, 45);
                Polyline(p, L, 45, 27, 45);
                p.ArcTo(new SKRect(14, 45, R, B), -90, 180, false);
                p.LineTo(L, B);
                break;
            case 'C':
                p.ArcTo(new SKRect(L, T, R, T + 2 * Rr), 340, -160, true);
                p.LineTo(L, B - Rr);
                p.ArcTo(new SKRect(L, B - 2 * Rr, R, B), 180, -160, false);
                break;
            case 'D':
                Polyline(p, L, T, 23, T);
                p.ArcTo(new SKRect(6, T, R, T + 34), -90, 90, false);
                p.LineTo(R, B - 17);
                p.ArcTo(new SKRect(6, B - 34, R, B), 0, 90, false);
                p.LineTo(L, B);
                p.Close();
                break;
            case 'E':
                Polyline(p, R, T, L, T, L, B, R, B);
                Polyline(p, L, 45, R - 3, 45);
                break;
            case 'F':
                Polyline(p, R, T, L, T, L, B);
                Polyline(p, L, 45, R - 3, 45);
                break;
            case 'G':
                p.ArcTo(new SKRect(L, T, R, T + 2 * Rr), 340, -160, true);
                p.LineTo(L, B - Rr);
                p.ArcTo(new SKRect(L, B - 2 * Rr, R, B), 180, -180, false);
                p.LineTo(R, 50);
                p.LineTo(Cx + 1, 50);
                break;
            case 'H':
                Polyline(p, L, T, L, B);
                Polyline(p, R, T, R, B);
                Polyline(p, L, 45, R, 45);
                break;
            case 'J':
                Polyline(p, R, T, R, B - Rr);
                p.ArcTo(new SKRect(L, B - 2 * Rr, R, B), 0, 180, false);
                p.LineTo(L, B - Rr - 6);
                break;
            case 'K':
                Polyline(p, L, T, L, B);
                Polyline(p, R, T, L, 58);
                Polyline(p, 15, 46, R, B);
                break;
            case 'L':
                Polyline(p, L, T, L, B, R, B);
                break;
            case 'M':
                Polyline(p, L, B, L, T, Cx, 62, R, T, R, B);
                break;
            case 'N':
                Polyline(p, L, B, L, T, R, B, R, T);
                break;
            case 'P' or 'R':
                Polyline(p, L, B, L, T, 25, T);
                p.ArcTo(new SKRect(10, T, R, 50), -90, 180, false);
                p.LineTo(L, 50);
                if (c == 'R')
                {
                    Polyline(p, 24, 50, R, B);
                }

                break;
            case 'Q':
                p.AddRoundRect(new SKRect(L, T, R, B), Rr, Rr * 1.1f, SKPathDirection.Clockwise);
                Polyline(p, 25, B - 16, R + 2, B + 3);
                break;
            case 'S':
                p.ArcTo(new SKRect(L, T, R, 46), 340, -250, true);
                p.ArcTo(new SKRect(L, 44, R, B), 270, 250, false);
                break;
            case 'T':
                Polyline(p, L - 2, T, R + 2, T);
                Polyline(p, Cx, T, Cx, B);
                break;
            case 'U':
                Polyline(p, L, T, L, B - Rr);
                p.ArcTo(new SKRect(L, B - 2 * Rr, R, B), 180, -180, false);
                p.LineTo(R, T);
                break;
            case 'V':
                Polyline(p, L, T, Cx, B, R, T);
                break;
            case 'W':
                Polyline(p, L - 1, T, 12, B, Cx, 28, 33, B, R + 1, T);
                break;
            case 'X':
                Polyline(p, L, T, R, B);
                Polyline(p, R, T, L, B);
                break;
            case 'Y':
                Polyline(p, L, T, Cx, 48, R, T);
                Polyline(p, Cx, 48, Cx, B);
                break;
            case 'Z':
                Polyline(p, L, T, R, T, L, B, R, B);
                break;
            default:
                throw new ArgumentException($"the stroke font has no '{c}'", nameof(c));
        }

        return p.Detach();
    }

    /// <summary>A stroke through the points given as x, y pairs.</summary>
    private static void Polyline(SKPathBuilder p, params ReadOnlySpan<float> xy)
    {
        p.MoveTo(xy[0], xy[1]);
        for (var i = 2; i < xy.Length; i += 2)
        {
            p.LineTo(xy[i], xy[i + 1]);
        }
    }
}
