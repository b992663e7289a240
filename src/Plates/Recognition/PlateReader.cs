using CameraNet.Contracts;
using OpenCvSharp;

namespace CameraNet.Plates.Recognition;

/// <summary>A plate read in an image.</summary>
public sealed record PlateRead(string Text, float Confidence, float[] CharacterConfidence, PlateRegion Region)
{
    /// <summary>The second-weakest character's probability: what the reader's threshold judges (<see cref="OcrResult.Evidence"/>).</summary>
    public float Evidence => OcrResult.SecondSmallest(CharacterConfidence);
}

/// <summary>How thoroughly <see cref="PlateReader.Read(Mat, PlateSearch)"/> searches an image.</summary>
public enum PlateSearch
{
    /// <summary>A video frame: one search at the locator's size, within the frame budget (the tracker sees the vehicle in many frames).</summary>
    Frame,

    /// <summary>
    /// A still image (a photo, a checkpoint's snapshot): an image longer than <see cref="PlateReader.TiledFrom"/> is also
    /// searched in four tiles at a finer scale, which reads smaller plates and reads plates more exactly, in about
    /// twice the time.
    /// </summary>
    Still,
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
    /// A region's last-resort view (<see cref="PlateRegion.LastResort"/>) is kept only with this much evidence:
    /// its region read nothing in its other views, so it is more likely clutter (at 0.2 it added false
    /// plates on easypr-dev and the holdout's analysis half; at 0.5 and 0.8 none, and the same plates). It is
    /// the line reader's own evidence, judged before the province classifier's second opinion, which would
    /// lift a doubtful first character (a timestamp's "0" read as a province passed on easypr-dev otherwise).
    /// </summary>
    private const float LastResortEvidence = 0.5f;

    /// <summary>
    /// Among a region's cuts, a reading with this much of the line reader's evidence is preferred to a
    /// more confident one with less: the most confident cut can be one that fails the evidence gate
    /// (an end character cut, a frame edge taken in) while another cut of the same region reads with
    /// firm evidence. Measured 2026-12-04 over easypr-dev, the holdout's analysis half and their 16
    /// degraded copies (1,728 plates) against "most confident wins": located 1,596 → 1,601, exact
    /// 1,247 → 1,256, false positives 80 → 83; easypr-dev itself unchanged. At 0.2 (the gate itself)
    /// 1,612 / 1,241 / 154, at 0.5 1,606 / 1,243 / 100, 0.7 1,604 / 1,249 / 83, 0.9 1,600 / 1,255 / 78
    /// (those four on the linear-shrink locator of that morning, whose totals were 1,597 / 1,246 / 77).
    /// </summary>
    private const float PreferredEvidence = 0.8f;

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

    /// <summary>A box whose own cut reads fewer characters than this with some confidence is not cut again.</summary>
    private const int MinPartialCharacters = 2;

    private const float PartialCharacterConfidence = 0.5f;

    /// <summary>Regions shorter than this many heights are also read as two-row plates (440×220 mm: 2.0; one-row plates are 3.1–3.4).</summary>
    private const float TwoRowAspect = 2.6f;

    /// <summary>Regions shorter than this many heights that are not two-row-shaped are also read as the two-row plate of their width.</summary>
    private const float PartTwoRowAspect = 3.3f;

    /// <summary>A two-row plate is 440×220 mm.</summary>
    private const float TwoRowPlateAspect = 2f;

    /// <summary>A one-row plate is 440×140 mm.</summary>
    private const float OneRowPlateAspect = 3.14f;

    private static readonly float[] TwoRowVariants = [1f, 1.08f];

    private readonly PlateOcr _ocr;
    private readonly ProvinceClassifier? _provinces;
    private readonly PlateRefiner? _refiner;

