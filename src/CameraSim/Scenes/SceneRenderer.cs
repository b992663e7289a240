using CameraNet.Contracts;
using CameraNet.Plates.Synthesis;
using SkiaSharp;

namespace CameraNet.CameraSim.Scenes;

/// <summary>
/// Draws the frames of a scene loop and computes its ground truth. Geometry is defined for 1280×720
/// and scaled to the spec's size. Drawing is deterministic: same spec, same pixels.
/// </summary>
public sealed class SceneRenderer : IDisposable
{
    private static readonly SKSamplingOptions Smooth = new(SKFilterMode.Linear, SKMipmapMode.Linear);

    private readonly SceneSpec _spec;
    private readonly IReadOnlyList<ScriptedVehicle> _vehicles;
    private readonly Dictionary<int, SKImage> _plates = [];
    private readonly SKImage _background;
    private readonly float _sx;
    private readonly float _sy;

    public SceneRenderer(SceneSpec spec)
    {
        _spec = spec;
        _sx = spec.Width / 1280f;
        _sy = spec.Height / 720f;
        _vehicles = TrafficScript.Create(spec);
        foreach (var v in _vehicles)
        {
            if (v.Plate is not null && v.PlateStyle is not null)
            {
                _plates[v.Id] = PlateRenderer.Default.Render(v.Plate, v.PlateStyle);
            }
        }

        _background = spec.Kind == SceneKind.Checkpoint ? DrawCheckpointBackground() : DrawStreetBackground();
    }

    public SceneSpec Spec => _spec;

    public IReadOnlyList<ScriptedVehicle> Vehicles => _vehicles;

    /// <summary>Draws loop frame <paramref name="frame"/> onto <paramref name="canvas"/>.</summary>
    public void DrawFrame(SKCanvas canvas, int frame)
    {
        canvas.DrawImage(_background, 0, 0, Smooth, null);
        foreach (var placed in VisibleVehicles(frame))
        {
            if (_spec.Kind == SceneKind.Checkpoint)
            {
                DrawFrontView(canvas, placed);
            }
            else
            {
                DrawSideView(canvas, placed);
            }
        }

        DrawFrameCode(canvas, frame);
    }

    /// <summary>The ground truth: for each vehicle with a plate, the frames where the plate is wholly visible.</summary>
    public SceneTruth Truth()
    {
        var passes = new List<VehiclePassTruth>(_vehicles.Count);
        var tracks = _vehicles.ToDictionary(v => v.Id, _ => new List<int[]>());
        for (var f = 0; f < _spec.FrameCount; f++)
        {
            var visible = VisibleVehicles(f);
            for (var i = 0; i < visible.Count; i++)
            {
                var p = visible[i];
                if (p.Vehicle.Plate is null || !Inside(p.Plate))
                {
                    continue;
                }

                // Vehicles later in the list are nearer and drawn on top: they may hide the plate.
                var hidden = false;
                for (var j = i + 1; j < visible.Count && !hidden; j++)
                {
                    hidden = visible[j].Body.IntersectsWith(p.Plate);
                }

                if (!hidden)
                {
                    tracks[p.Vehicle.Id].Add([f, (int)MathF.Round(p.Plate.MidX), (int)MathF.Round(p.Plate.MidY), (int)MathF.Round(p.Plate.Width), (int)MathF.Round(p.Plate.Height)]);
                }
            }
        }

        foreach (var v in _vehicles)
        {
            passes.Add(new VehiclePassTruth
            {
                Id = v.Id,
                Plate = v.Plate,
                Colour = v.PlateStyle?.Colour ?? PlateColour.Unknown,
                Vehicle = v.Shape.ToString().ToLowerInvariant(),
                Lane = v.Lane,
                FirstFrame = v.FirstFrame,
                LastFrame = v.LastFrame,
                Track = tracks[v.Id],
            });
        }

        return new SceneTruth { CacheKey = _spec.CacheKey, Spec = _spec, FrameCount = _spec.FrameCount, Passes = passes };
    }

