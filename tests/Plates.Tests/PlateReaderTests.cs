using CameraNet.Contracts;
using CameraNet.Plates.Recognition;
using CameraNet.Plates.Synthesis;
using FsCheck;
using FsCheck.Fluent;
using OpenCvSharp;

namespace CameraNet.Plates.Tests;

/// <summary>The recogniser on synthetic scenes of every plate type it reads, its grammar guard, and bad input.</summary>
public sealed class PlateReaderTests : IDisposable
{
    private readonly PlateReader _reader = PlateReader.CreateDefault();

    public void Dispose() => _reader.Dispose();

    internal static Mat Scene(string plate, PlateStyle style, int width = 180, double angle = 3, int seed = 1) => PlateScene.Frame(plate, style, width, angle, seed);

    /// <summary>Draws a plate into <paramref name="at"/> of <paramref name="frame"/>, shrunk (or squashed) to its size.</summary>
    private static void Paste(Mat frame, string plate, PlateStyle style, Rect at)
    {
        using var bgr = PlateScene.RenderBgr(plate, style);
        using var target = new Mat(frame, at);
        Cv2.Resize(bgr, target, at.Size, 0, 0, InterpolationFlags.Area);
    }

    public static TheoryData<string, string> Plates => new()
    {
        { "津A12345", "blue" },
        { "京N8P8F8", "blue" },
        { "粤B7Q53W", "blue" },
        { "冀E65432", "yellow" },
        { "湘A1234学", "yellow" },
        { "苏E0588挂", "yellow" },
        { "沪AD12345", "green-small" },
        { "浙BFA1316", "green-small" },
        { "川A12345D", "green-large" },
        { "粤Z1234港", "black" },
        { "京A0023警", "white" },
        { "粤AB2893", "yellow-two-row" },
        { "鲁Q1234挂", "yellow-two-row" },
    };

    private static PlateStyle Style(string name) => name switch
    {
        "blue" => PlateStyle.Blue,
        "yellow" => PlateStyle.Yellow,
        "green-small" => PlateStyle.GreenSmall,
        "green-large" => PlateStyle.GreenLarge,
        "white" => PlateStyle.White,
        "yellow-two-row" => PlateStyle.YellowTwoRow,
        _ => PlateStyle.Black,
    };

    [Theory]
    [MemberData(nameof(Plates))]
    public void Every_plate_type_is_found_and_read(string plate, string style)
    {
        using var frame = Scene(plate, Style(style));
        var reads = _reader.Read(frame);
        reads.Select(r => r.Text).ShouldBe([plate], $"{style} plate");
        var read = reads[0];
        read.CharacterConfidence.Length.ShouldBe(plate.Length);
        read.Evidence.ShouldBeGreaterThanOrEqualTo(PlateReader.DefaultMinEvidence);
        read.Region.Centre.X.ShouldBeInRange(600f, 680f);
        read.Region.Centre.Y.ShouldBeInRange(450f, 510f);
    }

    [Theory]
    [InlineData("津A12345", -1)]
    [InlineData("粤B7Q53W", -1)]
    [InlineData("冀E65432", 1)]
    public void A_box_that_stops_short_of_one_end_of_the_plate_is_widened_to_read_it(string plate, int side)
    {
        // The plate is 180 px long at (640, 480); the box leaves out a fifth of it at one end (side -1:
        // the left, the province character and most of the letter).
        using var frame = Scene(plate, plate.StartsWith('冀') ? PlateStyle.Yellow : PlateStyle.Blue, angle: 0);
        var height = 180f * PlateStyle.CanvasHeight / PlateStyle.Blue.CanvasWidth;
        var shortBox = new PlateRegion(new Point2f(640 - side * 18, 480), 144, height, 0, PlateColour.Unknown, 1);

        var read = _reader.ReadRegion(frame, shortBox);

        read.ShouldNotBeNull($"nothing read in the box cut short at the {(side < 0 ? "left" : "right")}");
        read.Text.ShouldBe(plate);
        (side * (read.Region.Centre.X - shortBox.Centre.X)).ShouldBeGreaterThan(0f, "the reading's box moved towards the end left out");
    }

