using CameraNet.Contracts;
using OpenCvSharp;

namespace CameraNet.Plates.Recognition;

/// <summary>A region that may hold a plate, in the coordinates of the image it was found in.</summary>
/// <param name="Centre">Centre of the plate.</param>
/// <param name="Width">Length of the plate's long side.</param>
/// <param name="Height">Length of its short side.</param>
/// <param name="Angle">Degrees the long side is turned from the x axis (y down, OpenCV convention).</param>
/// <param name="LastResort">A view read only when the region's other views read nothing, and kept only with more evidence (see <see cref="PlateLocator.Keep"/>).</param>
public readonly record struct PlateRegion(Point2f Centre, float Width, float Height, float Angle, PlateColour Colour, float Score, bool LastResort = false)
{
    /// <summary>The four corners: top-left, top-right, bottom-right, bottom-left of the upright plate.</summary>
    public Point2f[] Corners(float grow = 1, float growHeight = 1)
    {
        var (u, v) = Axes();
        var hw = Width * grow / 2;
        var hh = Height * growHeight / 2;
        return
        [
            Centre - u * hw - v * hh,
            Centre + u * hw - v * hh,
            Centre + u * hw + v * hh,
            Centre - u * hw + v * hh,
        ];
    }

    /// <summary>Unit vectors along the plate's long side (left to right) and across it (top to bottom).</summary>
    public (Point2f Along, Point2f Across) Axes()
    {
        var a = Angle * Math.PI / 180;
        var along = new Point2f((float)Math.Cos(a), (float)Math.Sin(a));
        return (along, new Point2f(-along.Y, along.X));
    }

    /// <summary>The region of an OpenCV rotated rectangle, long side first, angle in (-90, 90].</summary>
    public static PlateRegion From(RotatedRect rect, PlateColour colour = PlateColour.Unknown, float score = 0)
    {
        float w = rect.Size.Width, h = rect.Size.Height, angle = rect.Angle;
        if (w < h)
        {
            (w, h) = (h, w);
            angle -= 90;
        }

        while (angle <= -90)
        {
            angle += 180;
        }

        while (angle > 90)
        {
            angle -= 180;
        }

        return new PlateRegion(rect.Center, w, h, angle, colour, score);
    }

    public Rect Bounds
    {
        get
        {
            var corners = Corners();
            var x0 = corners.Min(p => p.X);
            var y0 = corners.Min(p => p.Y);
            return new Rect((int)x0, (int)y0, (int)Math.Ceiling(corners.Max(p => p.X) - x0), (int)Math.Ceiling(corners.Max(p => p.Y) - y0));
        }
    }
}

/// <summary>
/// Finds plate candidates in a BGR image: blue, yellow and green plates by colour (HSV masks closed
/// across the character gaps), and any plate by the dense vertical strokes its characters make (Sobel
/// x, closed horizontally; also on the image equalised locally, for washed-out plates), which also
/// finds white and black plates and faded ones. Candidates are
/// filtered by shape (aspect 1.8–7, yellow ones from 1.4 for two-row plates; fill) and ranked; the reader decides which are plates.
/// </summary>
public static class PlateLocator
{
    /// <summary>Images are searched at most this large (longest side); plates are then at least ~30 px long.</summary>
    public const int WorkSize = 1024;

    /// <param name="equalise">Also search the image with its contrast equalised locally (the default; off only to measure what that search adds).</param>
    /// <param name="maxCandidates">Regions read at most (each with up to <see cref="MaxViews"/> boxes, see <see cref="Keep"/>).</param>
    /// <param name="characterRows">Also box rows of characters where nothing else was boxed (the default; off only to measure what that adds).</param>
    public static List<PlateRegion> Locate(Mat bgr, int maxCandidates = 16, bool equalise = true, bool characterRows = true) =>
        LocateRegions(bgr, maxCandidates, equalise, characterRows).SelectMany(views => views).ToList();