    private bool Inside(SKRect r) => r.Left >= 0 && r.Top >= 0 && r.Right <= _spec.Width && r.Bottom <= _spec.Height;

    private sealed record Placed(ScriptedVehicle Vehicle, float X, float Y, float Scale, SKRect Body, SKRect Plate);

    /// <summary>Vehicles on screen at <paramref name="frame"/>, far ones first (drawing order).</summary>
    private List<Placed> VisibleVehicles(int frame)
    {
        var placed = new List<Placed>();
        foreach (var v in _vehicles)
        {
            if (frame < v.FirstFrame || frame > v.LastFrame)
            {
                continue;
            }

            placed.Add(_spec.Kind == SceneKind.Checkpoint ? PlaceFrontView(v, frame) : PlaceSideView(v, frame));
        }

        placed.Sort((a, b) => a.Scale.CompareTo(b.Scale));
        return placed;
    }

    // ---- checkpoint: two lanes towards the camera --------------------------------------------------------

    private static float Lerp(float a, float b, float t) => a + (b - a) * t;

    private (float Left, float Right) RoadAt(float y)
    {
        var t = y / _spec.Height;
        return (Lerp(0.33f, 0.04f, t) * _spec.Width, Lerp(0.67f, 0.96f, t) * _spec.Width);
    }

    private Placed PlaceFrontView(ScriptedVehicle v, int frame)
    {
        var u = (float)v.Progress(frame);
        var py = Lerp(0.04f, 1.08f, u) * _spec.Height;
        var (left, right) = RoadAt(py);
        var scale = (right - left) / (0.92f * _spec.Width);
        var px = left + (right - left) * (v.Lane == 0 ? 0.27f : 0.73f);
        var unit = _sx * scale;
        var plateWidth = (v.PlateStyle?.Colour == PlateColour.Green ? 190f : 176f) * unit;
        var plateHeight = plateWidth * PlateStyle.CanvasHeight / (v.PlateStyle?.CanvasWidth ?? 440);
        var plate = SKRect.Create(px - plateWidth / 2, py - plateHeight / 2, plateWidth, plateHeight);
        var (halfWidth, above, below) = v.Shape switch
        {
            VehicleShape.Bus => (205f, 430f, 50f),
            VehicleShape.Truck => (200f, 380f, 55f),
            VehicleShape.Suv => (180f, 300f, 48f),
            _ => (170f, 260f, 42f),
        };
        var body = new SKRect(px - halfWidth * unit, py - above * unit, px + halfWidth * unit, py + below * unit);
        return new Placed(v, px, py, scale, body, plate);
    }