    /// <param name="provinces">Second opinion on one-row plates' province characters (see <see cref="ReadRegion(Mat, PlateRegion)"/>); null: the line reader's alone.</param>
    /// <param name="refiner">Boxes anew a region none of whose cuts read (see <see cref="PlateRefiner"/>); null: rows of characters only.</param>
    public PlateReader(PlateOcr ocr, ProvinceClassifier? provinces = null, float minEvidence = DefaultMinEvidence, PlateRefiner? refiner = null)
    {
        if (!(minEvidence is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(minEvidence), minEvidence, "an evidence threshold (a character's probability) lies between 0 and 1");
        }

        _ocr = ocr;
        _provinces = provinces;
        _refiner = refiner;
        MinEvidence = minEvidence;
    }

    /// <summary>
    /// Readings whose second-weakest character is less probable than this are dropped (<see cref="OcrResult.Evidence"/>):
    /// one doubtful character does not make a plate clutter, two do.
    /// </summary>
    public float MinEvidence { get; }

    /// <summary>The reader with the committed models (embedded in this assembly).</summary>
    public static PlateReader CreateDefault(float minEvidence = DefaultMinEvidence) => FromFiles(null, null, minEvidence);

    /// <summary>The committed line reader alone, without the province classifier and the box refiner (to measure what they add).</summary>
    public static PlateReader CreateLineReaderOnly(float minEvidence = DefaultMinEvidence) =>
        new(new PlateOcr(Embedded("models/plate-ocr.onnx")), null, minEvidence);

    private static byte[] Embedded(string name)
    {
        using var stream = typeof(PlateReader).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the plate reader's model {name} is missing from the assembly (run './cameranet plates train')");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>
    /// A reader with other models (e.g. candidates from <c>plates train --out/--province-out</c>), to
    /// measure them before committing them; a null path takes the committed model.
    /// </summary>
    public static PlateReader FromFiles(string? linePath, string? provincePath, float minEvidence = DefaultMinEvidence, string? refinerPath = null)
    {
        var ocr = linePath is null ? new PlateOcr(Embedded("models/plate-ocr.onnx")) : Load(linePath, bytes => new PlateOcr(bytes));
        ProvinceClassifier? provinces = null;
        try
        {
            provinces = provincePath is null ? new ProvinceClassifier(Embedded("models/plate-province.onnx")) : Load(provincePath, bytes => new ProvinceClassifier(bytes));
            var refiner = refinerPath is null ? new PlateRefiner(Embedded("models/plate-refiner.onnx")) : Load(refinerPath, bytes => new PlateRefiner(bytes));
            return new PlateReader(ocr, provinces, minEvidence, refiner);
        }
        catch
        {
            provinces?.Dispose();
            ocr.Dispose();
            throw;
        }
    }

    private static T Load<T>(string path, Func<byte[], T> create)
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
            return create(model);
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e)
        {
            throw new ArgumentException($"{path} is not a model ONNX Runtime can load: {e.Message}", nameof(path), e);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{path}: {e.Message}", nameof(path), e);
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

    /// <summary>Reads the plates in a BGR image (any size; not copied, not changed), searched as a video frame is (<see cref="PlateSearch.Frame"/>).</summary>
    public IReadOnlyList<PlateRead> Read(Mat bgr) => Read(bgr, PlateSearch.Frame);

    /// <summary>Reads the plates in a BGR image (any size; not copied, not changed), searched as <paramref name="search"/> says.</summary>
    public IReadOnlyList<PlateRead> Read(Mat bgr, PlateSearch search)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        var reads = new List<PlateRead>();
        using var crop = new Mat();
        var bytes = new byte[PlateRectifier.Pixels];
        var refitted = new Refits();
        foreach (var views in PlateLocator.LocateRegions(bgr))
        {
            ReadViews(bgr, views, reads, crop, bytes, refitted);
        }

        if (search == PlateSearch.Still && Math.Max(bgr.Width, bgr.Height) >= TiledFrom)
        {
            ReadTiles(bgr, reads, crop, bytes, refitted);
        }

        KeepOnePerPlate(reads);
        return reads;
    }