    /// <summary>
    /// The candidates as regions, each with its views (differing boxes of one region, best-ranked first;
    /// see <see cref="Keep"/>), regions best-ranked first.
    /// </summary>
    public static List<List<PlateRegion>> LocateRegions(Mat bgr, int maxCandidates = 16, bool equalise = true, bool characterRows = true)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        var scale = WorkScale(bgr.Width, bgr.Height);
        var s = Scratch;
        var found = new List<PlateRegion>();
        var fallback = new List<PlateRegion>();

        // The strokes are searched in grey, area-averaged when shrunk (AreaShrink: OpenCV's INTER_AREA,
        // 0.4 ms for a 720p frame against OpenCV's 2.0). A linear shrink (0.3 ms) read the photos as well,
        // but in the unit tests' grille scene the row of characters then joined the grille's bars and its
        // box slid off the plate; so did a 3×3 Gaussian before the linear shrink. The colours only need
        // the plate's background, from a linear shrink. A small image is doubled linearly (see WorkScale).
        Mat hsvSource;
        if (scale != 1)
        {
            Cv2.CvtColor(bgr, s.FullGray, ColorConversionCodes.BGR2GRAY);
            if (scale < 1)
            {
                s.Shrink.Apply(s.FullGray, s.Gray, WorkSize, Math.Max(bgr.Width, bgr.Height));
            }
            else
            {
                Cv2.Resize(s.FullGray, s.Gray, new Size(), scale, scale, InterpolationFlags.Linear);
            }

            Cv2.Resize(bgr, s.Colour, s.Gray.Size(), 0, 0, InterpolationFlags.Linear);
            hsvSource = s.Colour;
        }
        else
        {
            Cv2.CvtColor(bgr, s.Gray, ColorConversionCodes.BGR2GRAY);
            hsvSource = bgr;
        }

        var hsv = s.Hsv;
        Cv2.CvtColor(hsvSource, hsv, ColorConversionCodes.BGR2HSV);
        ColourMasks.Apply(hsv, ColourBounds, s.Masks);
        for (var i = 0; i < ColourRanges.Length; i++)
        {
            Candidates(s, s.Masks[i], ColourRanges[i].Colour, found);
        }

        var yellowOrGreen = s.YellowOrGreen;
        Cv2.BitwiseOr(s.Masks[YellowRange], s.Masks[GreenRange], yellowOrGreen);

        // A plate whose rim touches what is around it (a grille, a car body of its own blue, a dark car's
        // bluish shadows) merges with it in every mask and stroke map, and the merged blob is no plate's
        // shape; its characters stay apart. Rows of them are read where the other searches boxed nothing
        // (see Keep).
        if (characterRows)
        {
            CharacterRows(s, s.Gray, hsv, fallback);
        }

        // Large new-energy plates are two-toned: yellow under the province and letter, green under the serial.
        Candidates(s, yellowOrGreen, PlateColour.Green, found);

        Strokes(s, s.Gray, hsv, found, 1);

        // Washed-out plates (haze, glare, a low sun, faded paint) have strokes too faint for a threshold
        // set by the whole image's edges: the same search on the image with its contrast equalised
        // locally (CLAHE, clip limit 2 on an 8×8 grid) finds them.
        if (equalise)
        {
            s.Clahe.Apply(s.Gray, s.Equalised);
            Strokes(s, s.Equalised, hsv, found, 1);
        }

        // Large plates: their characters are far apart at full size; half size closes them.
        Cv2.Resize(s.Gray, s.Half, new Size(), 0.5, 0.5, InterpolationFlags.Area);
        Cv2.Resize(hsv, s.HalfHsv, new Size(), 0.5, 0.5, InterpolationFlags.Nearest);
        Strokes(s, s.Half, s.HalfHsv, found, 2);