    private void DrawFrontView(SKCanvas canvas, Placed p)
    {
        var v = p.Vehicle;
        var b = p.Body;
        var unit = _sx * p.Scale;
        using var paint = new SKPaint { IsAntialias = true };

        // Shadow under the vehicle.
        paint.Color = new SKColor(20, 20, 22, 120);
        canvas.DrawOval(SKRect.Create(b.Left - 6 * unit, b.Bottom - 18 * unit, b.Width + 12 * unit, 30 * unit), paint);

        // Body with a little shading from top to bottom.
        using var shader = SKShader.CreateLinearGradient(
            new SKPoint(0, b.Top), new SKPoint(0, b.Bottom),
            [Lighten(v.Body, 0.15f), v.Body, Darken(v.Body, 0.35f)], [0f, 0.6f, 1f], SKShaderTileMode.Clamp);
        paint.Color = SKColors.White; // the paint's alpha scales the shader: keep it opaque
        paint.Shader = shader;
        canvas.DrawRoundRect(b, 28 * unit, 28 * unit, paint);
        paint.Shader = null;

        // Windscreen: a dark trapezoid in the upper part.
        var glassTop = b.Top + b.Height * (v.Shape == VehicleShape.Bus ? 0.06f : 0.12f);
        var glassBottom = b.Top + b.Height * (v.Shape is VehicleShape.Bus ? 0.52f : 0.45f);
        using (var glass = Polygon(
                   new SKPoint(b.Left + b.Width * 0.14f, glassTop), new SKPoint(b.Right - b.Width * 0.14f, glassTop),
                   new SKPoint(b.Right - b.Width * 0.06f, glassBottom), new SKPoint(b.Left + b.Width * 0.06f, glassBottom)))
        {
            using var glassShader = SKShader.CreateLinearGradient(
                new SKPoint(b.Left, glassTop), new SKPoint(b.Right, glassBottom),
                [new SKColor(50, 60, 75), new SKColor(95, 110, 130), new SKColor(40, 48, 60)], [0f, 0.45f, 1f], SKShaderTileMode.Clamp);
            paint.Shader = glassShader;
            canvas.DrawPath(glass, paint);
            paint.Shader = null;
        }

        // Headlights and grille.
        var lightY = p.Y - 95 * unit;
        paint.Color = new SKColor(250, 248, 225);
        canvas.DrawRoundRect(SKRect.Create(b.Left + b.Width * 0.06f, lightY, b.Width * 0.2f, 26 * unit), 8 * unit, 8 * unit, paint);
        canvas.DrawRoundRect(SKRect.Create(b.Right - b.Width * 0.26f, lightY, b.Width * 0.2f, 26 * unit), 8 * unit, 8 * unit, paint);
        paint.Color = Darken(v.Body, 0.6f);
        canvas.DrawRoundRect(SKRect.Create(p.X - b.Width * 0.2f, lightY - 4 * unit, b.Width * 0.4f, 40 * unit), 6 * unit, 6 * unit, paint);

        // Bumper, then the plate on it.
        paint.Color = new SKColor(35, 35, 38);
        canvas.DrawRect(new SKRect(b.Left + 8 * unit, p.Plate.Top - 10 * unit, b.Right - 8 * unit, p.Plate.Bottom + 10 * unit), paint);
        canvas.DrawImage(_plates[v.Id], p.Plate, Smooth, null);
    }

    private SKImage DrawCheckpointBackground()
    {
        var info = new SKImageInfo(_spec.Width, _spec.Height, SKColorType.Bgra8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        var c = surface.Canvas;
        var random = new Random(_spec.Variant * 7919 + 17);
        using var paint = new SKPaint { IsAntialias = true };

        // Verges: grass on the left, pavement on the right.
        paint.Color = new SKColor(78, 104, 62);
        c.DrawRect(0, 0, _spec.Width / 2f, _spec.Height, paint);
        paint.Color = new SKColor(150, 146, 138);
        c.DrawRect(_spec.Width / 2f, 0, _spec.Width / 2f, _spec.Height, paint);

        // Asphalt with speckle texture.
        using var road = Polygon(
            new SKPoint(0.33f * _spec.Width, 0), new SKPoint(0.67f * _spec.Width, 0),
            new SKPoint(0.96f * _spec.Width, _spec.Height), new SKPoint(0.04f * _spec.Width, _spec.Height));
        using (var asphalt = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, _spec.Height),
                   [new SKColor(105, 105, 110), new SKColor(78, 78, 82)], SKShaderTileMode.Clamp))
        {
            paint.Shader = asphalt;
            c.DrawPath(road, paint);
            paint.Shader = null;
        }

        c.Save();
        c.ClipPath(road);
        for (var i = 0; i < 4000; i++)
        {
            var g = (byte)random.Next(60, 130);
            paint.Color = new SKColor(g, g, g, 90);
            c.DrawCircle(random.Next(_spec.Width), random.Next(_spec.Height), 1.2f * _sx, paint);
        }

        c.Restore();

        // Lane markings: solid edges, dashed centre, a stop line across the near end.
        paint.Color = new SKColor(235, 235, 230);
        paint.Style = SKPaintStyle.Stroke;
        paint.StrokeWidth = 5 * _sx;
        c.DrawLine(0.345f * _spec.Width, 0, 0.07f * _spec.Width, _spec.Height, paint);
        c.DrawLine(0.655f * _spec.Width, 0, 0.93f * _spec.Width, _spec.Height, paint);
        using (var dash = SKPathEffect.CreateDash([40 * _sy, 36 * _sy], 0))
        {
            paint.PathEffect = dash;
            c.DrawLine(0.5f * _spec.Width, 0, 0.5f * _spec.Width, _spec.Height, paint);
            paint.PathEffect = null;
        }

