using CameraNet.Contracts;
using CameraNet.Plates.Recognition;
using CameraNet.Plates.Synthesis;
using CameraNet.Plates.Training;
using OpenCvSharp;

namespace CameraNet.Plates.Tests;

/// <summary>The box refiner: its canvas geometry, its committed model on badly boxed synthetic plates and on plain ground, and its training canvases.</summary>
public sealed class PlateRefinerTests : IDisposable
{
    private readonly PlateReader _reader = PlateReader.CreateDefault();
    private readonly PlateRefiner _refiner = new(EmbeddedModels.Bytes("models/plate-refiner.onnx"));

    public void Dispose()
    {
        _reader.Dispose();
        _refiner.Dispose();
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-17f)]
    [InlineData(33f)]
    public void The_canvas_maps_back_to_the_image_it_was_drawn_from(float angle)
    {
        var region = new PlateRegion(new Point2f(300, 200), 150, 60, angle, PlateColour.Blue, 1);
        var window = PlateRefiner.Window(region);
        var frame = Upright.Of(window, new Size(PlateRefiner.Width, PlateRefiner.Height), PlateRefiner.Height / window.Height);

        var centre = frame.ToCanvas(region.Centre);
        centre.X.ShouldBe(PlateRefiner.Width / 2f, 0.01f);
        centre.Y.ShouldBe(PlateRefiner.Height / 2f, 0.01f);
        foreach (var p in new[] { new Point2f(0, 0), new Point2f(17.5f, 63), new Point2f(128, 64) })
        {
            var back = frame.ToCanvas(frame.ToImage(p));
            back.X.ShouldBe(p.X, 0.01f);
            back.Y.ShouldBe(p.Y, 0.01f);
        }

        window.Width.ShouldBe(150 * PlateRefiner.WindowAlong, 0.01f);
        window.Height.ShouldBe(window.Width / 2, 0.01f);
    }

    /// <summary>Boxes the locator draws around plates its cuts cannot read (the plate is 180×57 px at (640, 480)).</summary>
    public static TheoryData<float, float, float, float, float> BadBoxes => new()
    {
        { 640, 470, 180, 28, 0 },   // the upper half of the plate only
        { 615, 480, 120, 57, 0 },   // stops short of the right end by a third
        { 640, 490, 180, 120, 0 },  // twice the plate's height
        { 680, 482, 270, 70, 0 },   // takes in half a plate to the right
        { 640, 480, 200, 70, 8 },   // turned by 8°
    };

    [Theory]
    [MemberData(nameof(BadBoxes))]
    public void A_badly_boxed_plate_is_boxed_anew(float x, float y, float width, float height, float angle)
    {
        using var frame = PlateReaderTests.Scene("津A12345", PlateStyle.Blue, angle: 0);

        var refined = _refiner.Refine(frame, new PlateRegion(new Point2f(x, y), width, height, angle, PlateColour.Blue, 1));

        refined.ShouldNotBeNull();
        var (box, presence) = refined.Value;
        presence.ShouldBeGreaterThan(0.5f);
        box.Centre.X.ShouldBeInRange(628f, 652f);
        box.Centre.Y.ShouldBeInRange(474f, 486f);
        box.Width.ShouldBeInRange(165f, 195f);
        box.Height.ShouldBeInRange(48f, 66f);
        box.Angle.ShouldBeInRange(-3f, 3f);
        box.LastResort.ShouldBeTrue();
        box.Colour.ShouldBe(PlateColour.Blue, "a refined box keeps its region's colour");
    }

    [Fact]
    public void Plain_ground_and_regions_outside_the_image_hold_no_plate()
    {
        using var frame = PlateReaderTests.Scene("津A12345", PlateStyle.Blue, angle: 0);
        _refiner.Refine(frame, new PlateRegion(new Point2f(200, 150), 180, 57, 0, PlateColour.Blue, 1)).ShouldBeNull();
        _refiner.Refine(frame, new PlateRegion(new Point2f(-900, -900), 180, 57, 0, PlateColour.Blue, 1)).ShouldBeNull("outside the image");
        _refiner.Refine(frame, new PlateRegion(new Point2f(640, 480), 1, 0, 0, PlateColour.Blue, 1)).ShouldBeNull("degenerate");
    }

    [Fact]
    public void A_region_none_of_whose_cuts_reads_is_read_from_its_refined_box()
    {
        using var frame = PlateReaderTests.Scene("粤B7Q53W", PlateStyle.Blue, angle: 0);
        // A third too long, more than twice the plate's height, its centre 40 px left of the plate's.
        var badBox = new PlateRegion(new Point2f(600, 480), 240, 125, 0, PlateColour.Blue, 1);
        _reader.ReadRegion(frame, badBox).ShouldBeNull("the box alone reads nothing (else this test shows nothing)");
        using (var withoutRefiner = PlateReader.CreateLineReaderOnly())
        {
            withoutRefiner.ReadViews(frame, [badBox]).ShouldBeEmpty("nor the row of characters around it (else this test shows nothing of the refiner)");
        }

        var reads = _reader.ReadViews(frame, [badBox]);

        reads.Select(r => r.Text).ShouldBe(["粤B7Q53W"]);
        reads[0].Region.LastResort.ShouldBeTrue();
        reads[0].Region.Centre.X.ShouldBeInRange(625f, 655f);
    }

    [Fact]
    public void A_model_that_is_not_a_refiner_is_refused_with_what_it_emits()
    {
        var error = Should.Throw<ArgumentException>(() => new PlateRefiner(EmbeddedModels.Bytes("models/plate-province.onnx")));
        error.Message.ShouldContain("a box refiner emits 9 values");
    }

    [Fact]
    public void A_candidate_refiner_file_that_is_no_refiner_or_missing_is_refused_naming_the_file()
    {
        string path;
        using (var lineModel = EmbeddedModels.File("models/plate-ocr.onnx"))
        {
            path = lineModel.Path;
            var error = Should.Throw<ArgumentException>(() => PlateReader.FromFiles(null, null, refinerPath: path));
            error.Message.ShouldContain(path);
            error.Message.ShouldContain("a box refiner emits 9 values");
        }

        Should.Throw<ArgumentException>(() => PlateReader.FromFiles(null, null, refinerPath: path)).Message.ShouldContain($"cannot read the model {path}");
    }

    [Fact]
    public void A_canvas_of_the_wrong_size_is_refused()
    {
        using var frame = PlateReaderTests.Scene("津A12345", PlateStyle.Blue, angle: 0);
        Should.Throw<ArgumentException>(() => PlateRefiner.Draw(frame, new PlateRegion(new Point2f(640, 480), 180, 57, 0, PlateColour.Blue, 1), new byte[100]))
            .Message.ShouldContain("8192 bytes, not 100");
        Should.Throw<ArgumentException>(() => _refiner.Run(new byte[10])).Message.ShouldContain("8192 bytes, not 10");
    }

    [Fact]
    public void Training_canvases_depend_only_on_seed_and_index_and_locate_their_plate()
    {
        var renderer = SampleWriter.Renderer();
        var present = 0;
        for (var i = 0; i < 40; i++)
        {
            var (pixels, target) = SampleGenerator.RefinerSample(3, i, renderer);
            var (again, targetAgain) = SampleGenerator.RefinerSample(3, i, renderer);
            again.ShouldBe(pixels);
            targetAgain.ShouldBe(target);
            target.Length.ShouldBe(PlateRefiner.Outputs);
            if (target[0] == 1)
            {
                present++;
                // The plate's centre (the mean of its corners) lies in the canvas's middle, TL left of TR, TL above BL.
                var cx = (target[1] + target[3] + target[5] + target[7]) / 4;
                var cy = (target[2] + target[4] + target[6] + target[8]) / 4;
                cx.ShouldBeInRange(0.1f, 0.9f);
                cy.ShouldBeInRange(0.1f, 0.9f);
                target[3].ShouldBeGreaterThan(target[1]);
                target[8].ShouldBeGreaterThan(target[2]);
            }
            else
            {
                target.Skip(1).ShouldAllBe(v => v == 0);
            }
        }

        present.ShouldBeInRange(15, 39, "most canvases hold a plate, some do not");
    }
}