        // Ranked by shape, and ahead of the rest where a line through the middle crosses as many light and
        // dark runs as a plate's seven characters make: on easypr-dev's 103 plates 13 to 33 crossings,
        // where nearly half the locator's other boxes (uniform panels, bars, bumpers) have fewer than 10.
        var grey = scale != 1 ? s.FullGray : s.Gray;
        foreach (var list in (ReadOnlySpan<List<PlateRegion>>)[found, fallback])
        {
            for (var i = 0; i < list.Count; i++)
            {
                var crossings = Crossings(grey, list[i], scale);
                if (crossings is >= MinCharacterCrossings and <= MaxCharacterCrossings)
                {
                    list[i] = list[i] with { Score = list[i].Score + CharacterBonus };
                }
            }

            list.Sort((a, b) => b.Score.CompareTo(a.Score));
        }

        return Keep(found, maxCandidates, fallback).ConvertAll(views => views.ConvertAll(c => Unscaled(c, scale)));
    }

    /// <summary>
    /// The scale an image is searched at: shrunk to <see cref="WorkSize"/>, and an image at most half that
    /// size doubled (linearly), so that its plates are as large as the searches look for: EasyPR's photos
    /// include crops of 800×350 px and less, whose halved copies held plates 34×8 px that no search boxed
    /// (the holdout's analysis half halved: located 85.4% → 91.0%).
    /// </summary>
    public static double WorkScale(int width, int height)
    {
        var longest = Math.Max(width, height);
        return longest > WorkSize ? WorkSize / (double)longest : longest * 2 <= WorkSize ? 2 : 1;
    }

    /// <summary>A region found in an image <paramref name="scale"/> times the size of this one, in this one's coordinates.</summary>
    private static PlateRegion Unscaled(PlateRegion region, double scale) => region with
    {
        Centre = new Point2f((float)(region.Centre.X / scale), (float)(region.Centre.Y / scale)),
        Width = (float)(region.Width / scale),
        Height = (float)(region.Height / scale),
    };

    /// <summary>Light/dark crossings along a box's middle that look like a row of characters.</summary>
    private const int MinCharacterCrossings = 12, MaxCharacterCrossings = 40;

    private const float CharacterBonus = 0.3f;

    /// <summary>
    /// How often a line along the region's long side (the middle 90%, at its centre and a sixth of its
    /// height above and below; the median of the three) crosses its own mean level, in
    /// <paramref name="grey"/> at full size (the region is in work coordinates, <paramref name="scale"/>
    /// of it).
    /// </summary>
    private static int Crossings(Mat grey, PlateRegion region, double scale)
    {
        var (along, across) = region.Axes();
        var (centre, width, height, _, _, _, _) = Unscaled(region, scale);
        var samples = Math.Clamp((int)width, 16, 512);
        var (lastRow, lastColumn) = (grey.Rows - 1, grey.Cols - 1); // each is a native call: not per sample
        Span<byte> line = stackalloc byte[samples];
        Span<int> counts = stackalloc int[3];
        for (var k = 0; k < 3; k++)
        {
            var offset = across * (height * (k - 1) / 6f);
            var sum = 0;
            for (var i = 0; i < samples; i++)
            {
                var p = centre + offset + along * (width * 0.9f * (i / (float)(samples - 1) - 0.5f));
                line[i] = grey.At<byte>(Math.Clamp((int)p.Y, 0, lastRow), Math.Clamp((int)p.X, 0, lastColumn));
                sum += line[i];
            }

            var mean = sum / (float)samples;
            var above = line[0] > mean;
            var count = 0;
            for (var i = 1; i < samples; i++)
            {
                if (line[i] > mean != above)
                {
                    above = !above;
                    count++;
                }
            }

            counts[k] = count;
        }

        counts.Sort();
        return counts[1];
    }

    /// <summary>Boxes whose IoU is above this are the same box: only the better-ranked one is read.</summary>
    public const double SameBox = 0.95;

    /// <summary>Boxes whose IoU is above this are views of one region (one plate, boxed by different searches).</summary>
    public const double SameRegion = 0.6;

    /// <summary>At most this many views of one region are read.</summary>
    public const int MaxViews = 3;

    /// <summary>At most this many regions are added from the fallback boxes (rows of characters), beyond the ranked ones.</summary>
    public const int MaxFallbackRegions = 2;

    /// <summary>
    /// The candidates to read, from the found boxes ranked best first: at most <paramref name="maxRegions"/>
    /// regions (in rank order), each with up to <see cref="MaxViews"/> boxes that differ (IoU ≤ <see cref="SameBox"/>). The
    /// searches box one plate differently — the colour mask stops where white characters reach the rim,
    /// the stroke searches take in the frame or a character beside — and the reader keeps its most
    /// confident reading, so a second and a third view are read too (on 1,000 real plate crops from
    /// LPRNet's test set, never trained on: exact reads 72.7% → 77.1%, plates not read at all 42 → 17).
    /// Views do not count against <paramref name="maxRegions"/>: a region's duplicates must not crowd
    /// another plate out. A box inside a larger one (one colour half of a two-tone plate, or the plate
    /// inside its frame) is its own region when their IoU is low: the reader decides which reads as a plate.
    /// </summary>
    public static List<List<PlateRegion>> Keep(IReadOnlyList<PlateRegion> ranked, int maxRegions, IReadOnlyList<PlateRegion>? fallback = null)
    {
        var kept = new List<(Rect Bounds, int Cluster)>();
        var views = new List<List<PlateRegion>>();
        foreach (var candidate in ranked)
        {
            Place(candidate, kept, views, 0, maxRegions);
        }

        // The fallback boxes (rows of characters) are regions of their own only where the ranked ones
        // boxed nothing: as ordinary views of a ranked region they only added readings to compete with
        // its own (easypr-dev read 89 plates exactly instead of 92 when they were). Within a ranked region
        // (and no copy of one of its boxes) the best-ranked one is its last resort: read only when its
        // other views read nothing (a washed-out plate's colour box may stop short of the province).
        var (rankedBoxes, maxWithFallback) = (kept.Count, views.Count + MaxFallbackRegions);
        var lastResorts = new HashSet<int>();
        foreach (var candidate in fallback ?? [])
        {
            var (nearest, overlap) = Nearest(kept, candidate.Bounds, 0, rankedBoxes);
            if (overlap <= SameRegion)
            {
                Place(candidate, kept, views, rankedBoxes, maxWithFallback);
            }
            else if (overlap <= SameBox && lastResorts.Add(kept[nearest].Cluster))
            {
                views[kept[nearest].Cluster].Add(candidate with { LastResort = true });
            }
        }

        return views;
    }

    /// <summary>The kept box among [<paramref name="from"/>, <paramref name="to"/>) that overlaps <paramref name="bounds"/> most, and their IoU (-1 and 0 when none does).</summary>
    private static (int Nearest, double Overlap) Nearest(List<(Rect Bounds, int Cluster)> kept, Rect bounds, int from, int to)
    {
        var (nearest, overlap) = (-1, 0.0);
        for (var k = from; k < to; k++)
        {
            var iou = IntersectionOverUnion(kept[k].Bounds, bounds);
            if (iou > overlap)
            {
                (nearest, overlap) = (k, iou);
            }
        }

        return (nearest, overlap);
    }

    /// <summary>
    /// Adds a candidate to the kept boxes from <paramref name="from"/> on: dropped as the same box as one of
    /// them, a view of its region, or a new region while there are fewer than <paramref name="maxRegions"/>.
    /// </summary>
    private static void Place(PlateRegion candidate, List<(Rect Bounds, int Cluster)> kept, List<List<PlateRegion>> views, int from, int maxRegions)
    {
        var bounds = candidate.Bounds;
        var (nearest, overlap) = Nearest(kept, bounds, from, kept.Count);
        if (overlap > SameBox)
        {
            return;
        }

        if (overlap > SameRegion)
        {
            var cluster = kept[nearest].Cluster;
            if (views[cluster].Count < MaxViews)
            {
                views[cluster].Add(candidate);
                kept.Add((bounds, cluster));
            }
        }
        else if (views.Count < maxRegions)
        {
            views.Add([candidate]);
            kept.Add((bounds, views.Count - 1));
        }
    }

    /// <summary>
    /// The images one search works in, kept per thread: allocating them per frame (a few MB) cost a
    /// page fault per 4 KB touched. The equaliser and the shrink keep their tables, so they are per thread too.
    /// </summary>
    private sealed class Work
    {
        public readonly Mat FullGray = new(), Gray = new(), Colour = new(), Hsv = new(), YellowOrGreen = new();
        public readonly Mat[] Masks = [new(), new(), new()];
        public readonly Mat Equalised = new(), Half = new(), HalfHsv = new();
        public readonly Mat Blurred = new(), Gradient = new(), Edges = new(), Closed = new();
        public readonly Mat Mean = new(), Binary = new();
        public readonly BlobLabeller Labeller = new();
        public readonly List<BlobLabeller.Blob> Blobs = [];
        public readonly List<Rect> Characters = [];
        public int[] Next = [];
        public bool[] Followed = [];
        public readonly LocalContrast Clahe = new(ClipLimit, 8, 8);
        public readonly AreaShrink Shrink = new();
        public readonly Mat CloseColour = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(15, 3));
        public readonly Mat CloseEdges = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(17, 3));
        public readonly Mat Open = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(3, 3));
    }

    /// <summary>The local equalisation's clip limit (see <see cref="LocalContrast"/>), on an 8×8 grid of tiles.</summary>
    private const double ClipLimit = 2;

    [ThreadStatic]
    private static Work? _work;

    private static Work Scratch => _work ??= new Work();

    /// <summary>Regions dense in vertical strokes (characters), found at 1/<paramref name="factor"/> of the work size.</summary>
    private static void Strokes(Work s, Mat gray, Mat hsv, List<PlateRegion> found, int factor)
    {
        Cv2.GaussianBlur(gray, s.Blurred, new Size(3, 3), 0);
        Cv2.Sobel(s.Blurred, s.Gradient, MatType.CV_16S, 1, 0, 3);
        Cv2.ConvertScaleAbs(s.Gradient, s.Edges);
        Cv2.Threshold(s.Edges, s.Edges, 0, 255, ThresholdTypes.Binary | ThresholdTypes.Otsu);
        var first = found.Count;
        Candidates(s, s.Edges, PlateColour.Unknown, found, byEdges: true, hsv);
        for (var i = first; i < found.Count; i++)
        {
            found[i] = Unscaled(found[i], 1.0 / factor);
        }
    }

    /// <summary>Side of the square a pixel is compared with in the character search (at work size: plates' characters are mostly ~10–30 px high).</summary>
    private const int CharacterBlock = 11;

    /// <summary>Character heights searched for, in pixels at work size (a plate 7 px high is ~35 px long).</summary>
    private const int MinCharacterHeight = 7, MaxCharacterHeight = 80;

    /// <summary>How much lighter (darker) than its neighbourhood's mean a pixel of a light (dark) character is.</summary>
    private const int CharacterContrast = 10;

    /// <summary>A blue plate is ~4.9 times as long as its characters are high, ~1.55 times as high, and ends ~0.3 of a character's height after its last one.</summary>
    private const float RowToPlateLength = 4.9f, RowToPlateHeight = 1.55f, RowEndMargin = 0.3f;

    private const float RowScore = 1.0f;

    /// <summary>
    /// Rows of four to ten character-like blobs (light on dark, then dark on light, each against its
    /// <see cref="CharacterBlock"/>-pixel neighbourhood): of like height, centres level within 0.3 of a
    /// height, each starting less than a height after the last. Each row is boxed as the plate around
    /// it, measured from its right end (a province character often falls apart into several blobs).
    /// </summary>
    private static void CharacterRows(Work s, Mat gray, Mat? hsv, List<PlateRegion> found)
    {
        var chars = s.Characters;
        Cv2.Blur(gray, s.Mean, new Size(CharacterBlock, CharacterBlock), new Point(-1, -1), BorderTypes.Replicate);
        foreach (var light in (ReadOnlySpan<bool>)[true, false])
        {
            chars.Clear();
            // What cv::adaptiveThreshold does, with one mean for both: saturated differences, then the contrast.
            if (light)
            {
                Cv2.Subtract(gray, s.Mean, s.Binary);
            }
            else
            {
                Cv2.Subtract(s.Mean, gray, s.Binary);
            }

            Cv2.Threshold(s.Binary, s.Binary, CharacterContrast, 255, ThresholdTypes.Binary);
            Blobs(s, s.Binary, chars);

            chars.Sort((p, q) => p.X.CompareTo(q.X));
            if (s.Next.Length < chars.Count)
            {
                (s.Next, s.Followed) = (new int[chars.Count * 2], new bool[chars.Count * 2]);
            }

            var next = s.Next.AsSpan(0, chars.Count);
            var followed = s.Followed.AsSpan(0, chars.Count);
            followed.Clear();
            for (var i = 0; i < chars.Count; i++)
            {
                next[i] = -1;
                var c = chars[i];
                var nearest = int.MaxValue;
                for (var j = i + 1; j < chars.Count && chars[j].X < c.Right + c.Height; j++)
                {
                    var d = chars[j];
                    var gap = d.X - c.Right;
                    if (gap < nearest && gap >= -c.Height / 10 && Math.Abs(d.Height - c.Height) <= 0.2 * Math.Max(d.Height, c.Height)
                        && Math.Abs(d.Y + d.Height / 2.0 - (c.Y + c.Height / 2.0)) <= 0.3 * c.Height)
                    {
                        (nearest, next[i]) = (gap, j);
                    }
                }

                // Each blob follows at most one: the first (leftmost) to claim it.
                if (next[i] >= 0 && !followed[next[i]])
                {
                    followed[next[i]] = true;
                }
                else
                {
                    next[i] = -1;
                }
            }

            for (var i = 0; i < chars.Count; i++)
            {
                if (followed[i])
                {
                    continue;
                }

                var (count, heights, last) = (0, 0, i);
                for (var k = i; k >= 0; k = next[k])
                {
                    (count, heights, last) = (count + 1, heights + chars[k].Height, k);
                }

                if (count is >= 4 and <= 10 && Row(chars[i], chars[last], heights / (float)count, hsv) is { } row)
                {
                    found.Add(row);
                }
            }
        }
    }

    /// <summary>How high (px) a region is drawn for <see cref="RowsAround"/>: its plate's characters are then ~9–40 px high when its box is half to twice the plate's height.</summary>
    private const float RefitHeight = 20;

    /// <summary>The surroundings <see cref="RowsAround"/> searches: this many times the region's length and height.</summary>
    private const float RefitAlong = 1.6f, RefitAcross = 3f;

    [ThreadStatic]
    private static Work? _refitWork;

    /// <summary>
    /// Rows of characters (see <see cref="CharacterRows"/>) in a region's surroundings, each boxed as the
    /// plate around it, in image coordinates, nearest the region's centre first. For a region whose boxes
    /// read nothing: a box that stops short of a plate's end, takes in its frame or is twice its height
    /// cuts the plate too badly to read (on degraded copies of easypr-dev, 14 of 22 plates boxed but
    /// not read were read from their labelled box). The surroundings are drawn upright at a scale set by
    /// the region's height (<see cref="RefitHeight"/>), so the row search sees characters of the size it
    /// looks for whatever the plate's size in the image (a box that is the upper half of its plate, or
    /// twice its height, or a sixth short of one end, in the tests).
    /// </summary>
    public static List<PlateRegion> RowsAround(Mat bgrOrGray, PlateRegion region)
    {
        ArgumentNullException.ThrowIfNull(bgrOrGray);
        var rows = new List<PlateRegion>();
        if (region.Height < 2 || region.Width < 2)
        {
            return rows;
        }

        var s = _refitWork ??= new Work();
        var scale = RefitHeight / region.Height;
        var size = new Size((int)(region.Width * RefitAlong * scale), (int)(RefitHeight * RefitAcross));
        var window = region with { Width = region.Width * RefitAlong, Height = region.Height * RefitAcross };
        if (PlateRectifier.DrawUpright(bgrOrGray, window, size, scale, s.FullGray, s.Half, s.Gray) is not { } frame)
        {
            return rows;
        }

        CharacterRows(s, s.Gray, null, rows);

        var centre = new Point2f(size.Width / 2f, size.Height / 2f);
        rows.Sort((a, b) => a.Centre.DistanceTo(centre).CompareTo(b.Centre.DistanceTo(centre)));
        return rows.ConvertAll(row => row with
        {
            Centre = frame.ToImage(row.Centre),
            Width = row.Width / scale,
            Height = row.Height / scale,
            Angle = row.Angle + region.Angle,
            Colour = region.Colour,
            LastResort = true,
        });
    }

    /// <summary>The character-sized blobs of <paramref name="binary"/>: 7–80 px high, at most as wide as high, up to 8 times as high as wide, at least 15% filled.</summary>
    private static void Blobs(Work s, Mat binary, List<Rect> chars)
    {
        s.Blobs.Clear();
        s.Labeller.Find(binary, s.Blobs);
        foreach (var (box, pixels) in s.Blobs)
        {
            if (box.Height is >= MinCharacterHeight and <= MaxCharacterHeight && box.Width <= box.Height && box.Height <= box.Width * 8 && pixels >= box.Width * box.Height * 0.15)
            {
                chars.Add(box);
            }
        }
    }

    /// <summary>The plate around a row of characters from <paramref name="first"/> to <paramref name="last"/>, or null when the row is no plate's.</summary>
    private static PlateRegion? Row(Rect first, Rect last, float height, Mat? hsv)
    {
        var span = last.Right - first.X;
        float x0 = first.X + first.Width / 2f, y0 = first.Y + first.Height / 2f, x1 = last.X + last.Width / 2f, y1 = last.Y + last.Height / 2f;
        var angle = MathF.Atan2(y1 - y0, x1 - x0) * 180 / MathF.PI;
        if (span < height * 2 || span > height * 6 || Math.Abs(angle) > 30)
        {
            return null;
        }

        var width = height * RowToPlateLength;
        var cx = last.Right + height * RowEndMargin - width / 2;
        var cy = y0 + (cx - x0) / Math.Max(1, x1 - x0) * (y1 - y0);
        var region = new PlateRegion(new Point2f(cx, cy), width, height * RowToPlateHeight, angle, PlateColour.Unknown, RowScore);
        return hsv is null ? region : region with { Colour = DominantColour(hsv, region.Bounds) };
    }

    private static readonly (PlateColour Colour, Scalar Low, Scalar High)[] ColourRanges =
    [
        (PlateColour.Blue, new Scalar(100, 55, 35), new Scalar(125, 255, 255)),
        (PlateColour.Yellow, new Scalar(12, 80, 70), new Scalar(34, 255, 255)),
        (PlateColour.Green, new Scalar(35, 45, 70), new Scalar(85, 255, 255)),
    ];

    /// <summary>Where yellow and green stand in <see cref="ColourRanges"/>.</summary>
    private static readonly int YellowRange = Array.FindIndex(ColourRanges, range => range.Colour == PlateColour.Yellow),
        GreenRange = Array.FindIndex(ColourRanges, range => range.Colour == PlateColour.Green);

    private static readonly (Scalar Low, Scalar High)[] ColourBounds = Array.ConvertAll(ColourRanges, range => (range.Low, range.High));

    public static double IntersectionOverUnion(Rect a, Rect b)
    {
        var inter = Intersection(a, b);
        return inter == 0 ? 0 : inter / (Area(a) + Area(b) - inter);
    }

    /// <summary>Intersection over the smaller box: 1 when one box lies inside the other.</summary>
    public static double Overlap(Rect a, Rect b)
    {
        var inter = Intersection(a, b);
        return inter == 0 ? 0 : inter / Math.Min(Area(a), Area(b));
    }

    private static double Area(Rect r) => r.Width * (double)r.Height;

    private static double Intersection(Rect a, Rect b)
    {
        var i = a & b;
        return i.Width <= 0 || i.Height <= 0 ? 0 : Area(i);
    }

    /// <summary>Stroke boxes less long than this many heights are no plate's (one-row plates are 3.1–3.4, seen from the side less).</summary>
    private const float MinAspect = 1.8f;

    /// <summary>
    /// The same for colour boxes: a yellow one may hold a two-row plate (2:1, seen from the side at 45° 1.4:1),
    /// and a one-row plate on a car parked across the view is foreshortened below 1.8 (a parking photo's
    /// clear blue plate boxed at 1.75:1 was dropped). A box of plate colour is rarer than one of strokes:
    /// over easypr-dev, H1 and their 16 degraded copies colour boxes from 1.4 read the same plates with 3
    /// false positives fewer (80, was 83); stroke boxes from 1.4 too crowded the regions (one plate lost).
    /// </summary>
    private const float MinColourAspect = 1.4f;

    private static void Candidates(Work s, Mat binary, PlateColour colour, List<PlateRegion> found, bool byEdges = false, Mat? hsv = null)
    {
        var closed = s.Closed;
        Cv2.MorphologyEx(binary, closed, MorphTypes.Close, byEdges ? s.CloseEdges : s.CloseColour);
        Cv2.MorphologyEx(closed, closed, MorphTypes.Open, s.Open);

        Cv2.FindContours(closed, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        foreach (var contour in contours)
        {
            var area = Cv2.ContourArea(contour);
            if (area < 150)
            {
                continue;
            }

            var region = PlateRegion.From(Cv2.MinAreaRect(contour), colour);
            var (w, h, angle) = (region.Width, region.Height, region.Angle);
            var aspect = w / Math.Max(1, h);
            var fill = area / Math.Max(1, w * h);
            // Two-row plates (yellow, 440×220 mm) are 2:1, and narrower seen from the side: 1.4:1 at 45°; so
            // are one-row plates seen from far to the side, which a colour box holds too.
            var twoRow = colour == PlateColour.Yellow;
            if (h < 8 || w < 30 || aspect < (byEdges ? MinAspect : MinColourAspect) || aspect > 7f || Math.Abs(angle) > 45 || fill < 0.45)
            {
                continue;
            }

            if (byEdges && hsv is not null)
            {
                region = region with { Colour = DominantColour(hsv, region.Bounds) };
            }

            // Plates are about 3.1 (blue, yellow) or 3.4 (green) times as long as high.
            var shape = 1 - Math.Min(1, Math.Abs(aspect - 3.3) / 3);
            if (twoRow)
            {
                shape = Math.Max(shape, 1 - Math.Min(1, Math.Abs(aspect - 2) / 3));
            }
            found.Add(region with { Score = (float)(shape * 0.6 + fill * 0.4 + (byEdges ? 0 : 0.1)) });
        }
    }

    private static PlateColour DominantColour(Mat hsv, Rect bounds)
    {
        bounds &= new Rect(0, 0, hsv.Width, hsv.Height);
        if (bounds.Width <= 0 || bounds.Height <= 0)
        {
            return PlateColour.Blue;
        }

        using var roi = new Mat(hsv, bounds);
        var best = PlateColour.Blue;
        var bestCount = -1;
        foreach (var (colour, low, high) in ColourRanges)
        {
            using var mask = new Mat();
            Cv2.InRange(roi, low, high, mask);
            var count = Cv2.CountNonZero(mask);
            if (count > bestCount)
            {
                (best, bestCount) = (colour, count);
            }
        }

        return bestCount > bounds.Width * bounds.Height / 5 ? best : PlateColour.White;
    }
}
