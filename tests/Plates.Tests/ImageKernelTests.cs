using CameraNet.Plates.Recognition;
using OpenCvSharp;

namespace CameraNet.Plates.Tests;

/// <summary>
/// The locator's own image kernels (local equalisation, area shrink, colour masks) against the OpenCV calls they
/// stand in for, on the same images: photo-like scenes (smooth shading, edges, noise) of sizes the kernels'
/// blocks and tiles do not divide, and views into larger images (rows not one after another).
/// </summary>
public sealed class ImageKernelTests
{
    [Theory]
    [InlineData(1024, 576, 2.0, 8, 8)] // a 720p frame at work size: the tiles divide it
    [InlineData(1000, 750, 2.0, 8, 8)] // they do not: both ways extended
    [InlineData(640, 483, 2.0, 8, 8)]  // one way
    [InlineData(331, 97, 4.0, 4, 6)]
    [InlineData(64, 40, 0.0, 8, 8)]    // no clip limit
    public void Local_equalisation_gives_OpenCVs_CLAHE(int width, int height, double clipLimit, int tilesX, int tilesY)
    {
        using var image = Scene(width, height, seed: width + height);
        using var clahe = Cv2.CreateCLAHE(clipLimit, new Size(tilesX, tilesY));
        using var expected = new Mat();
        clahe.Apply(image, expected);
        using var equaliser = new LocalContrast(clipLimit, tilesX, tilesY);
        using var actual = new Mat();

        equaliser.Apply(image, actual);

        Differing(expected, actual).ShouldBe((0, 0));
    }

    [Fact]
    public void Local_equalisation_of_a_view_into_a_larger_image_and_again_after_another_size()
    {
        using var large = Scene(900, 700, seed: 5);
        using var view = new Mat(large, new Rect(13, 7, 611, 402));
        using var clahe = Cv2.CreateCLAHE(2, new Size(8, 8));
        using var expected = new Mat();
        clahe.Apply(view, expected);
        using var equaliser = new LocalContrast(2, 8, 8);
        using var actual = new Mat();

        equaliser.Apply(large, actual);
        equaliser.Apply(view, actual);

        Differing(expected, actual).ShouldBe((0, 0));
    }

    [Theory]
    [InlineData(1280, 720, 1024, 1280)] // a 720p frame to work size
    [InlineData(1920, 1080, 1024, 1920)]
    [InlineData(1600, 1203, 1024, 1600)]
    [InlineData(4000, 3000, 1024, 4000)] // more than half: pixel by pixel
    [InlineData(1100, 37, 1024, 1100)]
    [InlineData(77, 51, 2, 3)]
    public void The_area_shrink_gives_OpenCVs_INTER_AREA_to_within_one_where_a_mean_is_a_half(int width, int height, int numerator, int denominator)
    {
        using var image = Scene(width, height, seed: width);
        var factor = numerator / (double)denominator;
        using var expected = new Mat();
        Cv2.Resize(image, expected, new Size(), factor, factor, InterpolationFlags.Area);
        using var actual = new Mat();

        new AreaShrink().Apply(image, actual, numerator, denominator);

        actual.Size().ShouldBe(expected.Size());
        var (pixels, most) = Differing(expected, actual);
        most.ShouldBeLessThanOrEqualTo(1);
        pixels.ShouldBeLessThan(expected.Total() / 1000 + 1, $"{pixels} of {expected.Total()} pixels differ");
    }

    [Fact]
    public void The_area_shrink_of_a_view_and_with_tables_made_for_another_size()
    {
        using var large = Scene(1500, 900, seed: 3);
        using var view = new Mat(large, new Rect(5, 3, 1283, 722));
        using var expected = new Mat();
        Cv2.Resize(view, expected, new Size(), 1024.0 / 1283, 1024.0 / 1283, InterpolationFlags.Area);
        var shrink = new AreaShrink();
        using var actual = new Mat();

        shrink.Apply(large, actual, 1024, 1500);
        shrink.Apply(view, actual, 1024, 1283);

        actual.Size().ShouldBe(expected.Size());
        Differing(expected, actual).Most.ShouldBeLessThanOrEqualTo(1);
    }

