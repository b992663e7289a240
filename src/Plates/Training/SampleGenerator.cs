using CameraNet.Contracts;
using CameraNet.Plates.Recognition;
using CameraNet.Plates.Synthesis;
using OpenCvSharp;

namespace CameraNet.Plates.Training;

/// <summary>
/// Training crops for the plate reader, from synthetic plates only: a plate is rendered (GA 36 layout,
/// BSD-licensed glyphs), warped into a cluttered scene at a random size, angle and perspective, the
/// scene is degraded as a camera would (blur, noise, light, JPEG), and the crop is cut with the run
/// time's own <see cref="PlateRectifier"/> around a region jittered the way the locator misses.
/// Some crops hold no plate (label empty) so that the reader learns to reject. Sample i depends only
/// on (seed, i): the same arguments give the same bytes, in any order, on any number of threads.
/// </summary>
public static class SampleGenerator
{
    public static (byte[] Pixels, string Label) Sample(int seed, int index, PlateRenderer renderer)
    {
        var random = new Random(Mix(seed, index));
        var negative = random.NextDouble() < 0.12;
        var (plate, style) = RandomPlate(random, renderer);
        using var scene = Background(random, 360, 200);
        Point2f[] quad;
        using (var rendered = PlateScene.RenderBgr(plate, style, renderer))
        {
            Weight(random, rendered);
            quad = Place(random, rendered, scene);
        }

        Degrade(random, scene);
        var region = Region(quad);
        if (negative)
        {
            region = Miss(random, region, scene.Size());
        }
        else
        {
            region = Jitter(random, region);
        }

        using var crop = new Mat();
        PlateRectifier.Cut(scene, region, crop);
        var pixels = new byte[PlateRectifier.Height * PlateRectifier.Width];
        System.Runtime.InteropServices.Marshal.Copy(crop.Data, pixels, 0, pixels.Length);
        return (pixels, negative ? string.Empty : plate);
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
        var style = roll < 0.55 ? PlateStyle.Blue : roll < 0.75 ? PlateStyle.Yellow : roll < 0.87 ? PlateStyle.GreenSmall : roll < 0.95 ? PlateStyle.GreenLarge : PlateStyle.Black;
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
                if (style.Colour == PlateColour.Yellow && random.NextDouble() < 0.25)
                {
                    serial = serial[..4] + Pick("学挂");
                }
                else if (style.Colour == PlateColour.Black && random.NextDouble() < 0.5)
                {
                    serial = serial[..4] + Pick("港澳使领");
                }

                plate = head + serial;
            }
        }
        while (!PlateGrammar.IsValid(plate) || !renderer.CanRender(plate));

        // The typeface: the bitmap plate font (which is the new-energy plates' own) or one of the system
        // fonts, so that the reader learns characters rather than one typeface's details.
        var faces = renderer.Glyphs.FaceCount;
        var face = random.NextDouble() < (style.Colour == PlateColour.Green ? 0.6 : 0.3) ? 0 : 1 + random.Next(Math.Max(1, faces - 1));
        return (plate, style with { Face = Math.Min(face, faces - 1) });
    }

    /// <summary>Real plates' strokes are thinner or bolder than the font's (dirt, wear, blooming): erode or dilate the rendered plate.</summary>
    private static void Weight(Random random, Mat plate)
    {
        var roll = random.NextDouble();
        if (roll < 0.35)
        {
            return;
        }

        var size = random.Next(3, 8);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(size, size));
        // Light ink (white on blue/black) grows with dilation, dark ink (black on yellow/green) with erosion: either way the strokes change weight.
        if (roll < 0.7)
        {
            Cv2.Erode(plate, plate, kernel);
        }
        else
        {
            Cv2.Dilate(plate, plate, kernel);
        }
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
        var shear = (float)((random.NextDouble() * 2 - 1) * 0.25);
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
        // Light: contrast, brightness, a colour cast.
        var alpha = 0.55 + random.NextDouble() * 0.8;
        var beta = (random.NextDouble() - 0.5) * 100;
        scene.ConvertTo(scene, -1, alpha, beta);
        if (random.NextDouble() < 0.5)
        {
            using var cast = new Mat(scene.Size(), scene.Type(), new Scalar(random.Next(40), random.Next(40), random.Next(40)));
            Cv2.Add(scene, cast, scene);
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

    /// <summary>A region of plate shape that is not the plate: beside it, half on it, or much larger than it.</summary>
    private static PlateRegion Miss(Random random, PlateRegion region, Size scene)
    {
        switch (random.Next(3))
        {
            case 0:
                return region with { Centre = new Point2f((float)(random.NextDouble() * scene.Width), (float)(random.NextDouble() * scene.Height)) };
            case 1:
                var side = random.NextDouble() < 0.5 ? -1 : 1;
                return region with { Centre = new Point2f(region.Centre.X + side * region.Width * 0.6f, region.Centre.Y) };
            default:
                return region with { Width = region.Width * 2.5f, Height = region.Height * 2.5f };
        }
    }
}
