using CameraNet.Contracts;
using OpenCvSharp;

namespace CameraNet.Plates.Recognition;

/// <summary>A plate read in an image.</summary>
public sealed record PlateRead(string Text, float Confidence, float[] CharacterConfidence, PlateRegion Region)
{
    /// <summary>The second-weakest character's probability: what the reader's threshold judges (<see cref="OcrResult.Evidence"/>).</summary>
    public float Evidence => OcrResult.SecondSmallest(CharacterConfidence);
}

/// <summary>
/// The recogniser: <see cref="PlateLocator"/> proposes regions, <see cref="PlateRectifier"/> cuts each
/// upright, <see cref="PlateOcr"/> reads it; a region whose reading is not a valid plate number with
/// enough evidence (all characters but the weakest probable) is not a plate. Thread-safe: the locator and rectifier keep no state, the OCR
/// session is safe for concurrent use.
/// </summary>
public sealed class PlateReader : IDisposable
{
    /// <summary>
    /// By default, readings whose <see cref="OcrResult.Evidence"/> (the second-weakest character's
    /// probability) is below this are dropped. Chosen on held-out synthetic crops (<c>plates evaluate</c>):
    /// non-plates accepted 0.26% at 0.2 and at 0.3, 0.37% at 0.1; at 6–8 candidates per image that is
    /// about 0.02 false readings per image, a fifth of the 0.1 allowed.
    /// </summary>
    public const float DefaultMinEvidence = 0.2f;

    /// <summary>A reading this confident is not second-guessed with other cuts of the region.</summary>
    private const float SureConfidence = 0.9f;

    /// <summary>
    /// Cuts of a region tried in turn: its own box, a taller, a wider and a tighter one; then boxes grown
    /// by a fifth to the left and to the right (Shift moves the centre along the plate by that share of
    /// its width), because the locator's box often stops short of a plate's end, where the province
    /// character and the letter stand apart from the serial or the plate's colour fades. The grown boxes
    /// are tried only where a cut before read at least <see cref="PartialCharacters"/> characters with
    /// some confidence (a plate partly in the box), not on clutter, most candidates: on the 86
    /// development photos that kept the added time to a tenth of what trying them everywhere cost.
    /// </summary>
    private static readonly (float Width, float Height, float Shift)[] Cuts =
        [(1, 1, 0), (1, 1.2f, 0), (1.06f, 1, 0), (0.94f, 0.9f, 0), (1.2f, 1, -0.1f), (1.2f, 1, 0.1f)];

    private const int PartialCharacters = 4;

    private const float PartialCharacterConfidence = 0.5f;

    /// <summary>Regions shorter than this many heights are also read as two-row plates (440×220 mm: 2.0; one-row plates are 3.1–3.4).</summary>
    private const float TwoRowAspect = 2.6f;

    private static readonly float[] TwoRowVariants = [1f, 1.08f];

    private readonly PlateOcr _ocr;

    public PlateReader(PlateOcr ocr, float minEvidence = DefaultMinEvidence)
    {
        if (!(minEvidence is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(minEvidence), minEvidence, "an evidence threshold (a character's probability) lies between 0 and 1");
        }

        _ocr = ocr;
        MinEvidence = minEvidence;
    }

    /// <summary>
    /// Readings whose second-weakest character is less probable than this are dropped (<see cref="OcrResult.Evidence"/>):
    /// one doubtful character does not make a plate clutter, two do.
    /// </summary>
    public float MinEvidence { get; }

    /// <summary>The reader with the committed model (embedded in this assembly).</summary>
    public static PlateReader CreateDefault(float minEvidence = DefaultMinEvidence)
    {
        using var stream = typeof(PlateReader).Assembly.GetManifestResourceStream("models/plate-ocr.onnx")
            ?? throw new InvalidOperationException("the plate reader's model is missing from the assembly (run './cameranet plates train')");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return new PlateReader(new PlateOcr(memory.ToArray()), minEvidence);
    }

    /// <summary>A reader with another model (e.g. a candidate from <c>plates train --out</c>), to measure it before committing it.</summary>
    public static PlateReader FromFile(string path, float minEvidence = DefaultMinEvidence)
    {
        byte[] model;
        try
        {
            model = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"cannot read the model {path}: {e.Message}", nameof(path), e);
        }