    [Fact]
    public void The_kernels_refuse_images_they_cannot_take_and_say_what_they_got()
    {
        using var colour = new Mat(20, 30, MatType.CV_8UC3, Scalar.All(9));
        using var grey = new Mat(20, 30, MatType.CV_8UC1, Scalar.All(9));
        using var output = new Mat();
        using var equaliser = new LocalContrast(2, 8, 8);

        Should.Throw<ArgumentException>(() => equaliser.Apply(colour, output)).Message.ShouldContain("one-channel");
        Should.Throw<ArgumentException>(() => new AreaShrink().Apply(colour, output, 1, 2)).Message.ShouldContain("one-channel");
        Should.Throw<ArgumentOutOfRangeException>(() => new AreaShrink().Apply(grey, output, 3, 2)).Message.ShouldContain("3/2 is no shrink");
        Should.Throw<ArgumentException>(() => ColourMasks.Apply(grey, [(Scalar.All(0), Scalar.All(255))], [output])).Message.ShouldContain("three-channel");
    }

    [Theory]
    [InlineData(1024, 576)]
    [InlineData(333, 71)] // no multiple of 16: the last pixels one by one
    [InlineData(15, 9)]   // fewer than 16 a row
    public void Colour_masks_give_OpenCVs_inRange_for_each_range(int width, int height)
    {
        using var bgr = ColourScene(width, height, 1);
        using var hsv = new Mat();
        Cv2.CvtColor(bgr, hsv, ColorConversionCodes.BGR2HSV);
        (Scalar, Scalar)[] ranges =
        [
            (new Scalar(100, 55, 35), new Scalar(125, 255, 255)),
            (new Scalar(12, 80, 70), new Scalar(34, 255, 255)),
            (new Scalar(35, 45, 70), new Scalar(85, 255, 255)),
            (new Scalar(0, 0, 0), new Scalar(180, 40, 120)),
        ];
        Mat[] masks = [new(), new(), new(), new()];

        ColourMasks.Apply(hsv, ranges, masks);

        for (var r = 0; r < ranges.Length; r++)
        {
            using var expected = new Mat();
            Cv2.InRange(hsv, ranges[r].Item1, ranges[r].Item2, expected);
            Differing(expected, masks[r]).ShouldBe((0, 0), $"range {r}");
            masks[r].Dispose();
        }
    }

    [Fact]
    public void Colour_masks_of_a_view_into_a_larger_image()
    {
        using var bgr = ColourScene(200, 120, 4);
        using var view = new Mat(bgr, new Rect(7, 3, 150, 100));
        using var expected = new Mat();
        Cv2.InRange(view, new Scalar(30, 60, 90), new Scalar(160, 200, 220), expected);
        using var mask = new Mat();

        ColourMasks.Apply(view, [(new Scalar(30, 60, 90), new Scalar(160, 200, 220))], [mask]);

        Differing(expected, mask).ShouldBe((0, 0));
    }

    /// <summary>A grey scene like a photo's: shading across it, boxes and bars of other levels, and some noise.</summary>
    private static Mat Scene(int width, int height, int seed)
    {
        var random = new Random(seed);
        var image = new Mat(height, width, MatType.CV_8UC1);
        var (gx, gy, bias) = (random.NextDouble() * 200 / width, random.NextDouble() * 120 / height, random.Next(0, 60));
        var pixels = image.AsSpan<byte>();
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                pixels[y * width + x] = (byte)Math.Clamp(bias + gx * x + gy * y + random.Next(-12, 13), 0, 255);
            }
        }

        for (var k = 0; k < 40; k++)
        {
            var (x, y) = (random.Next(width), random.Next(height));
            var box = new Rect(x, y, Math.Max(1, random.Next(width / 4 + 1)), Math.Max(1, random.Next(height / 4 + 1)));
            Cv2.Rectangle(image, box, Scalar.All(random.Next(256)), random.Next(2) == 0 ? -1 : random.Next(1, 4));
        }

        return image;
    }

    /// <summary>A colour scene: three grey ones (<see cref="Scene"/>) as its channels.</summary>
    private static Mat ColourScene(int width, int height, int seed)
    {
        using Mat first = Scene(width, height, seed), second = Scene(width, height, seed + 1), third = Scene(width, height, seed + 2);
        var image = new Mat();
        Cv2.Merge([first, second, third], image);
        return image;
    }

    /// <summary>How many pixels of two images of one size differ, and by how much at most.</summary>
    private static (long Pixels, int Most) Differing(Mat expected, Mat actual)
    {
        actual.Size().ShouldBe(expected.Size());
        using var difference = new Mat();
        Cv2.Absdiff(expected, actual, difference);
        Cv2.MinMaxLoc(difference.Reshape(1), out _, out double most);
        return (Cv2.CountNonZero(difference.Reshape(1)), (int)most);
    }
}
