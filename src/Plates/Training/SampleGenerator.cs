using CameraNet.Contracts;
using CameraNet.Plates.Recognition;
using CameraNet.Plates.Synthesis;
using OpenCvSharp;

namespace CameraNet.Plates.Training;

/// <summary>
/// Training crops for the plate reader, from synthetic plates only: a plate is rendered (GA 36 layout,
/// BSD-licensed bitmap glyphs or a system-font face, see <see cref="GlyphSet"/>), warped into a cluttered scene at a random size, angle and perspective, the
/// scene is degraded as a camera would (blur, noise, light, JPEG), and the crop is cut with the run
/// time's own <see cref="PlateRectifier"/> around a region jittered the way the locator misses.
/// Some crops hold no plate (label empty: decoys such as signs and grilles, or cuts beside the plate)
/// so that the reader learns to reject. Sample i depends only
/// on (seed, i): the same arguments give the same bytes, in any order, on any number of threads.
/// </summary>
public static class SampleGenerator
{
    /// <summary>The seed the committed model's crops were made with (<c>plates train</c>'s default); held-out crops use others.</summary>
    public const int TrainingSeed = 20261123;

    public static (byte[] Pixels, string Label) Sample(int seed, int index, PlateRenderer renderer)
    {
        var random = new Random(Mix(seed, index));
        var negative = random.NextDouble() < 0.14;
        // Most non-plates are plate-shaped things the locator really proposes: signs and stickers with
        // other text, grilles; the rest are cuts beside, half on, or far around a real plate.
        var decoy = negative && random.NextDouble() < 0.4;
        var (plate, style) = RandomPlate(random, renderer);
        using var scene = Photograph(random, () => decoy ? Decoy(random) : PlateScene.RenderBgr(plate, style, renderer), out var region);
        if (negative && !decoy)
        {
            region = Miss(random, region, scene.Size());
        }
        else
        {
            region = Jitter(random, region);
        }

        // Two-row plates are cut as the reader cuts them (rows side by side), and so are some non-plates,
        // because the reader tries every yellow or colourless region of about 2:1 that way.
        using var crop = new Mat();
        var pixels = new byte[PlateRectifier.Pixels];
        if (negative ? random.NextDouble() < 0.2 : style.TwoRow)
        {
            PlateRectifier.CutTwoRows(scene, region, crop, pixels);
        }
        else
        {
            PlateRectifier.Cut(scene, region, crop, pixels);
        }

        return (pixels, negative ? string.Empty : plate);
    }