    [Theory]
    [InlineData("粤AB2893", 0)]
    [InlineData("鲁Q1234挂", 0)]
    [InlineData("京EA5331", 4)]
    public void A_two_row_plate_whose_box_holds_only_part_of_its_height_is_read(string plate, int lower)
    {
        // The plate is 200x100 px at (640, 480); the box is its width but only 66 px high (aspect 3),
        // as a colour mask that holds the lower row's large characters and loses the small upper row
        // gives it, and sits `lower` px below the plate's centre.
        using var frame = Scene(plate, PlateStyle.YellowTwoRow, width: 200, angle: 0);
        var box = new PlateRegion(new Point2f(640, 480 + lower), 200, 66, 0, PlateColour.Yellow, 1);

        var read = _reader.ReadRegion(frame, box);

        read.ShouldNotBeNull("nothing read in a yellow box of one-row proportions around a two-row plate");
        read.Text.ShouldBe(plate);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Among_street_signs_stickers_and_grilles_only_the_plate_is_read(int seed)
    {
        using var frame = CameraNet.Plates.Training.SampleGenerator.ClutteredFrame("冀E65432", PlateStyle.Yellow, seed);
        PlateLocator.Locate(frame).Count.ShouldBeGreaterThan(8, "the clutter gives the locator candidates to refuse");
        _reader.Read(frame).Select(r => r.Text).ShouldBe(["冀E65432"]);
    }

    [Theory]
    [InlineData("津A12345", 600, 400)]
    [InlineData("粤B7Q53W", 1900, 1100)]
    public void A_small_plate_in_a_large_still_image_is_read_by_the_search_in_tiles(string plate, int x, int y)
    {
        // A 2,400x1,350 snapshot with a plate 56 px long: the locator searches the whole image at 1,024 px, where
        // the plate is 24 px long, too small to box; a tile (1,440x810) is searched at 0.71, the plate 40 px long.
        using var frame = new Mat(1350, 2400, MatType.CV_8UC3, new Scalar(95, 100, 105));
        Cv2.Rectangle(frame, new Rect(x - 150, y - 120, 300, 200), new Scalar(150, 60, 40), -1);
        Paste(frame, plate, PlateStyle.Blue, new Rect(x - 28, y - 9, 56, 18));
        Cv2.GaussianBlur(frame, frame, new Size(3, 3), 0.6);

        _reader.Read(frame).ShouldBeEmpty("the plate is read without the tiles: the test shows nothing");
        var reads = _reader.Read(frame, PlateSearch.Still);

        reads.Select(r => r.Text).ShouldBe([plate]);
        reads[0].Region.Centre.X.ShouldBeInRange(x - 20f, x + 20f);
        reads[0].Region.Centre.Y.ShouldBeInRange(y - 8f, y + 8f);
    }

    [Theory]
    [InlineData("津A12345", 200, 150, 30)]
    [InlineData("京N8P8F8", 400, 300, 26)]
    public void A_small_plate_in_a_mid_sized_still_image_is_read_by_the_search_in_tiles(string plate, int x, int y, int width)
    {
        // An 800x450 photo with a plate 26-30 px long: the whole image is searched as it is, where the plate's
        // characters are about 6 px high; a tile (480x270) is small enough to be searched doubled.
        using var frame = new Mat(450, 800, MatType.CV_8UC3, new Scalar(95, 100, 105));
        Cv2.Rectangle(frame, new Rect(x - 80, y - 60, 160, 110), new Scalar(150, 60, 40), -1);
        var height = width * PlateStyle.CanvasHeight / PlateStyle.Blue.CanvasWidth;
        Paste(frame, plate, PlateStyle.Blue, new Rect(x - width / 2, y - height / 2, width, height));
        Cv2.GaussianBlur(frame, frame, new Size(3, 3), 0.5);

        _reader.Read(frame).ShouldBeEmpty("the plate is read without the tiles: the test shows nothing");
        var reads = _reader.Read(frame, PlateSearch.Still);

        reads.Count.ShouldBe(1);
        reads[0].Text[1..].ShouldBe(plate[1..], "the serial (at this size the province character, 3 px wide, is a guess)");
        reads[0].Region.Centre.X.ShouldBeInRange(x - 8f, x + 8f);
        reads[0].Region.Centre.Y.ShouldBeInRange(y - 4f, y + 4f);
    }

    [Fact]
    public void A_still_image_shorter_than_the_tiled_size_is_read_as_a_frame()
    {
        using var scene = Scene("冀E65432", PlateStyle.Yellow);
        var (width, height) = (Math.Min(PlateReader.TiledFrom - 1, scene.Width), Math.Min(PlateReader.TiledFrom - 1, scene.Height));
        using var frame = new Mat(scene, new Rect(640 - width / 2, scene.Height - height, width, height)); // the plate is at (640, 480)
        _reader.Read(frame).Select(r => r.Text).ShouldBe(["冀E65432"]);
        _reader.Read(frame, PlateSearch.Still).Select(r => (r.Text, r.Confidence, r.Region)).ShouldBe(_reader.Read(frame).Select(r => (r.Text, r.Confidence, r.Region)));
    }

    [Fact]
    public void A_plate_is_read_among_more_plain_plate_shaped_panels_than_the_locator_reads()
    {
        // Twenty blank blue panels of a plate's proportions (signs without text, panels of a bus) rank
        // ahead of a plate turned a little on shape alone; its characters must rank it among the 16 read.
        using var frame = Scene("粤B7Q53W", PlateStyle.Blue, width: 150, angle: 8);
        for (var i = 0; i < 20; i++)
        {
            var at = new Rect(30 + i % 5 * 250, 20 + i / 5 * 90, 150, 46);
            if (i / 5 == 3)
            {
                at.Y = 600; // the car and its plate are in between
            }

            Cv2.Rectangle(frame, at, new Scalar(150, 60, 20), -1);
        }

        PlateLocator.Locate(frame, maxCandidates: 64).Count.ShouldBeGreaterThan(20);
        _reader.Read(frame).Select(r => r.Text).ShouldBe(["粤B7Q53W"]);
    }

    [Fact]
    public void An_i420_frame_is_read_where_it_lies()
    {
        using var frame = Scene("京N8P8F8", PlateStyle.Blue);
        using var i420 = new Mat();
        Cv2.CvtColor(frame, i420, ColorConversionCodes.BGR2YUV_I420);
        var before = new byte[i420.Total()];
        System.Runtime.InteropServices.Marshal.Copy(i420.Data, before, 0, before.Length);
        _reader.ReadI420(i420.Data, frame.Width, frame.Height).Select(r => r.Text).ShouldBe(["京N8P8F8"]);
        var after = new byte[i420.Total()];
        System.Runtime.InteropServices.Marshal.Copy(i420.Data, after, 0, after.Length);
        after.ShouldBe(before, "the caller's frame is not changed");
        Should.Throw<ArgumentException>(() => _reader.ReadI420(i420.Data, 1279, 720));
    }

    [Fact]
    public void A_frame_without_a_plate_gives_nothing()
    {
        using var frame = Scene("津A12345", PlateStyle.Blue);
        Cv2.Rectangle(frame, new Rect(520, 430, 240, 100), new Scalar(60, 70, 200), -1); // cover the plate
        _reader.Read(frame).ShouldBeEmpty();
        using var gray = new Mat(720, 1280, MatType.CV_8UC3, new Scalar(120, 120, 120));
        _reader.Read(gray).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("津A12345", "blue", 200, -30)]
    [InlineData("津A12345", "blue", 120, 40)]
    [InlineData("粤B7Q53W", "blue", 120, -40)]
    [InlineData("冀E65432", "yellow", 120, 35)]
    [InlineData("冀E65432", "yellow", 200, -40)]
    [InlineData("沪AD12345", "green-small", 200, -40)]
    public void A_plate_seen_from_the_side_with_its_characters_upright_is_read(string plate, string style, int width, double tilt)
    {
        // A camera high and to the side: the baseline tilted by 30-40 degrees, the characters upright.
        // Turned upright as a rectangle, every character would lean by the tilt (the reader took such a
        // 津A12345 for 津AJ2345, and misread or dropped the others).
        using var frame = PlateScene.Frame(plate, Style(style), width: width, tilt: tilt);
        _reader.Read(frame).Select(r => r.Text).ShouldBe([plate], $"{style} plate tilted {tilt} degrees");
    }

    [Theory]
    [InlineData("津A12345")]
    [InlineData("粤B7Q53W")]
    [InlineData("京N8P8F8")]
    public void A_washed_out_plate_beside_a_sharp_sign_is_found_and_read(string plate)
    {
        // Haze or glare over the scene (15% of its contrast left, the plate's blue nearly grey) and a
        // black-and-white sign in full contrast, whose edges set the whole image's stroke threshold.
        using var frame = Scene(plate, PlateStyle.Blue, width: 150, angle: 0);
        frame.ConvertTo(frame, -1, 0.15, 255 * 0.85 * 0.8);
        for (var i = 0; i < 12; i++)
        {
            Cv2.Rectangle(frame, new Rect(60 + i * 30, 60, 15, 200), Scalar.All(i % 2 == 0 ? 0 : 255), -1);
        }

        bool Found(List<PlateRegion> regions) => regions.Any(r => Math.Abs(r.Centre.X - 640) < 30 && Math.Abs(r.Centre.Y - 480) < 15 && r.Width is > 100 and < 200);
        // The rows of characters (a search of local contrast too) also find it: off, to test the equalised search.
        Found(PlateLocator.Locate(frame, equalise: false, characterRows: false)).ShouldBeFalse("without the locally equalised search the plate is not a candidate (else this test shows nothing)");
        Found(PlateLocator.Locate(frame, characterRows: false)).ShouldBeTrue();
        Found(PlateLocator.Locate(frame, equalise: false)).ShouldBeTrue("the rows of characters find it too");
        _reader.Read(frame).Select(r => r.Text).ShouldBe([plate]);
    }

    [Fact]
    public void A_last_resort_view_is_read_when_the_other_views_read_nothing_and_not_after_a_reading()
    {
        using var frame = Scene("津A12345", PlateStyle.Blue, angle: 0);
        var plate = new PlateRegion(new Point2f(640, 480), 180, 57, 0, PlateColour.Blue, 1);
        var wall = new PlateRegion(new Point2f(200, 150), 180, 57, 0, PlateColour.Blue, 1); // plain background

        _reader.ReadViews(frame, [wall, plate with { LastResort = true }]).Select(r => r.Text).ShouldBe(["津A12345"]);
        _reader.ReadViews(frame, [wall]).ShouldBeEmpty("the wall alone reads as nothing (else this test shows nothing)");

        // After a reading the last resort is not read. The province painted over (as in the test above),
        // the plate is read unsurely, so an ordinary second view is read too.
        const float MmPerPixel = 440f / 180;
        var (left, top) = (640 - 90, 480 - 140 / MmPerPixel / 2);
        var background = frame.At<Vec3b>((int)(top + 12 / MmPerPixel), 640);
        var province = new Rect((int)(left + 13 / MmPerPixel), (int)(top + 22 / MmPerPixel), (int)(50 / MmPerPixel), (int)(96 / MmPerPixel));
        Cv2.Rectangle(frame, province, new Scalar(background.Item0, background.Item1, background.Item2), -1);
        var shifted = plate with { Centre = new Point2f(643, 481) };
        _reader.ReadViews(frame, [plate, shifted]).Count.ShouldBe(2, "an unsure reading: the second view is read too (else this test shows nothing)");
        _reader.ReadViews(frame, [plate, shifted with { LastResort = true }]).Count.ShouldBe(1);
    }

    [Fact]
    public void A_last_resort_reading_never_displaces_another_of_the_same_plate()
    {
        PlateRead Read(string text, float confidence, float x, bool lastResort = false) =>
            new(text, confidence, [.. Enumerable.Repeat(confidence, text.Length)], new PlateRegion(new Point2f(x, 100), 120, 36, 0, PlateColour.Blue, 1, lastResort));

        var reads = new List<PlateRead>
        {
            Read("津A12345", 0.6f, 300),
            Read("津A12346", 0.95f, 305, lastResort: true), // the same plate, more confident, from a last resort
            Read("京N8P8F8", 0.7f, 600, lastResort: true),  // a plate nothing else read
            Read("京N8P8F8", 0.5f, 900),                    // says the same as a last resort: the ordinary one stays
            Read("粤B7Q53W", 0.8f, 1200),
            Read("粤B7Q53X", 0.9f, 1210),                   // overlaps: the more confident of two ordinary ones stays
        };

        PlateReader.KeepOnePerPlate(reads);

        reads.Select(r => (r.Text, r.Region.Centre.X)).ShouldBe([("粤B7Q53X", 1210f), ("津A12345", 300f), ("京N8P8F8", 900f)]);
    }

    public static TheoryData<float, float, float, float> BadBoxes => new()
    {
        { 640, 470, 180, 28 },  // the upper half of the plate only
        { 625, 480, 130, 57 },  // stops short of the right end by a sixth of the plate
        { 640, 480, 180, 110 }, // twice the plate's height
        { 660, 482, 260, 60 },  // takes in much to the right
    };

    [Theory]
    [MemberData(nameof(BadBoxes))]
    public void Rows_around_a_badly_boxed_plate_box_the_plate(float x, float y, float width, float height)
    {
        // The plate is 180×57 px at (640, 480).
        using var frame = Scene("津A12345", PlateStyle.Blue, angle: 0);
        var rows = PlateLocator.RowsAround(frame, new PlateRegion(new Point2f(x, y), width, height, 0, PlateColour.Blue, 1));

        rows.ShouldNotBeEmpty();
        var row = rows[0];
        row.Centre.X.ShouldBeInRange(625f, 655f);
        row.Centre.Y.ShouldBeInRange(472f, 488f);
        row.Width.ShouldBeInRange(150f, 210f);
        row.Height.ShouldBeInRange(45f, 70f);
        row.LastResort.ShouldBeTrue();
        row.Colour.ShouldBe(PlateColour.Blue, "a row keeps its region's colour");
    }

    [Theory]
    [InlineData(-10)]
    [InlineData(0)]
    public void Rows_around_a_turned_plate_follow_the_plate(float regionAngle)
    {
        // The scene's plate rises to the right by 10° (-10° in image coordinates, y down); the region is
        // its upper half, turned with it or not.
        using var frame = Scene("粤B7Q53W", PlateStyle.Blue, angle: 10);
        var rows = PlateLocator.RowsAround(frame, new PlateRegion(new Point2f(640, 470), 180, 30, regionAngle, PlateColour.Blue, 1));

        rows.ShouldNotBeEmpty();
        rows[0].Angle.ShouldBeInRange(-14f, -6f);
        rows[0].Centre.Y.ShouldBeInRange(472f, 488f);
        _reader.ReadViews(frame, [rows[0]]).Select(r => r.Text).ShouldBe(["粤B7Q53W"]);
    }

    [Fact]
    public void There_are_no_rows_around_plain_ground_or_a_degenerate_region()
    {
        using var frame = Scene("津A12345", PlateStyle.Blue, angle: 0);
        PlateLocator.RowsAround(frame, new PlateRegion(new Point2f(200, 150), 180, 57, 0, PlateColour.Blue, 1)).ShouldBeEmpty();
        PlateLocator.RowsAround(frame, new PlateRegion(new Point2f(640, 480), 1, 0, 0, PlateColour.Blue, 1)).ShouldBeEmpty();
        PlateLocator.RowsAround(frame, new PlateRegion(new Point2f(-900, -900), 180, 57, 0, PlateColour.Blue, 1)).ShouldBeEmpty("outside the image");
    }

    [Fact]
    public void A_region_whose_box_reads_nothing_is_read_from_the_row_of_characters_around_it()
    {
        using var frame = Scene("津A12345", PlateStyle.Blue, angle: 0);
        var upperHalf = new PlateRegion(new Point2f(640, 462), 180, 24, 0, PlateColour.Blue, 1);
        _reader.ReadRegion(frame, upperHalf).ShouldBeNull("the box alone reads nothing (else this test shows nothing)");

        var reads = _reader.ReadViews(frame, [upperHalf]);

        reads.Select(r => r.Text).ShouldBe(["津A12345"]);
        reads[0].Region.LastResort.ShouldBeTrue();
        reads[0].Region.Centre.Y.ShouldBeInRange(472f, 488f);
    }

    [Theory]
    [InlineData("津A12345")]
    [InlineData("粤B7Q53W")]
    [InlineData("京N8P8F8")]
    public void A_plate_set_in_a_grille_on_a_body_of_its_own_blue_is_found_by_its_characters(string plate)
    {
        // The car painted the plate's own blue, and a grille of light and dark bars around the plate up to
        // its rim: the blue mask joins plate and body, the stroke searches plate and bars, and neither
        // blob has a plate's shape. Only the row of characters stands apart.
        using var frame = GrilleScene(plate);

        bool Found(List<PlateRegion> regions) => regions.Any(r => Math.Abs(r.Centre.X - 640) < 20 && Math.Abs(r.Centre.Y - 480) < 10 && r.Width is > 120 and < 190);
        Found(PlateLocator.Locate(frame, characterRows: false)).ShouldBeFalse("without the rows of characters the plate is not a candidate (else this test shows nothing)");
        Found(PlateLocator.Locate(frame)).ShouldBeTrue();
        _reader.Read(frame).Select(r => r.Text).ShouldBe([plate]);
    }

    /// <summary>A 1280×720 scene whose plate (150×46 px at (640, 480)) is set in a grille on a car body of the plate's own blue.</summary>
    private static Mat GrilleScene(string plate)
    {
        var frame = Scene(plate, PlateStyle.Blue, width: 150, angle: 0);
        var plateBox = new Rect(565, 457, 150, 46);
        using var plateAlone = new Mat(frame, plateBox).Clone();
        var blue = Cv2.Mean(new Mat(frame, new Rect(567, 470, 4, 20))); // the plate's ground, left of its province character
        Cv2.Rectangle(frame, new Rect(420, 250, 440, 330), blue, -1);
        for (var x = 520; x < 760; x += 10)
        {
            Cv2.Rectangle(frame, new Rect(x, 430, 5, 100), Scalar.All(x % 20 == 0 ? 20 : 210), -1);
        }

        plateAlone.CopyTo(new Mat(frame, plateBox));
        return frame;
    }

    [Theory]
    [InlineData(4000, 3000, 1024 / 4000.0)]
    [InlineData(1280, 720, 1024 / 1280.0)]
    [InlineData(1024, 576, 1)]
    [InlineData(640, 480, 1)]
    [InlineData(512, 288, 2)]
    [InlineData(200, 400, 2)]
    public void Images_are_searched_at_most_1024_px_and_small_ones_doubled(int width, int height, double scale) =>
        PlateLocator.WorkScale(width, height).ShouldBe(scale, 1e-9);

    [Theory]
    [InlineData("粤AB2893")]
    [InlineData("鲁Q1234挂")]
    public void A_two_row_plate_seen_from_the_side_is_found_and_read(string plate)
    {
        // A truck's or bus's rear plate (440×220 mm) from a camera beside the lane: 1.5 times as long as high.
        using var frame = new Mat(720, 1280, MatType.CV_8UC3, new Scalar(95, 100, 105));
        Cv2.Rectangle(frame, new Rect(420, 250, 440, 330), new Scalar(150, 150, 140), -1);
        Paste(frame, plate, PlateStyle.YellowTwoRow, new Rect(565, 430, 150, 100));
        Cv2.GaussianBlur(frame, frame, new Size(3, 3), 0.6);

        _reader.Read(frame).Select(r => r.Text).ShouldBe([plate]);
    }

    [Theory]
    [InlineData("津A12345", "blue")]
    [InlineData("粤B7Q53W", "blue")]
    [InlineData("沪AD12345", "green-small")]
    public void A_one_row_plate_seen_from_far_to_the_side_is_found_and_read(string plate, string style)
    {
        // A car parked across the camera's view: the plate (440×140 mm) foreshortened to 1.5 times as long
        // as high. Its colour box was dropped as no plate's shape while boxes had to be 1.8 times as long
        // (a parking photo's clear plate, 133×74 px, was missed so).
        using var frame = new Mat(720, 1280, MatType.CV_8UC3, new Scalar(95, 100, 105));
        Cv2.Rectangle(frame, new Rect(440, 300, 400, 300), new Scalar(200, 200, 195), -1);
        Paste(frame, plate, Style(style), new Rect(580, 440, 120, 80));
        Cv2.GaussianBlur(frame, frame, new Size(3, 3), 0.6);

        _reader.Read(frame).Select(r => r.Text).ShouldBe([plate], $"{style} plate at 1.5:1");
    }

    [Theory]
    [InlineData("陕J62579")]
    [InlineData("川L72668")]
    [InlineData("冀E65432")]
    public void A_yellow_plate_above_a_yellow_board_of_its_own_colour_is_read(string plate)
    {
        // A hazardous-goods truck from a traffic camera: its yellow 危险品 board hangs right under the plate,
        // and the yellow mask may hold both in a box of about 2:1, which read neither as a two-row plate
        // nor as one row (two traffic-camera photos of such trucks were missed so).
        using var frame = new Mat(720, 1280, MatType.CV_8UC3, new Scalar(150, 150, 145));
        Paste(frame, plate, PlateStyle.Yellow, new Rect(550, 400, 180, 57));
        var yellow = frame.At<Vec3b>(400 + 28, 550 + 3);
        var board = new Rect(580, 453, 120, 46);
        Cv2.Rectangle(frame, board, new Scalar(yellow.Item0, yellow.Item1, yellow.Item2), -1);
        for (var k = 0; k < 3; k++)
        {
            // Three dense black characters (危 险 品), drawn as strokes.
            var x = board.X + 10 + k * 34;
            Cv2.Rectangle(frame, new Rect(x, board.Y + 8, 26, 4), Scalar.All(20), -1);
            Cv2.Rectangle(frame, new Rect(x + 4, board.Y + 8, 4, 26), Scalar.All(20), -1);
            Cv2.Rectangle(frame, new Rect(x + 10, board.Y + 18, 14, 4), Scalar.All(20), -1);
            Cv2.Rectangle(frame, new Rect(x + 16, board.Y + 18, 4, 16), Scalar.All(20), -1);
            Cv2.Rectangle(frame, new Rect(x + 8, board.Y + 30, 18, 4), Scalar.All(20), -1);
        }

        Cv2.GaussianBlur(frame, frame, new Size(3, 3), 0.6);
        _reader.Read(frame).Select(r => r.Text).ShouldBe([plate]);

        // On the photos no search boxed the plate alone: the box of plate and board together must read.
        var both = new PlateRegion(new Point2f(640, 449), 180, 99, 0, PlateColour.Yellow, 1);
        _reader.ReadViews(frame, [both]).Select(r => r.Text).ShouldBe([plate], "the box of plate and board");
    }

    [Theory]
    [InlineData("津A12345", PlateColour.Blue, -1)]
    [InlineData("粤B7Q53W", PlateColour.Blue, 1)]
    [InlineData("沪AD12345", PlateColour.Green, -1)]
    public void A_one_row_plate_at_the_top_or_bottom_of_a_box_of_about_two_to_one_of_its_colour_is_read(string plate, PlateColour colour, int side)
    {
        // A blue car body or bumper band against a blue plate's top or bottom edge: the colour mask holds
        // both in a box of about 2:1 (1.75 here), the plate in one half. Until 2026-12-05 only yellow and
        // colourless boxes were cut so (a blue plate at dusk on the analysis sets was missed).
        using var frame = Scene(plate, colour == PlateColour.Green ? PlateStyle.GreenSmall : PlateStyle.Blue, angle: 0);
        var height = 180f * PlateStyle.CanvasHeight / PlateStyle.Blue.CanvasWidth;
        var box = new PlateRegion(new Point2f(640, 480 - side * 0.375f * height), 180, 1.75f * height, 0, colour, 1);

        var read = _reader.ReadRegion(frame, box);

        read.ShouldNotBeNull($"nothing read in a {colour} box with the plate at its {(side < 0 ? "top" : "bottom")}");
        read.Text.ShouldBe(plate);
        read.Region.Centre.Y.ShouldBeInRange(470f, 490f);
    }

    [Theory]
    [InlineData("津A12345", 40)]
    [InlineData("粤B7Q53W", -30)]
    [InlineData("京N8P8F8", 0)]
    public void A_box_that_takes_in_the_car_around_the_plate_is_cut_again_around_the_characters_it_shows(string plate, int offset)
    {
        // A box twice the plate's length (the car body and bumper around it), off to one side: the reader finds
        // some characters squeezed into part of its cut but reads no plate number. The characters' spacing gives
        // the plate's length, and the box cut at that length around them reads (on these clean scenes the box
        // refiner and the rows around the box read it too; on photos they often do not: see SpanBoxes).
        using var frame = Scene(plate, PlateStyle.Blue, width: 120, angle: 0);
        var height = 120f * PlateStyle.CanvasHeight / PlateStyle.Blue.CanvasWidth;
        var wide = new PlateRegion(new Point2f(640 + offset, 480), 240, 1.4f * height, 0, PlateColour.Blue, 1);
        _reader.ReadRegion(frame, wide).ShouldBeNull("the wide box alone reads nothing (else this test shows nothing)");

        var reads = _reader.ReadViews(frame, [wide]);

        reads.Select(r => r.Text).ShouldBe([plate]);
        reads[0].Region.LastResort.ShouldBeTrue();
        reads[0].Region.Centre.X.ShouldBeInRange(625f, 655f);
        reads[0].Region.Width.ShouldBeInRange(100f, 180f, "cut at about the plate's own length, not the box's 240");
    }

    [Fact]
    public void Boxes_around_a_row_of_characters_are_a_plate_of_their_spacing_centred_and_at_either_end()
    {
        // Seven characters 0.06 of the crop apart, from 0.30 to 0.66 of a 240-px box's crop (259.2 px with its margin).
        var region = new PlateRegion(new Point2f(640, 480), 240, 60, 0, PlateColour.Blue, 1);
        var characters = Enumerable.Range(0, 7).Select(k => (0.30f + 0.06f * k, 0.9f)).Append((0.9f, 0.1f)).ToList();

        var boxes = PlateReader.SpanBoxes(region, characters).ToList();

        var (cropLength, pitch) = (240 * PlateRectifier.GrowWidth, 0.06f * 240 * PlateRectifier.GrowWidth);
        var (first, last) = (640 + (0.30f - 0.5f) * cropLength, 640 + (0.66f - 0.5f) * cropLength);
        boxes.Count.ShouldBe(3);
        boxes.ShouldAllBe(b => Math.Abs(b.Width - 7.7f * pitch) < 0.5f && Math.Abs(b.Height - b.Width / 3.14f) < 0.5f && b.LastResort && b.Angle == 0 && b.Centre.Y == 480);
        boxes[0].Centre.X.ShouldBe((first + last) / 2, 0.5f, "centred on the characters (the improbable one at 0.9 left out)");
        (boxes[1].Centre.X - boxes[1].Width / 2).ShouldBe(first - 0.67f * pitch, 0.5f, "starting at the first character");
        (boxes[2].Centre.X + boxes[2].Width / 2).ShouldBe(last + 0.67f * pitch, 0.5f, "ending at the last character");

        PlateReader.SpanBoxes(region, characters.Take(2).Append((0.5f, 0.2f)).ToList()).ShouldBeEmpty("two characters are no row");
        var turned = PlateReader.SpanBoxes(region with { Angle = 90 }, characters).First();
        turned.Centre.X.ShouldBe(640f, 0.5f, "along the region's own axis");
        turned.Centre.Y.ShouldBe(480 + ((first + last) / 2 - 640), 0.5f);
    }

    [Fact]
    public void A_plate_whose_province_character_is_smudged_is_still_read_with_that_doubt_in_its_confidence()
    {
        // The province character (the plate's left seventh) painted over with the plate's own blue: the
        // serial is plain, so the reading is kept (its evidence is the serial's), but its confidence is
        // the doubtful character's.
        // The plate is 180x57 px at (640, 480), level; its province character spans 15.5-60.5 mm of its
        // 440 and 25-115 mm of its 140 (GA 36), painted over with a millimetre or two to spare.
        using var frame = Scene("津A12345", PlateStyle.Blue, angle: 0);
        _reader.Read(frame).ShouldHaveSingleItem().Text.ShouldBe("津A12345");
        const float MmPerPixel = 440f / 180;
        var (left, top) = (640 - 90, 480 - 140 / MmPerPixel / 2);
        var background = frame.At<Vec3b>((int)(top + 12 / MmPerPixel), 640); // above the characters, inside the rim
        var province = new Rect((int)(left + 13 / MmPerPixel), (int)(top + 22 / MmPerPixel), (int)(50 / MmPerPixel), (int)(96 / MmPerPixel));
        Cv2.Rectangle(frame, province, new Scalar(background.Item0, background.Item1, background.Item2), -1);
        var smudged = _reader.Read(frame).ShouldHaveSingleItem();
        smudged.Text[1..].ShouldBe("A12345");
        smudged.Confidence.ShouldBeLessThan(PlateReader.DefaultMinEvidence, "the smudged province character is not sure");
        smudged.Evidence.ShouldBeGreaterThanOrEqualTo(PlateReader.DefaultMinEvidence);
    }

    [Fact]
    public void Several_threads_read_the_same_reader_at_once()
    {
        var frames = new[] { ("津A12345", PlateStyle.Blue), ("冀E65432", PlateStyle.Yellow), ("沪AD12345", PlateStyle.GreenSmall) }
            .Select(p => (p.Item1, Frame: Scene(p.Item1, p.Item2))).ToList();
        try
        {
            var wrong = 0;
            Parallel.For(0, 60, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            {
                var (plate, frame) = frames[i % frames.Count];
                if (_reader.Read(frame).Select(r => r.Text).SingleOrDefault() != plate)
                {
                    Interlocked.Increment(ref wrong);
                }
            });
            wrong.ShouldBe(0);
        }
        finally
        {
            frames.ForEach(f => f.Frame.Dispose());
        }
    }

    [Fact]
    public void The_decoder_never_emits_an_invalid_plate_number()
    {
        const int steps = 32;
        var classes = PlateOcr.Alphabet.Length + 1;
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            // Columns that favour random characters, blanks between some of them.
            var random = new Random(seed);
            var logProbs = new float[steps * classes];
            for (var t = 0; t < steps; t++)
            {
                for (var c = 0; c < classes; c++)
                {
                    logProbs[t * classes + c] = -10 - (float)random.NextDouble();
                }

                logProbs[t * classes + (random.NextDouble() < 0.4 ? 0 : random.Next(1, classes))] = -0.01f;
            }

            var text = PlateOcr.Decode(logProbs, steps, classes).Text;
            return text.Length == 0 || PlateGrammar.IsValid(text);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_valid_best_path_is_read_with_its_character_confidences()
    {
        const int steps = 32;
        var classes = PlateOcr.Alphabet.Length + 1;
        var logProbs = new float[steps * classes];
        Array.Fill(logProbs, -20f);
        var plate = "津A12345";
        for (var t = 0; t < steps; t++)
        {
            var i = t / 4;
            var cls = t % 4 == 3 || i >= plate.Length ? 0 : PlateOcr.Alphabet.IndexOf(plate[i], StringComparison.Ordinal) + 1;
            logProbs[t * classes + cls] = MathF.Log(t % 4 == 1 ? 0.9f : 0.7f);
        }

        var result = PlateOcr.Decode(logProbs, steps, classes);
        result.Text.ShouldBe(plate);
        result.CharacterConfidence.ShouldAllBe(p => Math.Abs(p - 0.9f) < 1e-4);
        result.Confidence.ShouldBe(0.9f, 1e-4);
    }
    [Fact]
    public void Evidence_is_the_second_weakest_character_so_one_doubtful_character_does_not_count_as_clutter()
    {
        new OcrResult("津A12345", 0.05f, [0.05f, 0.9f, 0.8f, 0.95f, 0.7f, 0.9f, 0.99f]).Evidence.ShouldBe(0.7f);
        new OcrResult("津A12345", 0.05f, [0.9f, 0.05f, 0.8f, 0.1f, 0.7f, 0.9f, 0.99f]).Evidence.ShouldBe(0.1f);
        new OcrResult("津A12345", 0.3f, [0.3f, 0.3f, 0.8f, 0.9f, 0.7f, 0.9f, 0.99f]).Evidence.ShouldBe(0.3f);
        new OcrResult(string.Empty, 0, []).Evidence.ShouldBe(0f);
    }

    /// <summary>Log-probabilities of 32 columns spelling <paramref name="columns"/> (one entry per column: (class character or '_' for blank, probability), rest spread).</summary>
    private static float[] Columns(params (string Best, float P, string Second, float Q)[] columns)
    {
        var classes = PlateOcr.Alphabet.Length + 1;
        var logProbs = new float[32 * classes];
        Array.Fill(logProbs, MathF.Log(1e-6f));
        for (var t = 0; t < 32; t++)
        {
            var (best, p, second, q) = t < columns.Length ? columns[t] : ("_", 0.99f, "_", 0f);
            int Class(string c) => c == "_" ? 0 : PlateOcr.Alphabet.IndexOf(c[0], StringComparison.Ordinal) + 1;
            logProbs[t * classes + Class(best)] = MathF.Log(p);
            if (q > 0)
            {
                logProbs[t * classes + Class(second)] = MathF.Log(q);
            }
        }

        return logProbs;
    }

    private static (string, float, string, float) C(string best, float p = 0.95f, string second = "_", float q = 0) => (best, p, second, q);

    [Fact]
    public void An_invalid_best_path_becomes_the_most_probable_valid_plate()
    {
        var classes = PlateOcr.Alphabet.Length + 1;
        // Best path 津012345: a digit where the issuing authority's letter must be; D is the runner-up.
        var letter = Columns(C("津"), C("_"), C("0", 0.6f, "D", 0.35f), C("_"), C("1"), C("_"), C("2"), C("_"), C("3"), C("_"), C("4"), C("_"), C("5"));
        var read = PlateOcr.Decode(letter, 32, classes);
        read.Text.ShouldBe("津D12345");
        read.CharacterConfidence[1].ShouldBe(0.35f, 1e-3);
        read.Confidence.ShouldBe(0.35f, 1e-3);

        // Best path 津A1234 (six characters): the seventh is a 5 that lost to the blank in its column.
        var missing = Columns(C("津"), C("_"), C("A"), C("_"), C("1"), C("_"), C("2"), C("_"), C("3"), C("_"), C("4"), C("_"), C("_", 0.55f, "5", 0.4f));
        PlateOcr.Decode(missing, 32, classes).Text.ShouldBe("津A12345");

        // A doubled character needs a blank between its columns: the best path 津A1(222)34 collapses to six
        // characters; the valid reading takes the runner-up blank in the middle column.
        var doubled = Columns(C("津"), C("A"), C("1"), C("2"), C("2", 0.5f, "_", 0.45f), C("2"), C("3"), C("4"), C("_"));
        PlateOcr.Decode(doubled, 32, classes).Text.ShouldBe("津A12234");
    }

    [Fact]
    public void A_green_plate_is_read_as_a_new_energy_number_and_a_blue_one_never_is()
    {
        var classes = PlateOcr.Alphabet.Length + 1;
        // 津UD78130 whose U lost to the blank: the best path 津D78130 is a valid 7-character number, which a
        // green plate cannot carry; its best 8-character reading brings the U back.
        var lostU = Columns(C("津"), C("_"), C("_", 0.6f, "U", 0.35f), C("_"), C("D"), C("_"), C("7"), C("_"), C("8"), C("_"), C("1"), C("_"), C("3"), C("_"), C("0"));
        PlateOcr.Decode(lostU, 32, classes).Text.ShouldBe("津D78130");
        PlateOcr.Decode(lostU, 32, classes, PlateColour.Blue).Text.ShouldBe("津D78130");
        var green = PlateOcr.Decode(lostU, 32, classes, PlateColour.Green);
        green.Text.ShouldBe("津UD78130");
        green.Confidence.ShouldBe(0.35f, 1e-3);

        // And the other way: eight characters on a blue plate become the best seven.
        var eight = Columns(C("京"), C("_"), C("A"), C("_"), C("D"), C("_"), C("1"), C("_"), C("2"), C("_"), C("3"), C("_"), C("4"), C("_"), C("5", 0.6f, "_", 0.39f));
        PlateOcr.Decode(eight, 32, classes).Text.ShouldBe("京AD12345");
        PlateOcr.Decode(eight, 32, classes, PlateColour.Blue).Text.ShouldBe("京AD1234");

        // A blue plate lit cyan that the locator took for green: no confident eighth character, so its 7 stay.
        var blue = Columns(C("浙"), C("_"), C("A"), C("_"), C("0"), C("_"), C("3"), C("_"), C("1"), C("_"), C("6"), C("_"), C("8"));
        PlateOcr.Decode(blue, 32, classes, PlateColour.Green).Text.ShouldBe("浙A03168");
    }

    [Fact]
    public void A_crop_of_blanks_is_forced_into_no_confident_plate()
    {
        var classes = PlateOcr.Alphabet.Length + 1;
        var blank = Columns();
        var read = PlateOcr.Decode(blank, 32, classes);
        (read.Text.Length == 0 || read.Confidence < 0.01f).ShouldBeTrue($"'{read.Text}' at {read.Confidence}");
    }

}

/// <summary>Training crops are a pure function of (seed, index), in any process and on any thread.</summary>
public sealed class SampleGeneratorTests
{
    [Fact]
    public void The_same_seed_and_index_give_the_same_crop_and_label()
    {
        var renderer = PlateRenderer.Default;
        var first = Enumerable.Range(0, 40).Select(i => CameraNet.Plates.Training.SampleGenerator.Sample(7, i, renderer)).ToList();
        var again = Enumerable.Range(0, 40).Reverse().AsParallel().Select(i => (i, CameraNet.Plates.Training.SampleGenerator.Sample(7, i, renderer))).OrderBy(p => p.i).Select(p => p.Item2).ToList();
        for (var i = 0; i < first.Count; i++)
        {
            again[i].Label.ShouldBe(first[i].Label);
            again[i].Pixels.ShouldBe(first[i].Pixels);
        }

        first.Select(f => f.Label).Distinct().Count().ShouldBeGreaterThan(30, "different indices give different plates");
        first.Where(f => f.Label.Length > 0).ShouldAllBe(f => PlateGrammar.IsValid(f.Label));

        // Fixed values, so that a change of the mixing (or a per-process hash creeping back) is seen.
        CameraNet.Plates.Training.SampleGenerator.Mix(20261123, 0).ShouldBe(CameraNet.Plates.Training.SampleGenerator.Mix(20261123, 0));
        CameraNet.Plates.Training.SampleGenerator.Mix(1, 2).ShouldNotBe(CameraNet.Plates.Training.SampleGenerator.Mix(2, 1));
    }
}

/// <summary>The glyph faces synthetic plates are drawn in.</summary>
public sealed class GlyphSetTests
{
    [Fact]
    public void Every_face_draws_every_plate_character_filling_its_cell()
    {
        var glyphs = GlyphSet.Default;
        glyphs.MissingFaces.ShouldBeEmpty("./cameranet installs the fonts of every face");
        glyphs.FaceCount.ShouldBe(1 + GlyphSet.StrokeFaceCount + GlyphSet.FontFaces.Count);
        foreach (var c in glyphs.Characters)
        {
            using var reference = Ink(glyphs.Glyph(c, 0));
            for (var face = 1; face < glyphs.FaceCount; face++)
            {
                using var ink = Ink(glyphs.Glyph(c, face));
                var box = Cv2.BoundingRect(ink);
                box.Height.ShouldBeGreaterThan(70, $"'{c}' in face {face} spans the cell's height");
                box.Width.ShouldBeGreaterThan(c is '1' or 'J' ? 5 : 20, $"'{c}' in face {face}");
                var inked = Cv2.CountNonZero(ink) / (double)(ink.Rows * ink.Cols);
                inked.ShouldBeInRange(0.08, 0.75, $"'{c}' in face {face} has strokes, neither empty nor solid");
            }
        }

        Should.Throw<ArgumentOutOfRangeException>(() => glyphs.Glyph('A', glyphs.FaceCount));
    }

    [Fact]
    public void Every_face_hooks_its_J_so_that_it_is_not_a_bare_bar_like_a_1()
    {
        // DejaVu's J hooks under the baseline; drawn on the cap line its hook was cut off and a bare bar
        // was labelled J, which taught the reader to read real plates' bar-shaped 1s as J.
        var glyphs = GlyphSet.Default;
        for (var face = 0; face < glyphs.FaceCount; face++)
        {
            using var ink = Ink(glyphs.Glyph('J', face));
            var box = Cv2.BoundingRect(ink);
            var cols = ink.Cols;
            int LeftmostInk(int row)
            {
                for (var x = 0; x < cols; x++)
                {
                    if (ink.At<byte>(row, x) != 0)
                    {
                        return x;
                    }
                }

                return cols;
            }

            var stem = LeftmostInk(box.Y + box.Height / 3);
            var hook = Enumerable.Range(box.Y + box.Height * 4 / 5, box.Height / 5).Min(LeftmostInk);
            (stem - hook).ShouldBeGreaterThan(8, $"the J of face {face} hooks left of its stem");
        }
    }

    /// <summary>Where the glyph has ink (dark pixels), as a mask.</summary>
    private static Mat Ink(SkiaSharp.SKImage glyph)
    {
        using var bitmap = SkiaSharp.SKBitmap.FromImage(glyph); // 32-bit BGRA, whatever the image's own format
        bitmap.ColorType.ShouldBe(SkiaSharp.SKColorType.Bgra8888);
        using var bgra = Mat.FromPixelData(bitmap.Height, bitmap.Width, MatType.CV_8UC4, bitmap.GetPixels(), bitmap.RowBytes);
        using var grey = new Mat();
        Cv2.CvtColor(bgra, grey, ColorConversionCodes.BGRA2GRAY);
        var mask = new Mat();
        Cv2.Threshold(grey, mask, 128, 255, ThresholdTypes.BinaryInv);
        return mask;
    }
}

/// <summary>How a crop is cut and levelled before it is read.</summary>
public sealed class PlateRectifierTests
{
    [Fact]
    public void A_dim_crop_is_stretched_to_black_and_white_keeping_the_order_of_its_levels()
    {
        // A washed-out plate: levels 100..139 only.
        var pixels = Enumerable.Range(0, PlateRectifier.Pixels).Select(i => (byte)(100 + i * 40 / PlateRectifier.Pixels)).ToArray();
        var before = pixels.ToArray();
        PlateRectifier.Stretch(pixels);
        pixels.Min().ShouldBe((byte)0);
        pixels.Max().ShouldBe((byte)255);
        for (var i = 1; i < pixels.Length; i++)
        {
            if (before[i] > before[i - 1])
            {
                pixels[i].ShouldBeGreaterThanOrEqualTo(pixels[i - 1]);
            }
        }
    }

    [Fact]
    public void A_few_glints_do_not_stop_the_stretch_and_a_flat_crop_is_not_blown_up()
    {
        var pixels = Enumerable.Repeat((byte)120, PlateRectifier.Pixels).ToArray();
        for (var i = 0; i < PlateRectifier.Pixels / 2; i += 2)
        {
            pixels[i] = 160; // the plate's characters
        }

        pixels[0] = 255;
        pixels[1] = 0; // a glint and a shadow: fewer than the clipped share
        PlateRectifier.Stretch(pixels);
        pixels[2].ShouldBe((byte)255);
        pixels[3].ShouldBe((byte)0);

        // Sensor noise on a blank wall (levels 118..121) is scaled by at most 255 / MinimumRange, not spread from black to white.
        var flat = Enumerable.Range(0, PlateRectifier.Pixels).Select(i => (byte)(118 + i % 4)).ToArray();
        PlateRectifier.Stretch(flat);
        (flat.Max() - flat.Min()).ShouldBeLessThan(255 * 4 / PlateRectifier.MinimumRange + 1);
        (flat.Max() - flat.Min()).ShouldBeGreaterThan(0);
    }

    [Fact]
    public void A_two_row_plate_is_cut_into_one_line_upper_row_first()
    {
        // A two-row plate 200 px long at (640, 480), level: its box is the plate's outline.
        using var frame = PlateScene.Frame("粤AB2893", PlateStyle.YellowTwoRow, width: 200, angle: 0);
        var region = new PlateRegion(new Point2f(640, 480), 200, 100, 0, PlateColour.Yellow, 1);
        using var crop = new Mat();
        var pixels = new byte[PlateRectifier.Pixels];

        PlateRectifier.CutTwoRows(frame, region, crop, pixels);

        // Marks of dark ink (characters) across the middle rows, gaps of up to two columns bridged (a
        // Chinese character's strokes): two left of the split, five right of it.
        static int Marks(byte[] pixels, int from, int to)
        {
            var marks = 0;
            var gap = int.MaxValue;
            for (var x = from; x < to; x++)
            {
                var ink = Enumerable.Range(4, 24).Count(y => pixels[y * PlateRectifier.Width + x] < 100) >= 4;
                marks += ink && gap > 2 ? 1 : 0;
                gap = ink ? 0 : gap == int.MaxValue ? gap : gap + 1;
            }

            return marks;
        }

        Marks(pixels, 2, PlateRectifier.TwoRowSplit - 1).ShouldBe(2, "province and letter, from the upper row");
        Marks(pixels, PlateRectifier.TwoRowSplit + 1, PlateRectifier.Width - 1).ShouldBe(5, "the serial, from the lower row");
    }
}

/// <summary>Which of the locator's boxes go to the reader.</summary>
public sealed class CandidateSelectionTests
{
    private static PlateRegion Box(float x, float y, float width = 100, float height = 30, float score = 1) =>
        new(new Point2f(x, y), width, height, 0, PlateColour.Blue, score);

    [Fact]
    public void Different_boxes_of_one_plate_are_read_as_views_but_the_same_box_only_once()
    {
        var ranked = new[]
        {
            Box(500, 300),                   // the colour mask's box
            Box(500, 300, 101, 30),          // the same box again (IoU 0.99)
            Box(506, 301, 112, 34),          // a stroke search's box, taking in the rim (IoU ~0.79)
            Box(494, 300, 92, 26),           // another, short at the right (IoU ~0.8)
            Box(503, 298, 118, 38),          // a fourth view: one too many
        };

        var regions = PlateLocator.Keep(ranked, maxRegions: 16);

        regions.ShouldHaveSingleItem().ShouldBe([ranked[0], ranked[2], ranked[3]]);
    }

    [Fact]
    public void Rows_of_characters_are_regions_where_the_ranked_searches_boxed_nothing_and_else_a_last_resort()
    {
        var ranked = new[] { Box(500, 300), Box(900, 300) };
        var rows = new[]
        {
            Box(504, 301, 104, 32, score: 2),   // a row inside the first region (IoU ~0.88): its last resort
            Box(497, 299, 98, 30),              // another there: one last resort a region
            Box(900, 300, 101, 30),             // a copy of the second region's box (IoU 0.99): nothing
            Box(700, 500),                      // a row where nothing was boxed: a region of its own
            Box(702, 501, 104, 31),             // a second box of that row: its view
            Box(100, 100),                      // two more rows elsewhere: one fits under the limit
            Box(300, 600),
        };

        var regions = PlateLocator.Keep(ranked, maxRegions: 16, rows);

        PlateLocator.MaxFallbackRegions.ShouldBe(2, "this test's rows are counted for two");
        regions.Count.ShouldBe(4);
        regions[0].ShouldBe([ranked[0], rows[0] with { LastResort = true }]);
        regions[1].ShouldHaveSingleItem().ShouldBe(ranked[1]);
        regions[2].ShouldBe([rows[3], rows[4]]);
        regions[3].ShouldHaveSingleItem().ShouldBe(rows[5]);
        regions.SelectMany(views => views).Count(view => view.LastResort).ShouldBe(1);
    }

    [Fact]
    public void Views_of_one_region_do_not_crowd_out_other_regions()
    {
        // Twenty regions far apart, the first ranked with two more views of itself ahead of the others.
        var ranked = new List<PlateRegion> { Box(100, 100), Box(104, 101, 110, 33), Box(97, 99, 94, 28) };
        ranked.AddRange(Enumerable.Range(1, 19).Select(i => Box(100 + i % 5 * 200, 100 + i / 5 * 100)));

        var regions = PlateLocator.Keep(ranked, maxRegions: 16);

        regions.Count.ShouldBe(16);
        regions[0].ShouldBe(ranked.Take(3), "the first region with its two other views");
        regions.Skip(1).Select(views => views.ShouldHaveSingleItem()).ShouldBe(ranked.Skip(3).Take(15));
    }
}