        try
        {
            return new PlateReader(new PlateOcr(model), minEvidence);
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e)
        {
            throw new ArgumentException($"{path} is not a plate reader model ONNX Runtime can load: {e.Message}", nameof(path), e);
        }
    }

    [ThreadStatic]
    private static Mat? _bgr;

    /// <summary>
    /// Reads the plates in a frame the caller owns, in I420 (the ingest worker's decoded frames: Y plane,
    /// then U and V at half size), wrapped where it lies (no copy of the caller's buffer); the colour
    /// conversion the locator needs goes into a per-thread scratch image.
    /// </summary>
    public IReadOnlyList<PlateRead> ReadI420(nint data, int width, int height)
    {
        if (data == 0 || width < 64 || height < 32 || width % 2 != 0 || height % 2 != 0)
        {
            throw new ArgumentException($"an I420 frame needs a buffer and an even size of at least 64x32, not {width}x{height}");
        }

        using var planar = Mat.FromPixelData(height * 3 / 2, width, MatType.CV_8UC1, data);
        var bgr = _bgr ??= new Mat();
        Cv2.CvtColor(planar, bgr, ColorConversionCodes.YUV2BGR_I420);
        return Read(bgr);
    }

    /// <summary>Reads the plates in a BGR image (any size; not copied, not changed).</summary>
    public IReadOnlyList<PlateRead> Read(Mat bgr)
    {
        var reads = new List<PlateRead>();
        using var crop = new Mat();
        var bytes = new byte[PlateRectifier.Pixels];
        foreach (var region in PlateLocator.Locate(bgr))
        {
            if (ReadRegion(bgr, region, crop, bytes) is { } read)
            {
                reads.Add(read);
            }
        }

        // One plate, one reading: of readings whose boxes overlap (or that say the same), the most confident stays.
        reads.Sort((a, b) => b.Confidence.CompareTo(a.Confidence));
        for (var i = reads.Count - 1; i > 0; i--)
        {
            for (var j = 0; j < i; j++)
            {
                if (reads[j].Text == reads[i].Text || PlateLocator.Overlap(reads[j].Region.Bounds, reads[i].Region.Bounds) > 0.5)
                {
                    reads.RemoveAt(i);
                    break;
                }
            }
        }

        return reads;
    }

    /// <summary>Reads one region of a BGR image: its plate, or null when no cut of it reads as a plate number with enough evidence.</summary>
    public PlateRead? ReadRegion(Mat bgr, PlateRegion region)
    {
        using var crop = new Mat();
        return ReadRegion(bgr, region, crop, new byte[PlateRectifier.Pixels]);
    }

    private PlateRead? ReadRegion(Mat bgr, PlateRegion region, Mat crop, byte[] bytes)
    {
        // The locator's box is often a little off (a frame edge taken in, a character cut, an end of the
        // plate left out): unless the first reading is sure, other cuts get a chance (see Cuts), and
        // the most confident reading stays, with the box it was read in.
        OcrResult best = default;
        var bestCut = region;
        var sure = Math.Max(SureConfidence, MinEvidence);
        var partial = 0;
        void Consider(OcrResult result, PlateRegion cut)
        {
            if (result.Text.Length > 0 && result.Confidence > best.Confidence)
            {
                best = result;
                bestCut = cut;
            }
        }

        foreach (var variant in Cuts)
        {
            if (best.Confidence >= sure || (variant.Shift != 0 && partial < PartialCharacters))
            {
                break;
            }

            var cut = Shifted(region, variant.Width, variant.Height, variant.Shift);
            PlateRectifier.Cut(bgr, cut, crop, bytes);
            var result = _ocr.Read(bytes, region.Colour);
            partial = Math.Max(partial, Confident(result.CharacterConfidence));
            Consider(result, cut);

            // A turned region may be a plate seen from the side, its characters upright rather than turned
            // with it: it is also cut so, and which reading wins decides (a slanted 1 is read as a J with confidence).
            if (variant == Cuts[0] && PlateRectifier.CutSheared(bgr, region, crop, bytes))
            {
                Consider(_ocr.Read(bytes, region.Colour), region);
            }
        }

        // A yellow (or colourless) region of about 2:1 may be a two-row plate: read its rows side by side.
        if (best.Confidence < sure && region.Width < TwoRowAspect * region.Height && region.Colour is PlateColour.Yellow or PlateColour.Unknown)
        {
            foreach (var grow in TwoRowVariants)
            {
                var cut = region with { Width = region.Width * grow, Height = region.Height * grow };
                PlateRectifier.CutTwoRows(bgr, cut, crop, bytes);
                if (_ocr.Read(bytes, PlateColour.Yellow) is { Text.Length: 7 } result)
                {
                    Consider(result, cut);
                }
            }
        }

        return best.Text is { Length: > 0 } text && best.Evidence >= MinEvidence
            ? new PlateRead(text, best.Confidence, best.CharacterConfidence, bestCut)
            : null;
    }

    private static int Confident(float[]? characters)
    {
        var count = 0;
        foreach (var c in characters ?? [])
        {
            count += c >= PartialCharacterConfidence ? 1 : 0;
        }

        return count;
    }

    /// <summary>The region scaled by (width, height) about a centre moved <paramref name="shift"/> of its width along its long side.</summary>
    private static PlateRegion Shifted(PlateRegion region, float width, float height, float shift)
    {
        var a = region.Angle * Math.PI / 180;
        var along = shift * region.Width;
        var centre = new Point2f(region.Centre.X + (float)(Math.Cos(a) * along), region.Centre.Y + (float)(Math.Sin(a) * along));
        return region with { Centre = centre, Width = region.Width * width, Height = region.Height * height };
    }

    public PlateOcr Ocr => _ocr;

    public void Dispose() => _ocr.Dispose();
}