    /// <summary>
    /// A still image at least this long (px) is also searched in tiles (<see cref="ReadTiles"/>). From 1,100 px
    /// (2026-12-05, the whole image's search shrinks it by 0.93 or less) and from 600 px (the same day: a tile of a
    /// 600–1,000 px photo is at most 512 px long and so searched doubled, like any small image), over easypr-dev,
    /// H1 and their degraded copies: located 1,596 → 1,600, exact 1,248 → 1,264, false positives 88 → 92, in
    /// 1.4–1.6 times the time per photo in two runs over easypr-dev and H1 (from 800 px: 1,597 / 1,254 / 89; from
    /// 700 px: 1,598 / 1,260 / 91).
    /// </summary>
    public const int TiledFrom = 600;

    /// <summary>Each tile's share of the image's width and height: four tiles at its corners, overlapping by a fifth of it each way.</summary>
    private const double TileShare = 0.6;

    /// <summary>
    /// A tile's reading is kept only this confident: a tile's plate appears bigger than in the whole image, and so
    /// does clutter; kept from evidence 0.2 (as the whole image's) the tiles added 54 false plates over easypr-dev,
    /// H1 and their degraded copies for 12 more plates, from confidence 0.3 8 for 4, from 0.5 3 for 12 and 22 more exact.
    /// </summary>
    private const float TileConfidence = 0.5f;

    /// <summary>
    /// Searches the image's four corner tiles (<see cref="TileShare"/> of it each way) as images of their own: the
    /// locator searches an image at 1,024 px at most, so each tile of a 1,600-px photo is searched at 1.6 times the
    /// scale of the first search, and a plate there has the pixels its searches (closing kernels, boxes from 8 px
    /// high, characters from 7 px) were sized for. Its readings join the image's (<see cref="TileConfidence"/>), moved
    /// to image coordinates; <see cref="KeepOnePerPlate"/> then keeps one per plate, the most confident.
    /// </summary>
    private void ReadTiles(Mat bgr, List<PlateRead> reads, Mat crop, byte[] bytes, Refits refits)
    {
        int width = (int)(bgr.Width * TileShare), height = (int)(bgr.Height * TileShare);
        var tileReads = new List<PlateRead>();
        foreach (var corner in (ReadOnlySpan<Point>)[new(0, 0), new(bgr.Width - width, 0), new(0, bgr.Height - height), new(bgr.Width - width, bgr.Height - height)])
        {
            using var tile = new Mat(bgr, new Rect(corner.X, corner.Y, width, height));
            tileReads.Clear();
            foreach (var views in PlateLocator.LocateRegions(tile))
            {
                ReadViews(tile, views, tileReads, crop, bytes, refits);
            }

            foreach (var read in tileReads)
            {
                if (read.Confidence >= TileConfidence)
                {
                    reads.Add(read with { Region = read.Region with { Centre = read.Region.Centre + new Point2f(corner.X, corner.Y) } });
                }
            }
        }
    }

    /// <summary>
    /// One plate, one reading: of readings whose boxes overlap by more than half (of the smaller) or that say
    /// the same, the most confident stays, except that a last resort's (<see cref="PlateRegion.LastResort"/>)
    /// never displaces another's: it is there for plates nothing else read. Leaves the readings most
    /// confident first.
    /// </summary>
    public static void KeepOnePerPlate(List<PlateRead> reads)
    {
        ArgumentNullException.ThrowIfNull(reads);
        reads.Sort((a, b) => a.Region.LastResort != b.Region.LastResort ? a.Region.LastResort.CompareTo(b.Region.LastResort) : b.Confidence.CompareTo(a.Confidence));
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

        reads.Sort((a, b) => b.Confidence.CompareTo(a.Confidence));
    }