        paint.Style = SKPaintStyle.Fill;

        // On-screen display, as real cameras burn in their name.
        DrawOsd(c, $"天津市 电子卡口 {_spec.Variant + 1:00}  CameraNet 模拟");
        return surface.Snapshot();
    }

    // ---- street: side-on traffic for monitoring points ------------------------------------------------------

    private Placed PlaceSideView(ScriptedVehicle v, int frame)
    {
        var u = (float)v.Progress(frame);
        var scale = v.Lane == 0 ? 0.8f : 1f;
        var length = (v.Shape is VehicleShape.Bus or VehicleShape.Truck ? 330f : 210f) * _sx * scale;
        var height = (v.Shape is VehicleShape.Bus or VehicleShape.Truck ? 120f : 70f) * _sy * scale;
        var travel = _spec.Width + 2 * length;
        var x = v.LeftToRight ? -length + travel * u : _spec.Width + length - travel * u;
        var groundY = (v.Lane == 0 ? 0.66f : 0.82f) * _spec.Height;
        var body = new SKRect(x - length / 2, groundY - height, x + length / 2, groundY);
        return new Placed(v, x, groundY, scale, body, SKRect.Empty);
    }

    private void DrawSideView(SKCanvas canvas, Placed p)
    {
        var b = p.Body;
        var v = p.Vehicle;
        using var paint = new SKPaint { IsAntialias = true, Color = v.Body };
        canvas.DrawRoundRect(b, 14 * _sx * p.Scale, 14 * _sx * p.Scale, paint);
        paint.Color = new SKColor(60, 72, 88);
        var windows = SKRect.Create(b.Left + b.Width * 0.15f, b.Top + b.Height * 0.12f, b.Width * 0.7f, b.Height * 0.35f);
        canvas.DrawRect(windows, paint);
        paint.Color = new SKColor(25, 25, 25);
        var wheel = b.Height * 0.28f;
        canvas.DrawCircle(b.Left + b.Width * 0.2f, b.Bottom, wheel, paint);
        canvas.DrawCircle(b.Right - b.Width * 0.2f, b.Bottom, wheel, paint);
    }

    private SKImage DrawStreetBackground()
    {
        var info = new SKImageInfo(_spec.Width, _spec.Height, SKColorType.Bgra8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        var c = surface.Canvas;
        var random = new Random(_spec.Variant * 104729 + 3);
        using var paint = new SKPaint { IsAntialias = true };

        paint.Color = new SKColor(170, 190, 210);
        c.DrawRect(0, 0, _spec.Width, 0.45f * _spec.Height, paint);
        for (var x = 0f; x < _spec.Width; x += (90 + random.Next(80)) * _sx)
        {
            var w = (70 + random.Next(60)) * _sx;
            var h = (120 + random.Next(160)) * _sy;
            var shade = (byte)random.Next(110, 190);
            paint.Color = new SKColor(shade, (byte)(shade - 10), (byte)(shade - 25));
            c.DrawRect(x, 0.45f * _spec.Height - h, w, h, paint);
            paint.Color = new SKColor(60, 70, 85);
            for (var wy = 0.45f * _spec.Height - h + 12 * _sy; wy < 0.45f * _spec.Height - 20 * _sy; wy += 28 * _sy)
            {
                for (var wx = x + 8 * _sx; wx < x + w - 14 * _sx; wx += 22 * _sx)
                {
                    c.DrawRect(wx, wy, 10 * _sx, 14 * _sy, paint);
                }
            }
        }

        paint.Color = new SKColor(155, 150, 142);
        c.DrawRect(0, 0.45f * _spec.Height, _spec.Width, 0.1f * _spec.Height, paint);
        paint.Color = new SKColor(88, 88, 92);
        c.DrawRect(0, 0.55f * _spec.Height, _spec.Width, 0.33f * _spec.Height, paint);
        paint.Color = new SKColor(230, 230, 225);
        using (var dash = SKPathEffect.CreateDash([50 * _sx, 40 * _sx], 0))
        {
            paint.Style = SKPaintStyle.Stroke;
            paint.StrokeWidth = 4 * _sy;
            paint.PathEffect = dash;
            c.DrawLine(0, 0.72f * _spec.Height, _spec.Width, 0.72f * _spec.Height, paint);
            paint.PathEffect = null;
            paint.Style = SKPaintStyle.Fill;
        }

        paint.Color = new SKColor(150, 146, 138);
        c.DrawRect(0, 0.88f * _spec.Height, _spec.Width, 0.12f * _spec.Height, paint);
        DrawOsd(c, $"天津市 监控点 {_spec.Variant + 1:00}  CameraNet 模拟");
        return surface.Snapshot();
    }

    // ---- overlays ----------------------------------------------------------------------------------------

    private void DrawOsd(SKCanvas canvas, string text)
    {
        using var typeface = SKFontManager.Default.MatchCharacter('天') ?? SKTypeface.Default;
        using var font = new SKFont(typeface, 26 * _sy);
        using var outline = new SKPaint { IsAntialias = true, Color = SKColors.Black, Style = SKPaintStyle.Stroke, StrokeWidth = 3 * _sy };
        using var fill = new SKPaint { IsAntialias = true, Color = SKColors.White };
        canvas.DrawText(text, 16 * _sx, 38 * _sy, SKTextAlign.Left, font, outline);
        canvas.DrawText(text, 16 * _sx, 38 * _sy, SKTextAlign.Left, font, fill);
    }

    /// <summary>
    /// Burns the loop frame number into the top-right corner as 16 black/white cells (bit 15 first),
    /// so a receiver can tell exactly which frame it decoded and measure its lag behind the live edge.
    /// </summary>
    private void DrawFrameCode(SKCanvas canvas, int frame)
    {
        var (x0, y0, cell) = FrameCodeGeometry(_spec.Width, _spec.Height);
        using var paint = new SKPaint { Color = new SKColor(128, 128, 128) };
        canvas.DrawRect(x0 - 2, y0 - 2, 16 * cell + 4, cell + 4, paint);
        for (var bit = 0; bit < 16; bit++)
        {
            paint.Color = ((frame >> (15 - bit)) & 1) == 1 ? SKColors.White : SKColors.Black;
            canvas.DrawRect(x0 + bit * cell, y0, cell, cell, paint);
        }
    }

    /// <summary>Where <see cref="DrawFrameCode"/> puts cell <paramref name="bit"/>: its centre, in pixels.</summary>
    public static (int X, int Y) FrameCodeCell(int width, int height, int bit)
    {
        var (x0, y0, cell) = FrameCodeGeometry(width, height);
        return ((int)(x0 + bit * cell + cell / 2), (int)(y0 + cell / 2));
    }

    private static (float X0, float Y0, float Cell) FrameCodeGeometry(int width, int height)
    {
        var sx = width / 1280f;
        var cell = Math.Max(4f, 10 * sx);
        return (width - 16 * cell - 12 * sx, 12 * height / 720f, cell);
    }

    private static SKPath Polygon(params ReadOnlySpan<SKPoint> points)
    {
        using var builder = new SKPathBuilder();
        builder.MoveTo(points[0]);
        foreach (var point in points[1..])
        {
            builder.LineTo(point);
        }

        builder.Close();
        return builder.Detach();
    }

    private static SKColor Lighten(SKColor c, float f) =>
        new((byte)(c.Red + (255 - c.Red) * f), (byte)(c.Green + (255 - c.Green) * f), (byte)(c.Blue + (255 - c.Blue) * f));

    private static SKColor Darken(SKColor c, float f) =>
        new((byte)(c.Red * (1 - f)), (byte)(c.Green * (1 - f)), (byte)(c.Blue * (1 - f)));

    public void Dispose()
    {
        _background.Dispose();
        foreach (var plate in _plates.Values)
        {
            plate.Dispose();
        }
    }
}
