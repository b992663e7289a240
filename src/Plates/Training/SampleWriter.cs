using System.Text;
using CameraNet.Plates.Recognition;
using CameraNet.Plates.Synthesis;

namespace CameraNet.Plates.Training;

/// <summary>Writes training crops for <c>tools/plates/train_ocr.py</c>: <c>crops.u8</c> (N × 32 × 128 grey bytes) and <c>labels.txt</c> (one label per line, empty = no plate).</summary>
public static class SampleWriter
{
    public static async Task WriteAsync(string directory, int count, int seed, CancellationToken cancellationToken)
    {
        var renderer = Renderer();
        var (pixels, labels) = await DrawAsync(count, PlateRectifier.Pixels, i => SampleGenerator.Sample(seed, i, renderer), cancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(directory, "crops.u8"), pixels, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "labels.txt"), string.Join('\n', labels) + "\n", new UTF8Encoding(false), cancellationToken);
    }

    /// <summary>
    /// Writes the province classifier's crops for <c>tools/plates/train_province.py</c>: <c>provinces.u8</c>
    /// (N × 64 × 56 grey bytes) and <c>provinces.labels</c> (N bytes, the province's index).
    /// </summary>
    public static async Task WriteProvincesAsync(string directory, int count, int seed, CancellationToken cancellationToken)
    {
        var renderer = Renderer();
        var (pixels, labels) = await DrawAsync(count, PlateRectifier.ProvincePixels, i =>
        {
            var (crop, province) = SampleGenerator.ProvinceSample(seed, i, renderer);
            return (crop, checked((byte)province));
        }, cancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(directory, "provinces.u8"), pixels, cancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(directory, "provinces.labels"), labels, cancellationToken);
    }

    /// <summary>
    /// Writes the box refiner's canvases for <c>tools/plates/train_refiner.py</c>: <c>refiner.u8</c>
    /// (N × 64 × 128 grey bytes) and <c>refiner.targets</c> (N × 9 little-endian float32: presence, then the
    /// corners as shares of the canvas).
    /// </summary>
    public static async Task WriteRefinerAsync(string directory, int count, int seed, CancellationToken cancellationToken)
    {
        var renderer = Renderer();
        var (pixels, targets) = await DrawAsync(count, PlateRefiner.Pixels, i => SampleGenerator.RefinerSample(seed, i, renderer), cancellationToken);
        var bytes = new byte[checked(count * PlateRefiner.Outputs * sizeof(float))];
        for (var i = 0; i < count; i++)
        {
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(targets[i].AsSpan()).CopyTo(bytes.AsSpan(i * PlateRefiner.Outputs * sizeof(float)));
        }

        await File.WriteAllBytesAsync(Path.Combine(directory, "refiner.u8"), pixels, cancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(directory, "refiner.targets"), bytes, cancellationToken);
    }

    /// <summary>Crops 0..count-1 drawn in parallel (each depends only on its index), laid end to end, with their labels.</summary>
    private static async Task<(byte[] Pixels, TLabel[] Labels)> DrawAsync<TLabel>(int count, int size, Func<int, (byte[] Crop, TLabel Label)> sample, CancellationToken cancellationToken)
    {
        var pixels = new byte[checked(count * size)];
        var labels = new TLabel[count];
        await Parallel.ForAsync(0, count, cancellationToken, (i, _) =>
        {
            var (crop, label) = sample(i);
            crop.CopyTo(pixels.AsSpan(i * size, size));
            labels[i] = label;
            return ValueTask.CompletedTask;
        });

        return (pixels, labels);
    }

    /// <summary>The renderer training crops are drawn with; refuses (naming the missing fonts) when a face is not installed.</summary>
    public static PlateRenderer Renderer()
    {
        var renderer = PlateRenderer.Default;
        if (renderer.Glyphs.MissingFaces.Count > 0)
        {
            // Crops drawn without some faces would differ from the committed model's: refuse rather than train something else.
            throw new InvalidOperationException($"fonts for training are not installed: {string.Join(", ", renderer.Glyphs.MissingFaces)} (apt-get install the packages named)");
        }

        return renderer;
    }
}
