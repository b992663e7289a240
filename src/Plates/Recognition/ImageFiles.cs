using System.Buffers.Binary;
using OpenCvSharp;

namespace CameraNet.Plates.Recognition;

/// <summary>An image file that cannot be read, with the reason in words.</summary>
public sealed class ImageFileException(string message) : Exception(message);

/// <summary>Loads image files for the recogniser, refusing what is not a usable picture with a clear reason.</summary>
public static class ImageFiles
{
    /// <summary>Files above this size are refused before decoding (a 100-megapixel JPEG is ~50 MB).</summary>
    public const long MaxFileBytes = 64L << 20;

    /// <summary>Images above this many pixels are refused (decoding would need gigabytes).</summary>
    public const long MaxPixels = 100_000_000;

    /// <summary>Below this a plate cannot be read.</summary>
    public const int MinSide = 32;

    public static Mat Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new ImageFileException("no such file");
        }

        if (info.Length == 0)
        {
            throw new ImageFileException("empty file");
        }

        if (info.Length > MaxFileBytes)
        {
            throw new ImageFileException($"file too large ({info.Length / 1048576.0:0.0} MiB; at most {MaxFileBytes >> 20} MiB)");
        }

        var bytes = File.ReadAllBytes(path);
        return Decode(bytes);
    }

    public static Mat Decode(byte[] bytes)
    {
        var (width, height) = Dimensions(bytes) ?? throw new ImageFileException("not an image (no JPEG, PNG, BMP, WebP or TIFF signature)");
        if ((long)width * height > MaxPixels)
        {
            throw new ImageFileException($"image too large ({width}x{height}; at most {MaxPixels / 1_000_000} megapixels)");
        }

        var image = Cv2.ImDecode(bytes, ImreadModes.Color);
        if (image.Empty() && IsJpegWithoutEnd(bytes))
        {
            // A JPEG cut off before its end marker (a snapshot truncated in transit, a partial upload): the
            // decoder gives nothing at all, although everything before the cut is there. With the marker
            // put back it decodes what arrived and fills the rest grey, which is what viewers show.
            image.Dispose();
            image = Cv2.ImDecode([.. bytes, 0xFF, 0xD9], ImreadModes.Color);
        }

        if (image.Empty())
        {
            image.Dispose();
            throw new ImageFileException("the image data is damaged or truncated and cannot be decoded");
        }

        if (image.Width < MinSide || image.Height < MinSide)
        {
            var (w, h) = (image.Width, image.Height);
            image.Dispose();
            throw new ImageFileException($"image too small ({w}x{h}; at least {MinSide}x{MinSide})");
        }

        return image;
    }

    private static bool IsJpegWithoutEnd(byte[] b) =>
        b.Length > 4 && b[0] == 0xFF && b[1] == 0xD8 && !(b[^2] == 0xFF && b[^1] == 0xD9);

    /// <summary>Width and height from the header, without decoding; null when the format is not recognised.</summary>
    private static (int Width, int Height)? Dimensions(byte[] b)
    {
        if (b.Length >= 24 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G')
        {
            return (BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(20)));
        }

        if (b.Length >= 4 && b[0] == 0xFF && b[1] == 0xD8)
        {
            // Walk the JPEG markers to the first start-of-frame.
            var i = 2;
            while (i + 9 < b.Length)
            {
                if (b[i] != 0xFF)
                {
                    i++;
                    continue;
                }

                var marker = b[i + 1];
                if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                {
                    return (BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(i + 7)), BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(i + 5)));
                }

                if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7))
                {
                    i += 2;
                    continue;
                }

                i += 2 + BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(i + 2));
            }

            return (0, 0); // a JPEG without a frame header: let the decoder say it is damaged
        }

        if (b.Length >= 26 && b[0] == 'B' && b[1] == 'M')
        {
            return (BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(18)), Math.Abs(BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(22))));
        }

        if (b.Length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P')
        {
            return (0, 0); // size checked after decoding
        }

        if (b.Length >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42) || (b[0] == 'M' && b[1] == 'M' && b[3] == 42)))
        {
            return (0, 0);
        }

        return null;
    }
}
