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
    };

    private static PlateStyle Style(string name) => name switch
    {
        "blue" => PlateStyle.Blue,
        "yellow" => PlateStyle.Yellow,
        "green-small" => PlateStyle.GreenSmall,
        "green-large" => PlateStyle.GreenLarge,
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
        read.Confidence.ShouldBeGreaterThanOrEqualTo(PlateReader.MinConfidence);
        read.Region.Centre.X.ShouldBeInRange(600f, 680f);
        read.Region.Centre.Y.ShouldBeInRange(450f, 510f);
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