    /// <summary>
    /// Reads one region of a BGR image given as its views (boxes of one plate, best first, as
    /// <see cref="PlateLocator.LocateRegions"/> gives them): the readings of the views read, before
    /// readings of overlapping regions are merged.
    /// </summary>
    public IReadOnlyList<PlateRead> ReadViews(Mat bgr, IReadOnlyList<PlateRegion> views)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        ArgumentNullException.ThrowIfNull(views);
        var reads = new List<PlateRead>();
        using var crop = new Mat();
        ReadViews(bgr, views, reads, crop, new byte[PlateRectifier.Pixels], new Refits());
        return reads;
    }

    /// <summary>
    /// A region's other views are read only while none has read surely: they are there for plates the first
    /// box cuts badly. Its last resort, and then its refits (<see cref="Refit"/>), are read only when no
    /// other view read, and kept only with <see cref="LastResortEvidence"/>.
    /// </summary>
    private void ReadViews(Mat bgr, IReadOnlyList<PlateRegion> views, List<PlateRead> reads, Mat crop, byte[] bytes, Refits refits)
    {
        var readAny = false;
        var spans = new List<PlateRegion>();
        var characters = new List<(float Position, float Probability)>(10);
        foreach (var region in views)
        {
            if (region.LastResort && readAny)
            {
                break;
            }

            if (ReadRegion(bgr, region, crop, bytes, characters) is { } read)
            {
                reads.Add(read);
                readAny = true;
                if (read.Confidence >= SureConfidence)
                {
                    break;
                }
            }
            else if (!readAny)
            {
                spans.AddRange(SpanBoxes(region, characters));
            }
        }

        if (!readAny)
        {
            for (var i = 0; i < spans.Count; i++)
            {
                // Not a box read already: one of the region's views, or an earlier span (the views of one
                // region mostly show the same row of characters, and so give nearly the same spans).
                var bounds = spans[i].Bounds;
                if (ReadBefore(bounds, views.Concat(spans.Take(i)).Select(box => box.Bounds)))
                {
                    continue;
                }

                if (ReadRegion(bgr, spans[i], crop, bytes) is { } read && read.Confidence >= RefinedConfidence)
                {
                    reads.Add(read);
                    return;
                }
            }
        }

        if (!readAny && views.Count > 0 && refits.Regions < MaxRefits)
        {
            Refit(bgr, views, reads, crop, bytes, refits);
        }
    }

    /// <summary>
    /// A region that read nothing may be a plate its boxes cut badly: it is boxed anew around its best box,
    /// first by the box refiner (<see cref="PlateRefiner"/>), then as the row of characters nearest it
    /// (<see cref="PlateLocator.RowsAround"/>), and each new box is read as a last resort until one reads;
    /// a box that is one of the region's own or was tried for another region of the frame (neighbouring
    /// clutter regions find the same rows) is not read again.
    /// </summary>
    private void Refit(Mat bgr, IReadOnlyList<PlateRegion> views, List<PlateRead> reads, Mat crop, byte[] bytes, Refits refits)
    {
        var counted = false;
        foreach (var (box, minConfidence) in NewBoxes(bgr, views[0], refits))
        {
            var bounds = box.Bounds;
            if (ReadBefore(bounds, refits.Tried.Concat(views.Select(view => view.Bounds))))
            {
                continue;
            }

            refits.Tried.Add(bounds);
            if (!counted)
            {
                refits.Regions++;
                counted = true;
            }

            if (ReadRegion(bgr, box, crop, bytes) is { } read && read.Confidence >= minConfidence)
            {
                reads.Add(read);
                return;
            }
        }
    }

    /// <summary>
    /// New boxes around a region that read nothing, each with the confidence its reading needs: the box
    /// refiner's, whose reading needs every character at least <see cref="RefinedConfidence"/>, then the
    /// nearest row of characters'. The refiner looks at the frame's first <see cref="MaxRefits"/> such
    /// regions only: run on all of them (nearly all clutter) it allocated 180 kB more on the benchmark's
    /// cluttered frame and added a false plate on one degraded copy of easypr-dev, and read no plate more.
    /// </summary>
    private IEnumerable<(PlateRegion Box, float MinConfidence)> NewBoxes(Mat bgr, PlateRegion region, Refits refits)
    {
        if (_refiner is not null && refits.Refined++ < MaxRefits && _refiner.Refine(bgr, region) is { Region: var refined })
        {
            yield return (refined, RefinedConfidence);
        }

        if (PlateLocator.RowsAround(bgr, region) is [var row, ..])
        {
            yield return (row, 0);
        }
    }

    /// <summary>
    /// A reading of the box refiner's box is kept only when its weakest character is this probable. The
    /// refiner boxes rows of text as readily as plates (its presence is ≥ 0.95 on timestamps too), and a
    /// timestamp's digits pass as a plate number with one character forced (evidence ≥ 0.5, weakest
    /// character 0.004–0.45): over easypr-dev, H1 and their degraded copies the refiner's readings added 7
    /// false plates without this rule and 1 with it (none once the refiner looks at 3 regions a frame),
    /// and kept every plate it read (their weakest characters 0.59–0.99).
    /// </summary>
    private const float RefinedConfidence = 0.5f;

    /// <summary>The frame's refits so far: the boxes read, how many regions had a new box read, and how many the box refiner looked at.</summary>
    private sealed class Refits
    {
        public readonly List<Rect> Tried = [];
        public int Regions;
        public int Refined;
    }

    /// <summary>A refitted box whose IoU with a box already read is above this is not read again.</summary>
    private const double SameRefit = 0.8;

    /// <summary>Whether a new box is nearly one of the boxes read already (IoU above <see cref="SameRefit"/>).</summary>
    private static bool ReadBefore(Rect bounds, IEnumerable<Rect> read) =>
        read.Any(box => PlateLocator.IntersectionOverUnion(box, bounds) > SameRefit);

    /// <summary>
    /// At most this many regions have new boxes read a frame, the best-ranked that read nothing: every clutter
    /// region is one, and on the benchmark's cluttered frame (18 regions) refitting them all
    /// took it from 40 to 58 ms (medium runs). On easypr-dev, H1 and their degraded copies 3 read the
    /// same plates as all; 1 lost 2.
    /// </summary>
    private const int MaxRefits = 3;

    /// <summary>Reads one region of a BGR image: its plate, or null when no cut of it reads as a plate number with enough evidence.</summary>
    public PlateRead? ReadRegion(Mat bgr, PlateRegion region)
    {
        using var crop = new Mat();
        return ReadRegion(bgr, region, crop, new byte[PlateRectifier.Pixels]);
    }

    /// <summary>
    /// Plate-sized boxes along a view that read nothing but whose own cut shows a row of characters
    /// (<paramref name="characters"/>, where the line reader's best path put them): the plate's length is
    /// <see cref="PlateLengthInPitches"/> times the characters' median spacing, its height a one-row plate's,
    /// and it is placed three ways: centred on the characters, starting at the first, ending at the last.
    /// A box that takes in the car around the plate (1.5–2 times its length) squeezes the characters into
    /// part of the crop, where the reader finds some of them but reads no plate number; cut at the plate's
    /// own size they read. Each is read as a last resort. <paramref name="characters"/>' positions are shares of the
    /// crop's width (<see cref="PlateOcr.Read"/>);
    /// fewer than <see cref="SpanCharacters"/> of at least <see cref="SpanCharacterConfidence"/> give no box.
    /// </summary>
    public static IEnumerable<PlateRegion> SpanBoxes(PlateRegion region, IReadOnlyList<(float Position, float Probability)> characters)
    {
        var row = characters.Where(c => c.Probability >= SpanCharacterConfidence).Select(c => c.Position).ToArray();
        if (row.Length < SpanCharacters)
        {
            yield break;
        }

        var gaps = new float[row.Length - 1];
        for (var k = 1; k < row.Length; k++)
        {
            gaps[k - 1] = row[k] - row[k - 1];
        }

        Array.Sort(gaps);
        var cropLength = region.Width * PlateRectifier.GrowWidth;
        var pitch = gaps[gaps.Length / 2] * cropLength;
        var length = pitch * PlateLengthInPitches;
        var first = (row[0] - 0.5f) * cropLength;
        var last = (row[^1] - 0.5f) * cropLength;
        var (along, _) = region.Axes();
        foreach (var centre in new[] { (first + last) / 2, first - EndInPitches * pitch + length / 2, last + EndInPitches * pitch - length / 2 })
        {
            yield return region with { Centre = region.Centre + along * centre, Width = length, Height = length / OneRowPlateAspect, LastResort = true };
        }
    }

    /// <summary>A character of the best path counts towards a row for <see cref="SpanBoxes"/> from this probability (0.5: as many plates, 1 fewer over the analysis sets).</summary>
    private const float SpanCharacterConfidence = 0.3f;

    /// <summary>At least this many such characters make a row (with 4, 1 plate fewer over the analysis sets, measured before the confidence rule).</summary>
    private const int SpanCharacters = 3;

    /// <summary>A one-row plate (440 mm) is this many character pitches (57 mm: 45 mm characters, 12 mm apart) long.</summary>
    private const float PlateLengthInPitches = 7.7f;

    /// <summary>From a one-row plate's end to the middle of its end character, in pitches (a 15 mm rim and half a 45 mm character).</summary>
    private const float EndInPitches = 0.67f;

    private PlateRead? ReadRegion(Mat bgr, PlateRegion region, Mat crop, byte[] bytes, List<(float Position, float Probability)>? characters = null)
    {
        characters?.Clear();
        // The locator's box is often a little off (a frame edge taken in, a character cut, an end of the
        // plate left out): unless the first reading is sure, other cuts get a chance (see Cuts), and
        // the most confident reading stays, with the box it was read in; one with firm evidence
        // (PreferredEvidence) before any without.
        OcrResult best = default;
        var bestCut = region;
        var bestUpright = false;
        var sure = Math.Max(SureConfidence, MinEvidence);
        var partial = 0;
        void Consider(OcrResult result, PlateRegion cut, bool upright = false)
        {
            if (result.Text.Length == 0)
            {
                return;
            }

            // best holds a reading, or nothing yet (the default, whose evidence is 0).
            var firm = result.Evidence >= PreferredEvidence;
            if (firm != (best.Evidence >= PreferredEvidence) ? firm : result.Confidence > best.Confidence)
            {
                best = result;
                bestCut = cut;
                bestUpright = upright;
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
            var result = _ocr.Read(bytes, region.Colour, variant == Cuts[0] ? characters : null);
            partial = Math.Max(partial, Confident(result.CharacterConfidence));
            Consider(result, cut, upright: true);

            // A turned region may be a plate seen from the side, its characters upright rather than turned
            // with it: it is also cut so, and which reading wins decides (a slanted 1 is read as a J with confidence).
            if (variant == Cuts[0] && PlateRectifier.CutSheared(bgr, region, crop, bytes))
            {
                Consider(_ocr.Read(bytes, region.Colour), region);
            }

            // Clutter: the box's own cut shows fewer than two characters with some confidence. The other cuts
            // are for plates the box cuts badly, which still show several (on easypr-dev, the LPRNet crops and
            // the sample photos no plate was lost by stopping here; a clutter box costs one cut instead of four).
            if (variant == Cuts[0] && partial < MinPartialCharacters)
            {
                break;
            }
        }

        // A yellow (or colourless) region of about 2:1 may be a two-row plate: read its rows side by side.
        // A box up to one-row proportions may have caught only part of one (the colour mask holds the
        // lower row's large characters, not the small upper row and the rim): it is also read as a
        // two-row plate of its width.
        var whole = region.Width < TwoRowAspect * region.Height;
        if (best.Confidence < sure && region.Width < PartTwoRowAspect * region.Height && region.Colour is PlateColour.Yellow or PlateColour.Unknown)
        {
            foreach (var grow in TwoRowVariants)
            {
                var cut = whole
                    ? region with { Width = region.Width * grow, Height = region.Height * grow }
                    : region with { Width = region.Width * grow, Height = region.Width * grow / TwoRowPlateAspect };
                PlateRectifier.CutTwoRows(bgr, cut, crop, bytes);
                if (_ocr.Read(bytes, PlateColour.Yellow) is { Text.Length: 7 } result)
                {
                    Consider(result, cut);
                }
            }
        }

        // Or, in a region of about 2:1 of any colour, a one-row plate with something of its colour against
        // its top or bottom edge (a hazardous-goods truck's yellow 危险品 board right below its yellow plate,
        // a blue car body or bumper band round a blue plate): the colour mask holds both. (Cutting so only
        // regions whose own cuts showed two characters read the same photos in a tenth less time, but not
        // a plain plate in the upper half of such a box, whose squeezed cut shows none.)
        var oneRow = region.Width / OneRowPlateAspect;
        if (whole && best.Confidence < sure && oneRow < region.Height * 0.8f)
        {
            var (_, across) = region.Axes();
            foreach (var side in (ReadOnlySpan<float>)[-1f, 1f])
            {
                var cut = region with { Centre = region.Centre + across * (side * (region.Height - oneRow) / 2), Height = oneRow };
                PlateRectifier.Cut(bgr, cut, crop, bytes);
                Consider(_ocr.Read(bytes, region.Colour), cut, upright: true);
            }
        }

        // A last resort is kept only with more evidence; either is the line reader's own (the province
        // classifier knows nothing of clutter: it is asked only once a reading is accepted).
        if (best.Text is not { Length: > 0 } || best.Evidence < (region.LastResort ? Math.Max(MinEvidence, LastResortEvidence) : MinEvidence))
        {
            return null;
        }

        if (bestUpright && _provinces is not null && PlateGrammar.IsProvince(best.Text[0]))
        {
            best = SecondOpinion(bgr, bestCut, best, crop);
        }

        return new PlateRead(best.Text, best.Confidence, best.CharacterConfidence, bestCut);
    }

    [ThreadStatic]
    private static byte[]? _provinceBytes;

    /// <summary>
    /// The province of a one-row plate read upright, from the province classifier's higher-resolution cut
    /// of the plate's left end: its province replaces the line reader's when it is more probable than the
    /// line reader's own. Only plates already accepted are asked (the classifier knows nothing of clutter),
    /// and the acceptance does not change; a province the line reader saw no clear character for keeps
    /// the line reader's low confidence.
    /// </summary>
    private OcrResult SecondOpinion(Mat bgr, PlateRegion cut, OcrResult read, Mat crop)
    {
        var bytes = _provinceBytes ??= new byte[PlateRectifier.ProvincePixels];
        PlateRectifier.CutProvince(bgr, cut, crop, bytes);
        var (province, probability) = _provinces!.Classify(bytes);
        var characters = (float[])read.CharacterConfidence.Clone();
        if (province != read.Text[0] && probability <= characters[0])
        {
            return read;
        }

        // The classifier has no "no character" answer: on a province painted over or cut off it still
        // names one, surely (a blank crop was told as 川 with 0.9997, specks of a painted-over 津 as 辽
        // with 0.96). Where the line reader saw no clear character (below the evidence threshold) the
        // classifier's province stands, agreeing or not, but the line reader's doubt is kept.
        characters[0] = characters[0] >= MinEvidence ? Math.Max(characters[0], probability) : characters[0];

        return new OcrResult(province + read.Text[1..], characters.Min(), characters);
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

    public ProvinceClassifier? Provinces => _provinces;

    public void Dispose()
    {
        _ocr.Dispose();
        _provinces?.Dispose();
        _refiner?.Dispose();
    }
}
