using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OpenCvSharp;

namespace CameraNet.Plates.Recognition;

/// <summary>
/// Contrast-limited adaptive histogram equalisation of an 8-bit grey image, computed as OpenCV's CLAHE
/// computes it (the same tiles, clipping, redistribution and bilinear blend of the tiles' tables, in the same
/// float arithmetic), so that it gives the same image; only faster on one core: OpenCV blends pixel by pixel
/// (2–3 ms for 1,024×576 here), this eight pixels at a time with AVX2 gathers. One instance per thread: it
/// keeps its tables between calls.
/// </summary>
public sealed class LocalContrast : IDisposable
{
    private const int Bins = 256;

    private readonly double _clipLimit;
    private readonly int _tilesX, _tilesY;
    private readonly int[] _histogram = new int[Bins];
    private readonly int[] _counts = new int[4 * Bins];

    // The tiles' tables, one after another, and three bytes more: a gather reads four bytes at each index.
    private readonly byte[] _tables;
    private int[] _index1 = [], _index2 = [];
    private float[] _weight = [], _weight1 = [];
    private readonly Mat _extended = new();

    /// <param name="clipLimit">As OpenCV's: a bin holds at most this many times the tile's mean count (at least one pixel).</param>
    public LocalContrast(double clipLimit, int tilesX, int tilesY)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tilesX, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tilesY, 1);
        (_clipLimit, _tilesX, _tilesY) = (clipLimit, tilesX, tilesY);
        _tables = new byte[tilesX * tilesY * Bins + 3];
    }

    /// <summary>Equalises <paramref name="source"/> (8-bit, one channel) into <paramref name="destination"/> (made its size and type).</summary>
    public void Apply(Mat source, Mat destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (source.Type() != MatType.CV_8UC1 || source.Empty())
        {
            throw new ArgumentException($"an 8-bit one-channel image is needed, not {source.Type()} {source.Width}x{source.Height}", nameof(source));
        }

        // As OpenCV: an image the tiles do not divide is extended (mirrored at its right and bottom edges,
        // each by a whole tile count less the remainder) for the tables, and the tiles are the extended image's.
        var forTables = source;
        if (source.Width % _tilesX != 0 || source.Height % _tilesY != 0)
        {
            Cv2.CopyMakeBorder(source, _extended, 0, _tilesY - source.Height % _tilesY, 0, _tilesX - source.Width % _tilesX, BorderTypes.Reflect101);
            forTables = _extended;
        }

        var (tileWidth, tileHeight) = (forTables.Width / _tilesX, forTables.Height / _tilesY);
        Tables(forTables, tileWidth, tileHeight);
        destination.Create(source.Size(), MatType.CV_8UC1);
        Blend(source, destination, tileWidth, tileHeight);
    }

    /// <summary>Each tile's clipped histogram, summed into its table.</summary>
    private void Tables(Mat image, int tileWidth, int tileHeight)
    {
        var area = tileWidth * tileHeight;
        var scale = (float)(Bins - 1) / area;
        var limit = _clipLimit > 0 ? Math.Max((int)(_clipLimit * area / Bins), 1) : 0;
        var histogram = _histogram.AsSpan();
        for (var ty = 0; ty < _tilesY; ty++)
        {
            for (var tx = 0; tx < _tilesX; tx++)
            {
                Count(image, tx * tileWidth, ty * tileHeight, tileWidth, tileHeight);

                if (limit > 0)
                {
                    var clipped = 0;
                    for (var i = 0; i < Bins; i++)
                    {
                        if (histogram[i] > limit)
                        {
                            clipped += histogram[i] - limit;
                            histogram[i] = limit;
                        }
                    }

                    var batch = clipped / Bins;
                    var residual = clipped - batch * Bins;
                    for (var i = 0; i < Bins; i++)
                    {
                        histogram[i] += batch;
                    }

                    if (residual != 0)
                    {
                        var residualStep = Math.Max(Bins / residual, 1);
                        for (var i = 0; i < Bins && residual > 0; i += residualStep, residual--)
                        {
                            histogram[i]++;
                        }
                    }
                }

                var table = _tables.AsSpan((ty * _tilesX + tx) * Bins, Bins);
                var sum = 0;
                for (var i = 0; i < Bins; i++)
                {
                    sum += histogram[i];
                    table[i] = Saturate(sum * scale);
                }
            }
        }
    }

    /// <summary>
    /// The histogram of one tile into <see cref="_histogram"/>, counted in four histograms side by side (one
    /// per pixel of four): one count no longer waits for the last when neighbours are alike, as they mostly are.
    /// </summary>
    private unsafe void Count(Mat image, int x0, int y0, int width, int height)
    {
        Array.Clear(_counts);
        fixed (int* counts = _counts)
        {
            int* c1 = counts + Bins, c2 = counts + 2 * Bins, c3 = counts + 3 * Bins;
            for (var y = 0; y < height; y++)
            {
                var row = (byte*)image.Ptr(y0 + y) + x0;
                var x = 0;
                for (; x <= width - 4; x += 4)
                {
                    counts[row[x]]++;
                    c1[row[x + 1]]++;
                    c2[row[x + 2]]++;
                    c3[row[x + 3]]++;
                }

                for (; x < width; x++)
                {
                    counts[row[x]]++;
                }
            }

            for (var i = 0; i < Bins; i++)
            {
                _histogram[i] = counts[i] + c1[i] + c2[i] + c3[i];
            }
        }
    }

    /// <summary>Each pixel through the tables of the four tiles around it, weighted by its distance from their centres.</summary>
    private void Blend(Mat source, Mat destination, int tileWidth, int tileHeight)
    {
        var width = source.Width;
        if (_index1.Length < width)
        {
            (_index1, _index2, _weight, _weight1) = (new int[width], new int[width], new float[width], new float[width]);
        }

        var inverseWidth = 1.0f / tileWidth;
        for (var x = 0; x < width; x++)
        {
            var txf = x * inverseWidth - 0.5f;
            var tx1 = (int)MathF.Floor(txf);
            _weight[x] = txf - tx1;
            _weight1[x] = 1.0f - _weight[x];
            _index1[x] = Math.Max(tx1, 0) * Bins;
            _index2[x] = Math.Min(tx1 + 1, _tilesX - 1) * Bins;
        }

        var inverseHeight = 1.0f / tileHeight;
        var height = source.Height;
        for (var y = 0; y < height; y++)
        {
            var tyf = y * inverseHeight - 0.5f;
            var ty1 = (int)MathF.Floor(tyf);
            var ya = tyf - ty1;
            var ya1 = 1.0f - ya;
            var plane1 = Math.Max(ty1, 0) * _tilesX * Bins;
            var plane2 = Math.Min(ty1 + 1, _tilesY - 1) * _tilesX * Bins;
            var input = Row(source, y);
            var output = Row(destination, y);
            var x = Avx2.IsSupported ? BlendRow(input, output, plane1, plane2, ya, ya1) : 0;
            for (; x < width; x++)
            {
                int v = input[x], i1 = _index1[x] + v, i2 = _index2[x] + v;
                var res = (_tables[plane1 + i1] * _weight1[x] + _tables[plane1 + i2] * _weight[x]) * ya1
                    + (_tables[plane2 + i1] * _weight1[x] + _tables[plane2 + i2] * _weight[x]) * ya;
                output[x] = Saturate(res);
            }
        }
    }

    /// <summary>The blend of <see cref="Blend"/> for eight pixels at a time; returns how many pixels it did.</summary>
    private unsafe int BlendRow(ReadOnlySpan<byte> input, Span<byte> output, int plane1, int plane2, float ya, float ya1)
    {
        var width = input.Length;
        var x = 0;
        var (vya, vya1) = (Vector256.Create(ya), Vector256.Create(ya1));
        var low = Vector256.Create(0xFF);
        fixed (byte* tables = _tables, source = input, target = output)
        fixed (int* index1 = _index1, index2 = _index2)
        fixed (float* weight = _weight, weight1 = _weight1)
        {
            for (; x <= width - 8; x += 8)
            {
                var v = Avx2.ConvertToVector256Int32(source + x);
                var i1 = Avx2.Add(Avx.LoadVector256(index1 + x), v);
                var i2 = Avx2.Add(Avx.LoadVector256(index2 + x), v);
                var a = Avx.ConvertToVector256Single(Avx2.And(Avx2.GatherVector256((int*)(tables + plane1), i1, 1), low));
                var b = Avx.ConvertToVector256Single(Avx2.And(Avx2.GatherVector256((int*)(tables + plane1), i2, 1), low));
                var c = Avx.ConvertToVector256Single(Avx2.And(Avx2.GatherVector256((int*)(tables + plane2), i1, 1), low));
                var d = Avx.ConvertToVector256Single(Avx2.And(Avx2.GatherVector256((int*)(tables + plane2), i2, 1), low));
                var (w, w1) = (Avx.LoadVector256(weight + x), Avx.LoadVector256(weight1 + x));
                // The same operations in the same order as the scalar blend (no fused multiply-add): the same result.
                var top = Avx.Add(Avx.Multiply(a, w1), Avx.Multiply(b, w));
                var bottom = Avx.Add(Avx.Multiply(c, w1), Avx.Multiply(d, w));
                var result = Avx.ConvertToVector256Int32(Avx.Add(Avx.Multiply(top, vya1), Avx.Multiply(bottom, vya)));
                // Eight int32 (each 0–255) to eight bytes: pack to 16 bits, then to 8, lanes in order.
                var words = Avx2.PackUnsignedSaturate(result, result);
                var bytes = Avx2.PackUnsignedSaturate(words.AsInt16(), words.AsInt16());
                var ordered = Avx2.PermuteVar8x32(bytes.AsInt32(), Vector256.Create(0, 4, 0, 4, 0, 4, 0, 4));
                *(long*)(target + x) = ordered.AsInt64().GetElement(0);
            }
        }

        return x;
    }

    private static unsafe Span<byte> Row(Mat image, int y) => new((byte*)image.Ptr(y), image.Width);

    /// <summary>OpenCV's saturate_cast from float: rounded to the nearest integer (halves to even), clamped to 0–255.</summary>
    private static byte Saturate(float value) => (byte)Math.Clamp((int)MathF.Round(value), 0, 255);

    public void Dispose() => _extended.Dispose();
}