    /// <summary>
    /// A training crop for the province classifier (<see cref="PlateRectifier.CutProvince"/>): a one-row
    /// plate photographed and degraded as for <see cref="Sample"/>, its left end cut around a region
    /// jittered the same way; the label is the province's index in <see cref="CameraNet.Contracts.PlateGrammar.Provinces"/>.
    /// Seeded apart from <see cref="Sample"/>'s crops of the same (seed, index).
    /// </summary>
    public static (byte[] Pixels, int Province) ProvinceSample(int seed, int index, PlateRenderer renderer)
    {
        var (scene, region, plate) = OneRowPlate(seed, index, renderer, ProvinceBloomShare);
        using (scene)
        {
            using var crop = new Mat();
            var pixels = new byte[PlateRectifier.ProvincePixels];
            PlateRectifier.CutProvince(scene, region, crop, pixels);
            return (pixels, CameraNet.Contracts.PlateGrammar.Provinces.IndexOf(plate[0], StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// A one-row plate photographed and degraded as for <see cref="Sample"/> (a 360×200 scene, the
    /// caller's to dispose), with its region jittered the way the locator misses: what the province
    /// classifier is trained on, and what the reader with and without it is measured on.
    /// </summary>
    /// <param name="bloomShare">The share of plates that bloom (<see cref="Bloom"/>); the reader is measured on plates without.</param>
    public static (Mat Scene, PlateRegion Region, string Plate) OneRowPlate(int seed, int index, PlateRenderer renderer, double bloomShare = 0)
    {
        var random = new Random(Mix(seed ^ ProvinceSeedSalt, index));
        string plate;
        PlateStyle style;
        do
        {
            (plate, style) = RandomPlate(random, renderer);
        }
        while (style.TwoRow);

        var bloom = bloomShare > 0 && random.NextDouble() < bloomShare;
        var scene = Photograph(random, () =>
        {
            var rendered = PlateScene.RenderBgr(plate, style, renderer);
            return bloom ? Bloom(random, rendered) : rendered;
        }, out var region);
        return (scene, Jitter(random, region) with { Colour = style.Colour }, plate);
    }

    /// <summary>
    /// The share of the province classifier's plates that bloom. On photographed plates the small province
    /// character's strokes run together (real 皖 cut from the pipeline were blurred blobs where the drawn
    /// ones were crisp, and were told as 赣, 闽, 藏). In the line reader's crops bloom cost serial
    /// characters (2026-12-01); the classifier reads provinces only.
    /// </summary>
    private const double ProvinceBloomShare = 0.4;

    /// <summary>
    /// Halation: the plate becomes the brighter of itself and a blurred, brightened copy, so that light
    /// strokes (white characters, the rim) swell and glow into the background and a dense character's
    /// strokes merge, as retroreflective sheeting and white paint do in a camera; dark characters on a light
    /// plate thin. Blur of 2–8 px on the 440-px plate canvas.
    /// </summary>
    private static Mat Bloom(Random random, Mat plate)
    {
        using var glow = new Mat();
        Cv2.GaussianBlur(plate, glow, new Size(0, 0), 2 + random.NextDouble() * 6);
        glow.ConvertTo(glow, -1, 1.1 + random.NextDouble() * 0.5, 0);
        Cv2.Max(plate, glow, plate);
        return plate;
    }

    /// <summary>
    /// A training canvas for the box refiner (<see cref="PlateRefiner"/>): a plate (or, for a fifth, a decoy)
    /// photographed in a 640×400 scene as for <see cref="Sample"/>, a region boxed badly around it
    /// (<see cref="BadBox"/>), and the refiner's canvas of that region. The target is the plate's presence
    /// (1 when its centre lies in the canvas's middle 70% each way) and its corners TL, TR, BR, BL as
    /// shares of the canvas (0 when absent). Seeded apart from the other samples of the same (seed, index).
    /// </summary>
    public static (byte[] Pixels, float[] Target) RefinerSample(int seed, int index, PlateRenderer renderer)
    {
        var random = new Random(Mix(seed ^ RefinerSeedSalt, index));
        var decoy = random.NextDouble() < 0.2;
        var (plate, style) = RandomPlate(random, renderer);
        using var scene = Photograph(random, () => decoy ? Decoy(random) : PlateScene.RenderBgr(plate, style, renderer), out var truth, out var quad, 640, 400);
        var region = random.NextDouble() < 0.08 ? Anywhere(random, truth, scene.Size()) : BadBox(random, truth);
        var pixels = new byte[PlateRefiner.Pixels];
        var target = new float[PlateRefiner.Outputs];
        if (PlateRefiner.Draw(scene, region, pixels) is not { } frame || decoy)
        {
            return (pixels, target);
        }

        var centre = frame.ToCanvas(truth.Centre);
        if (Math.Abs(centre.X / PlateRefiner.Width - 0.5) < 0.35 && Math.Abs(centre.Y / PlateRefiner.Height - 0.5) < 0.35)
        {
            target[0] = 1;
            for (var k = 0; k < 4; k++)
            {
                var corner = frame.ToCanvas(quad[k]);
                target[1 + 2 * k] = corner.X / PlateRefiner.Width;
                target[2 + 2 * k] = corner.Y / PlateRefiner.Height;
            }
        }

        return (pixels, target);
    }

    private const int RefinerSeedSalt = 0x52454649; // "REFI"

    /// <summary>
    /// A region boxed as badly as the locator's boxes of plates its cuts could not read: a quarter nearly
    /// right (<see cref="Jitter"/>, so that the refiner learns to leave good boxes be), the rest 0.6–1.7
    /// times the plate's length, 0.6–3 times its height (at most 1/1.4 of the length, as the locator's
    /// shapes are), off by up to 0.3 of its length along and 0.7 of its height across, turned by up to 10°.
    /// </summary>
    private static PlateRegion BadBox(Random random, PlateRegion truth)
    {
        if (random.NextDouble() < 0.25)
        {
            return Jitter(random, truth);
        }

        double U(double a, double b) => a + random.NextDouble() * (b - a);
        double LogU(double a, double b) => Math.Exp(U(Math.Log(a), Math.Log(b)));
        var width = (float)(truth.Width * LogU(0.6, 1.7));
        var height = (float)Math.Min(truth.Height * LogU(0.6, 3.0), width / 1.4);
        var (along, across) = truth.Axes();
        var centre = truth.Centre + along * (float)(U(-0.3, 0.3) * truth.Width) + across * (float)(U(-0.7, 0.7) * truth.Height);
        return truth with { Centre = centre, Width = width, Height = height, Angle = truth.Angle + (float)U(-10, 10) };
    }

    private const int ProvinceSeedSalt = 0x50524F56; // "PROV"

    /// <summary>
    /// A scene with the rendered thing (a plate or a decoy) weighted, veiled, placed and photographed
    /// (<see cref="Degrade"/>); <paramref name="region"/> is where it lies, as the locator would box it exactly.
    /// </summary>
    private static Mat Photograph(Random random, Func<Mat> render, out PlateRegion region) => Photograph(random, render, out region, out _, 360, 200);

    private static Mat Photograph(Random random, Func<Mat> render, out PlateRegion region, out Point2f[] quad, int width, int height)
    {
        var scene = Background(random, width, height);
        using (var rendered = render())
        {
            Weight(random, rendered);
            Veil(random, rendered);
            quad = Place(random, rendered, scene);
        }

        Degrade(random, scene);
        region = Region(quad);
        return scene;
    }

    /// <summary>
    /// A seed from (seed, index) that is the same in every process (System.HashCode is randomised per
    /// process, which made the first committed model's crops unrepeatable): SplitMix64's finaliser.
    /// </summary>
    public static int Mix(int seed, int index)
    {
        var z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    private static (string Plate, PlateStyle Style) RandomPlate(Random random, PlateRenderer renderer)
    {
        var roll = random.NextDouble();
        var style = roll < 0.53 ? PlateStyle.Blue : roll < 0.65 ? PlateStyle.Yellow : roll < 0.72 ? PlateStyle.YellowTwoRow : roll < 0.84 ? PlateStyle.GreenSmall : roll < 0.92 ? PlateStyle.GreenLarge : roll < 0.96 ? PlateStyle.Black : PlateStyle.White;
        char Pick(string set) => set[random.Next(set.Length)];
        string plate;
        do
        {
            var head = $"{Pick(PlateGrammar.Provinces)}{Pick(PlateGrammar.Letters)}";
            if (style.Colour == PlateColour.Green)
            {
                plate = style.LargeVehicle
                    ? head + string.Concat(Enumerable.Range(0, 5).Select(_ => Pick(PlateGrammar.Digits))) + Pick("DF")
                    : head + Pick("DF") + Pick(PlateGrammar.SerialCharacters) + string.Concat(Enumerable.Range(0, 4).Select(_ => Pick(PlateGrammar.Digits)));
            }
            else
            {
                // Serials are mostly digits with a letter or two.
                var serial = string.Concat(Enumerable.Range(0, 5).Select(_ => random.NextDouble() < 0.3 ? Pick(PlateGrammar.Letters) : Pick(PlateGrammar.Digits)));
                if (style.TwoRow && random.NextDouble() < 0.25)
                {
                    serial = serial[..4] + '挂'; // trailers' plates have two rows
                }
                else if (style.Colour == PlateColour.Yellow && !style.TwoRow && random.NextDouble() < 0.25)
                {
                    serial = serial[..4] + Pick("学挂");
                }
                else if (style.Colour == PlateColour.Black && random.NextDouble() < 0.5)
                {
                    serial = serial[..4] + Pick("港澳使领");
                }
                else if (style.Colour == PlateColour.White)
                {
                    serial = serial[..4] + '警';
                }

                plate = head + serial;
            }
        }
        while (!PlateGrammar.IsValid(plate) || !renderer.CanRender(plate));

        // The typeface: green plates mostly in the bitmap plate font (the new-energy plates' own); the
        // others mostly in the stroke font (their own typeface's shapes), and some of every plate in the
        // bitmap font or a system font, so that the reader learns characters rather than one face's details.
        var faces = renderer.Glyphs.FaceCount;
        var strokes = Math.Min(GlyphSet.StrokeFaceCount, faces - 1);
        var u = random.NextDouble();
        var face = style.Colour == PlateColour.Green
            ? (u < 0.7 ? 0 : 1 + random.Next(Math.Max(1, faces - 1)))
            : u < 0.2 ? 0
            : u < 0.7 && strokes > 0 ? 1 + random.Next(strokes)
            : 1 + strokes + random.Next(Math.Max(1, faces - 1 - strokes));
        return (plate, style with { Face = Math.Min(face, faces - 1) });
    }

    /// <summary>
    /// A 1280×720 frame of <see cref="PlateScene.Frame"/> with the clutter of a street around the car: a dozen
    /// signs, stickers and grilles (<see cref="Decoy"/>s) of plate-like size, photographed. The plate reader's
    /// benchmark reads it, because a frame with only a car and a plate gives the locator one candidate
    /// where photos give ten or more.
    /// </summary>
    public static Mat ClutteredFrame(string plate, PlateStyle style, int seed = 1)
    {
        var random = new Random(Mix(seed, 0x5354));
        var frame = PlateScene.Frame(plate, style);
        var plateArea = new Rect(530, 430, 220, 100);
        for (var placed = 0; placed < 12;)
        {
            using var decoy = Decoy(random);
            var width = random.Next(90, 320);
            var height = Math.Max(12, width * decoy.Height / decoy.Width);
            var at = new Rect(random.Next(0, 1280 - width), random.Next(0, 720 - height), width, height);
            if ((at & plateArea).Width > 0)
            {
                continue;
            }

            using var place = new Mat(frame, at);
            Cv2.Resize(decoy, place, at.Size, 0, 0, InterpolationFlags.Area);
            placed++;
        }

        Cv2.GaussianBlur(frame, frame, new Size(3, 3), 0.6);
        return frame;
    }

    private static readonly string DecoyCharacters =
        PlateGrammar.Provinces + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + "0123456789" + "停车场出入口限速公交专用道收费站注意安全禁止区路街号楼小区欢迎光临有限公司电话维修洗美容服务中心";

    private static readonly Lazy<SkiaSharp.SKTypeface[]> DecoyFonts = new(() =>
        new[] { "Noto Sans CJK SC", "DejaVu Sans", "Roboto Condensed", "Nimbus Sans Narrow" }
            .Select(f => SkiaSharp.SKFontManager.Default.MatchFamily(f, SkiaSharp.SKFontStyle.Bold) ?? SkiaSharp.SKTypeface.Default)
            .ToArray());

    private static readonly SkiaSharp.SKColor[] DecoyColours =
    [
        new(20, 60, 160), new(240, 190, 20), new(250, 250, 250), new(15, 15, 15), new(60, 170, 90), new(200, 30, 30),
    ];

    /// <summary>
    /// Something plate-shaped that is not a plate, on the plate canvas's scale: a sign or sticker with
    /// text that is not a plate number (another length, other characters, words), or a grille.
    /// </summary>
    private static Mat Decoy(Random random)
    {
        var width = random.Next(280, 700);
        var info = new SkiaSharp.SKImageInfo(width, PlateStyle.CanvasHeight, SkiaSharp.SKColorType.Bgra8888, SkiaSharp.SKAlphaType.Premul);
        using var surface = SkiaSharp.SKSurface.Create(info);
        var canvas = surface.Canvas;
        SkiaSharp.SKColor Colour() => random.NextDouble() < 0.7
            ? DecoyColours[random.Next(DecoyColours.Length)]
            : new SkiaSharp.SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        var background = Colour();
        canvas.Clear(background);
        var ink = Colour();
        var light = background.Red + background.Green + background.Blue;
        if (Math.Abs(ink.Red + ink.Green + ink.Blue - light) < 150)
        {
            ink = light > 382 ? SkiaSharp.SKColors.Black : SkiaSharp.SKColors.White; // legible, as signs are
        }

        using var paint = new SkiaSharp.SKPaint { Color = ink, IsAntialias = true, StrokeWidth = random.Next(2, 8), Style = SkiaSharp.SKPaintStyle.Stroke };
        if (random.NextDouble() < 0.25)
        {
            // A grille: bars across or along, some with a badge.
            var period = random.Next(10, 36);
            paint.StrokeWidth = random.Next(3, Math.Max(4, period - 3));
            var across = random.NextDouble() < 0.5;
            for (var p = random.Next(period); p < (across ? info.Height : info.Width); p += period)
            {
                if (across)
                {
                    canvas.DrawLine(0, p, info.Width, p, paint);
                }
                else
                {
                    canvas.DrawLine(p, 0, p, info.Height, paint);
                }
            }

            if (random.NextDouble() < 0.5)
            {
                paint.Style = SkiaSharp.SKPaintStyle.Fill;
                canvas.DrawOval(info.Width / 2f, info.Height / 2f, random.Next(20, 70), random.Next(15, 50), paint);
            }
        }
        else
        {
            // Text that is not a plate number, sometimes in a frame like a plate's rim.
            string text;
            do
            {
                var length = random.Next(2, 11);
                text = string.Concat(Enumerable.Range(0, length).Select(_ => DecoyCharacters[random.Next(DecoyCharacters.Length)]));
            }
            while (PlateGrammar.IsValid(text));

            var typefaces = DecoyFonts.Value;
            using var font = new SkiaSharp.SKFont(typefaces[random.Next(typefaces.Length)], 100);
            if (!font.ContainsGlyphs(text))
            {
                font.Typeface = typefaces[0]; // the Latin faces have no Chinese: no tofu boxes
            }
            font.MeasureText(text, out var bounds);
            var scale = Math.Min(info.Width * 0.92f / bounds.Width, info.Height * (0.45f + (float)random.NextDouble() * 0.4f) / bounds.Height);
            paint.Style = SkiaSharp.SKPaintStyle.Fill;
            canvas.Save();
            canvas.Translate((info.Width - bounds.Width * scale) / 2f, (info.Height - bounds.Height * scale) / 2f);
            canvas.Scale(scale);
            canvas.DrawText(text, -bounds.Left, -bounds.Top, SkiaSharp.SKTextAlign.Left, font, paint);
            canvas.Restore();
            if (random.NextDouble() < 0.4)
            {
                paint.Style = SkiaSharp.SKPaintStyle.Stroke;
                paint.StrokeWidth = 5;
                canvas.DrawRect(6, 6, info.Width - 12, info.Height - 12, paint);
            }
        }

        using var image = surface.Snapshot();
        return PlateScene.ToBgr(image);
    }

    /// <summary>Real plates' strokes are thinner or bolder than the font's (dirt, wear, blooming): erode or dilate the rendered plate.</summary>
    private static void Weight(Random random, Mat plate)
    {
        // The faces already differ in weight (regular and bold): a light touch, or thin faces vanish.
        var roll = random.NextDouble();
        if (roll < 0.5)
        {
            return;
        }

        var size = random.Next(3, 6);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(size, size));
        // Light ink (white on blue/black) grows with dilation, dark ink (black on yellow/green) with erosion: either way the strokes change weight.
        if (roll < 0.75)
        {
            Cv2.Erode(plate, plate, kernel);
        }
        else
        {
            Cv2.Dilate(plate, plate, kernel);
        }
    }

    /// <summary>
    /// Lowers the plate's own contrast: a painted plate is not the pure navy and white of its drawing.
    /// Retroreflective sheeting, glare, haze, dirt and faded paint lift the dark parts towards a light
    /// grey (a photographed blue plate's background is a mid grey next to its white characters, where
    /// the drawn one is almost black), which the whole-scene contrast change does not do.
    /// </summary>
    private static void Veil(Random random, Mat plate)
    {
        if (random.NextDouble() < 0.3)
        {
            return;
        }

        var amount = random.NextDouble() * 0.5;
        var level = 150 + random.Next(106);
        var tint = random.Next(-20, 21);
        using var veil = new Mat(plate.Size(), plate.Type(), new Scalar(Math.Clamp(level + tint, 0, 255), level, Math.Clamp(level - tint, 0, 255)));
        Cv2.AddWeighted(plate, 1 - amount, veil, amount, 0, plate);
    }

    /// <summary>Car-body-like clutter: a colour, gradients, bars, lines and text-like blobs.</summary>
    private static Mat Background(Random random, int width, int height)
    {
        var scene = new Mat(height, width, MatType.CV_8UC3, new Scalar(random.Next(256), random.Next(256), random.Next(256)));
        for (var i = random.Next(3, 12); i > 0; i--)
        {
            var colour = new Scalar(random.Next(256), random.Next(256), random.Next(256));
            var p1 = new Point(random.Next(width), random.Next(height));
            var p2 = new Point(random.Next(width), random.Next(height));
            switch (random.Next(3))
            {
                case 0:
                    Cv2.Rectangle(scene, p1, p2, colour, -1);
                    break;
                case 1:
                    Cv2.Line(scene, p1, p2, colour, random.Next(1, 8));
                    break;
                default:
                    Cv2.Circle(scene, p1, random.Next(5, 60), colour, -1);
                    break;
            }
        }

        return scene;
    }

    /// <summary>Warps the plate into the scene; returns its corners (TL, TR, BR, BL) there.</summary>
    private static Point2f[] Place(Random random, Mat plate, Mat scene)
    {
        var width = (float)(60 + random.NextDouble() * 200);
        var height = width * plate.Height / plate.Width;
        var angle = (float)((random.NextDouble() * 2 - 1) * 12 * Math.PI / 180);
        var centre = new Point2f(scene.Width / 2f + (float)((random.NextDouble() - 0.5) * 40), scene.Height / 2f + (float)((random.NextDouble() - 0.5) * 30));
        var u = new Point2f((float)Math.Cos(angle), (float)Math.Sin(angle));
        var v = new Point2f(-u.Y, u.X);
        // Perspective: one side nearer than the other, and a vertical shear from a camera above.
        var near = 1 + (float)((random.NextDouble() * 2 - 1) * 0.15);
        var shear = (float)((random.NextDouble() * 2 - 1) * 0.35);
        var hw = width / 2;
        var hh = height / 2;
        Point2f[] quad =
        [
            centre - u * hw - v * (hh / near) + u * (shear * hh),
            centre + u * hw - v * (hh * near) + u * (shear * hh),
            centre + u * hw + v * (hh * near) - u * (shear * hh),
            centre - u * hw + v * (hh / near) - u * (shear * hh),
        ];
        using var transform = Cv2.GetPerspectiveTransform(
            [new Point2f(0, 0), new Point2f(plate.Width, 0), new Point2f(plate.Width, plate.Height), new Point2f(0, plate.Height)], quad);
        using var warped = new Mat();
        using var mask = new Mat();
        using var solid = new Mat(plate.Size(), MatType.CV_8UC1, Scalar.All(255));
        Cv2.WarpPerspective(plate, warped, transform, scene.Size(), InterpolationFlags.Area);
        Cv2.WarpPerspective(solid, mask, transform, scene.Size(), InterpolationFlags.Linear);
        warped.CopyTo(scene, mask);
        return quad;
    }

    private static void Degrade(Random random, Mat scene)
    {
        // Light: contrast, brightness, a colour cast, the camera's tone curve (gamma 0.6–1.7).
        var alpha = 0.55 + random.NextDouble() * 0.8;
        var beta = (random.NextDouble() - 0.5) * 100;
        scene.ConvertTo(scene, -1, alpha, beta);
        if (random.NextDouble() < 0.5)
        {
            var gamma = Math.Exp((random.NextDouble() * 2 - 1) * 0.52);
            var curve = new byte[256];
            for (var v = 0; v < 256; v++)
            {
                curve[v] = (byte)Math.Round(255 * Math.Pow(v / 255.0, gamma));
            }

            using var lut = Mat.FromPixelData(1, 256, MatType.CV_8UC1, curve);
            Cv2.LUT(scene, lut, scene);
        }

        if (random.NextDouble() < 0.5)
        {
            using var cast = new Mat(scene.Size(), scene.Type(), new Scalar(random.Next(40), random.Next(40), random.Next(40)));
            Cv2.Add(scene, cast, scene);
        }

        // Uneven light: a shadow or a sunlit patch across the plate (a gain ramp in a random direction).
        if (random.NextDouble() < 0.4)
        {
            var angle = random.NextDouble() * Math.PI * 2;
            var (low, high) = (0.45 + random.NextDouble() * 0.4, 1.0 + random.NextDouble() * 0.25);
            var (width, height) = (scene.Width, scene.Height);
            var ramp = new float[width * height];
            var (cx, cy, span) = (width / 2.0, height / 2.0, 40 + random.NextDouble() * 120);
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var along = ((x - cx) * Math.Cos(angle) + (y - cy) * Math.Sin(angle)) / span;
                    ramp[y * width + x] = (float)(low + (high - low) / (1 + Math.Exp(-4 * along)));
                }
            }

            using var gain = Mat.FromPixelData(height, width, MatType.CV_32FC1, ramp);
            using var wide = new Mat();
            scene.ConvertTo(wide, MatType.CV_32FC3);
            using var gain3 = new Mat();
            Cv2.Merge([gain, gain, gain], gain3);
            Cv2.Multiply(wide, gain3, wide);
            wide.ConvertTo(scene, MatType.CV_8UC3);
        }

        // Optics and motion.
        var blur = random.NextDouble();
        if (blur < 0.5)
        {
            Cv2.GaussianBlur(scene, scene, new Size(0, 0), 0.3 + random.NextDouble() * 1.1);
        }
        else if (blur < 0.6)
        {
            var length = random.Next(3, 7);
            using var kernel = new Mat(1, length, MatType.CV_32F, Scalar.All(1.0 / length));
            Cv2.Filter2D(scene, scene, -1, kernel);
        }

        // Sensor noise.
        using (var noise = new Mat(scene.Size(), MatType.CV_16SC3))
        {
            // OpenCV's noise comes from its per-thread generator: seed it from this sample's own, or the
            // crop would depend on which thread made it and what that thread made before.
            Cv2.SetTheRNG((ulong)random.NextInt64(1, long.MaxValue));
            Cv2.Randn(noise, Scalar.All(0), Scalar.All(random.NextDouble() * 10));
            using var wide = new Mat();
            scene.ConvertTo(wide, MatType.CV_16SC3);
            Cv2.Add(wide, noise, wide);
            wide.ConvertTo(scene, MatType.CV_8UC3);
        }

        // Compression.
        if (random.NextDouble() < 0.7)
        {
            Cv2.ImEncode(".jpg", scene, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, random.Next(35, 95)));
            using var decoded = Cv2.ImDecode(jpeg, ImreadModes.Color);
            decoded.CopyTo(scene);
        }
    }

    /// <summary>The plate's region as the locator would report it: the rotated rectangle around its corners.</summary>
    private static PlateRegion Region(Point2f[] quad) => PlateRegion.From(Cv2.MinAreaRect(quad), PlateColour.Unknown, 1);

    /// <summary>How far the locator's box is off: position, size and angle.</summary>
    private static PlateRegion Jitter(Random random, PlateRegion region)
    {
        float J(double amount) => (float)((random.NextDouble() * 2 - 1) * amount);
        return region with
        {
            Centre = new Point2f(region.Centre.X + J(0.04) * region.Width, region.Centre.Y + J(0.10) * region.Height),
            Width = region.Width * (1 + J(0.08)),
            Height = region.Height * (1 + J(0.15)),
            Angle = region.Angle + J(3),
        };
    }

    /// <summary>The region moved to anywhere in the scene.</summary>
    private static PlateRegion Anywhere(Random random, PlateRegion region, Size scene) =>
        region with { Centre = new Point2f((float)(random.NextDouble() * scene.Width), (float)(random.NextDouble() * scene.Height)) };

    /// <summary>A region of plate shape that is not the plate: beside it, half on it, or much larger than it.</summary>
    private static PlateRegion Miss(Random random, PlateRegion region, Size scene)
    {
        switch (random.Next(3))
        {
            case 0:
                return Anywhere(random, region, scene);
            case 1:
                var side = random.NextDouble() < 0.5 ? -1 : 1;
                return region with { Centre = new Point2f(region.Centre.X + side * region.Width * 0.6f, region.Centre.Y) };
            default:
                return region with { Width = region.Width * 2.5f, Height = region.Height * 2.5f };
        }
    }
}
