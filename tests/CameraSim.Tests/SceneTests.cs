using CameraNet.CameraSim.Rtsp;
using CameraNet.CameraSim.Scenes;
using CameraNet.Contracts;
using CameraNet.Plates.Synthesis;

namespace CameraNet.CameraSim.Tests;

public sealed class SceneTests
{
    private static readonly SceneSpec Short = new() { Kind = SceneKind.Checkpoint, Variant = 3, Seconds = 20 };

    [Fact]
    public void The_same_spec_gives_the_same_traffic_and_truth()
    {
        using var a = new SceneRenderer(Short);
        using var b = new SceneRenderer(Short);
        System.Text.Json.JsonSerializer.Serialize(a.Truth(), SceneTruth.Json)
            .ShouldBe(System.Text.Json.JsonSerializer.Serialize(b.Truth(), SceneTruth.Json));
    }

    [Fact]
    public void Checkpoint_passes_have_valid_plates_visible_inside_the_frame_and_inside_the_loop()
    {
        using var renderer = new SceneRenderer(Short);
        var truth = renderer.Truth();
        truth.Passes.Count.ShouldBeGreaterThan(5);
        truth.Passes.Select(p => p.Plate).Distinct().Count().ShouldBe(truth.Passes.Count, "plates are unique within a loop");
        foreach (var pass in truth.Passes)
        {
            PlateGrammar.IsValid(pass.Plate).ShouldBeTrue(pass.Plate);
            pass.FirstFrame.ShouldBeGreaterThan(0);
            pass.LastFrame.ShouldBeLessThan(truth.FrameCount);
            pass.Track.Count.ShouldBeGreaterThan(10, $"{pass.Plate} should be readable for a while");
            foreach (var box in pass.Track)
            {
                var (f, cx, cy, w, h) = (box[0], box[1], box[2], box[3], box[4]);
                f.ShouldBeInRange(pass.FirstFrame, pass.LastFrame);
                (cx - w / 2).ShouldBeGreaterThanOrEqualTo(0);
                (cy - h / 2).ShouldBeGreaterThanOrEqualTo(0);
                (cx + w / 2).ShouldBeLessThanOrEqualTo(Short.Width);
                (cy + h / 2).ShouldBeLessThanOrEqualTo(Short.Height);
            }
        }
    }

    [Fact]
    public void Loops_are_whole_gops_so_every_loop_starts_on_a_key_frame()
    {
        var spec = new SceneSpec { Seconds = 7, Fps = 25, Gop = 40 };
        spec.FrameCount.ShouldBe(200);
        (spec.FrameCount % spec.Gop).ShouldBe(0);
    }

    [Theory]
    [InlineData(PlateColour.Blue, false)]
    [InlineData(PlateColour.Yellow, false)]
    [InlineData(PlateColour.Green, false)]
    [InlineData(PlateColour.Green, true)]
    public void Random_plates_follow_the_grammar_and_can_be_drawn(PlateColour colour, bool large)
    {
        var random = new Random(42);
        var style = new PlateStyle(colour, large);
        for (var i = 0; i < 2000; i++)
        {
            var plate = TrafficScript.RandomPlate(random, style);
            PlateGrammar.TryValidate(plate, out var shape, out var error).ShouldBeTrue(error);
            (shape == PlateShape.NewEnergy).ShouldBe(colour == PlateColour.Green);
            PlateRenderer.Default.CanRender(plate).ShouldBeTrue(plate);
        }
    }

    [Fact]
    public void Invalid_scene_settings_are_reported_per_field()
    {
        var problems = new SceneSpec { Width = 1279, Fps = 0, Seconds = 1 }.Problems().ToList();
        problems.ShouldContain(p => p.StartsWith("width", StringComparison.Ordinal));
        problems.ShouldContain(p => p.StartsWith("fps", StringComparison.Ordinal));
        problems.ShouldContain(p => p.StartsWith("seconds", StringComparison.Ordinal));
    }
}

public sealed class RtpPacketisationTests
{
    private static byte[] Nal(byte header, int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        data[0] = header;
        return data;
    }

    private static byte[] AnnexB(params byte[][] nals) =>
        nals.SelectMany(n => new byte[] { 0, 0, 0, 1 }.Concat(n)).ToArray();

    [Fact]
    public void An_annex_b_stream_splits_into_access_units_at_delimiters()
    {
        var stream = H264Stream.Parse(AnnexB(
            [0x09, 0xF0], Nal(0x67, 12, 1), Nal(0x68, 4, 2), Nal(0x65, 3000, 3),
            [0x09, 0xF0], Nal(0x41, 900, 4),
            [0x09, 0xF0], Nal(0x41, 50, 5)));
        stream.Units.Count.ShouldBe(3);
        stream.Units[0].IsKeyFrame.ShouldBeTrue();
        stream.Units[1].IsKeyFrame.ShouldBeFalse();
        stream.Units[0].Nals.Count.ShouldBe(3, "AUDs are dropped; SPS, PPS and the slice stay");
        stream.ProfileLevelId.ShouldBe(Convert.ToHexString(Nal(0x67, 12, 1).AsSpan(1, 3)));
    }

    [Fact]
    public void Large_nal_units_are_fragmented_and_reassemble_exactly()
    {
        var idr = Nal(0x65, 5000, 7);
        var stream = H264Stream.Parse(AnnexB([0x09, 0xF0], Nal(0x67, 12, 1), Nal(0x68, 4, 2), idr));
        var frames = RtpFrameSet.FromStream(stream, 25);
        var frame = frames.Frames[0];
        var buffer = new byte[frame.Data.Length];
        frame.CopyTo(buffer, sequence: 65534, timestamp: 1234, ssrc: 0xABCDEF01);

        var nals = new List<byte[]>();
        List<byte>? fragment = null;
        var sequences = new List<int>();
        var markers = new List<bool>();
        for (var offset = 0; offset < buffer.Length;)
        {
            buffer[offset].ShouldBe((byte)'$');
            var length = (buffer[offset + 2] << 8) | buffer[offset + 3];
            var rtp = buffer.AsSpan(offset + 4, length);
            sequences.Add((rtp[2] << 8) | rtp[3]);
            markers.Add((rtp[1] & 0x80) != 0);
            ((rtp[8] << 24) | (rtp[9] << 16) | (rtp[10] << 8) | rtp[11]).ShouldBe(unchecked((int)0xABCDEF01));
            var payload = rtp[12..];
            if ((payload[0] & 0x1F) == 28)
            {
                if ((payload[1] & 0x80) != 0)
                {
                    fragment = [(byte)((payload[0] & 0xE0) | (payload[1] & 0x1F))];
                }

                fragment!.AddRange(payload[2..].ToArray());
                if ((payload[1] & 0x40) != 0)
                {
                    nals.Add([.. fragment]);
                    fragment = null;
                }
            }
            else
            {
                nals.Add(payload.ToArray());
            }

            offset += 4 + length;
        }

        nals.Count.ShouldBe(3);
        nals[2].ShouldBe(idr);
        sequences.ShouldBe(Enumerable.Range(0, sequences.Count).Select(i => (65534 + i) % 65536).ToList(), "sequence numbers wrap at 16 bits");
        markers.Count(m => m).ShouldBe(1);
        markers[^1].ShouldBeTrue("the marker bit closes the access unit");
    }
}
