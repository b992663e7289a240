using CameraNet.Plates.Recognition;
using OpenCvSharp;

namespace CameraNet.Plates.Tests;

/// <summary>The locator's blob labelling against OpenCV's connected components (8-connected) on the same images.</summary>
public sealed class BlobLabellerTests
{
    [Theory]
    [InlineData(1, 0.05)]
    [InlineData(2, 0.3)]
    [InlineData(3, 0.5)]
    [InlineData(4, 0.7)]
    public void Random_images_give_the_blobs_OpenCV_finds(int seed, double density)
    {
        // Noise at several densities, from scattered specks to one sprawling blob: blobs of many shapes,
        // diagonal touches and holes; an odd size, so that rows do not align with anything.
        using var binary = Noise(97, 131, seed, density);

        Blobs(binary).ShouldBe(OpenCv(binary), ignoreOrder: true);
    }

    [Fact]
    public void Pixels_touching_only_at_a_corner_are_one_blob_and_an_empty_image_has_none()
    {
        using var binary = new Mat(5, 6, MatType.CV_8UC1, Scalar.All(0));
        binary.Set(0, 0, (byte)255);
        binary.Set(1, 1, (byte)255);
        binary.Set(2, 0, (byte)255); // below-left of (1, 1)
        binary.Set(1, 5, (byte)1);   // any non-zero pixel is set
        binary.Set(4, 3, (byte)255);
        binary.Set(4, 4, (byte)255);

        Blobs(binary).ShouldBe(
            [new(new Rect(0, 0, 2, 3), 3), new(new Rect(5, 1, 1, 1), 1), new(new Rect(3, 4, 2, 1), 2)], ignoreOrder: true);
        using var empty = new Mat(5, 6, MatType.CV_8UC1, Scalar.All(0));
        Blobs(empty).ShouldBeEmpty();
    }

    [Fact]
    public void The_same_labeller_gives_the_same_blobs_again_after_a_larger_image()
    {
        var labeller = new BlobLabeller();
        using var small = new Mat(20, 30, MatType.CV_8UC1, Scalar.All(0));
        Cv2.Rectangle(small, new Rect(3, 4, 5, 6), Scalar.All(255), -1);
        using var large = Noise(300, 400, seed: 9, density: 0.5); // tens of thousands of runs: the buffers grow

        var first = new List<BlobLabeller.Blob>();
        labeller.Find(small, first);
        var grown = new List<BlobLabeller.Blob>();
        labeller.Find(large, grown);
        var again = new List<BlobLabeller.Blob>();
        labeller.Find(small, again);

        first.ShouldBe([new(new Rect(3, 4, 5, 6), 30)]);
        grown.ShouldBe(OpenCv(large), ignoreOrder: true);
        again.ShouldBe(first);
    }

    [Fact]
    public void An_image_of_another_type_is_refused_by_name()
    {
        using var colour = new Mat(4, 4, MatType.CV_8UC3, Scalar.All(255));
        Should.Throw<ArgumentException>(() => new BlobLabeller().Find(colour, [])).Message.ShouldContain("8-bit one-channel");
    }

    private static Mat Noise(int rows, int columns, int seed, double density)
    {
        var random = new Random(seed);
        var pixels = new byte[rows * columns];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = random.NextDouble() < density ? (byte)255 : (byte)0;
        }

        var binary = new Mat(rows, columns, MatType.CV_8UC1);
        binary.SetArray(pixels);
        return binary;
    }

    private static List<BlobLabeller.Blob> Blobs(Mat binary)
    {
        var blobs = new List<BlobLabeller.Blob>();
        new BlobLabeller().Find(binary, blobs);
        return blobs;
    }

    private static List<BlobLabeller.Blob> OpenCv(Mat binary)
    {
        using var labels = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        var n = Cv2.ConnectedComponentsWithStats(binary, labels, stats, centroids, PixelConnectivity.Connectivity8);
        return Enumerable.Range(1, n - 1)
            .Select(i => new BlobLabeller.Blob(
                new Rect(stats.At<int>(i, 0), stats.At<int>(i, 1), stats.At<int>(i, 2), stats.At<int>(i, 3)), stats.At<int>(i, 4)))
            .ToList();
    }
}
