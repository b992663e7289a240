using CameraNet.Contracts;
using CameraNet.Ingest.Tracking;

namespace CameraNet.Ingest.Tests;

public sealed class PlateTrackerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private static PlateObservation Read(string text, double seconds, float confidence = 0.9f, int x = 500) =>
        new(text, confidence, [.. text.Select(_ => confidence)], PlateColour.Blue, new PlateBox(x, 400, 120, 36), T0.AddSeconds(seconds));

    [Fact]
    public void Readings_of_one_pass_with_misread_characters_vote_into_one_capture_reported_after_the_gap()
    {
        var tracker = new PlateTracker("12010100001210000001");
        tracker.Observe(Read("津A12345", 0.0));
        tracker.Observe(Read("津A12845", 0.1, 0.5f)); // one character misread, less sure
        tracker.Observe(Read("津A12345", 0.2));
        tracker.Observe(Read("津A1234", 0.3, 0.4f)); // one character lost
        tracker.Observe(Read("津A12345", 0.4));

        tracker.Collect(T0.AddSeconds(1.0)).ShouldBeEmpty("the pass may go on");
        var passes = tracker.Collect(T0.AddSeconds(2.0));

        var pass = passes.ShouldHaveSingleItem();
        pass.Plate.ShouldBe("津A12345");
        pass.Readings.ShouldBe(5);
        pass.FirstSeenAt.ShouldBe(T0);
        pass.LastSeenAt.ShouldBe(T0.AddSeconds(0.4));
        pass.CharacterConfidence[4].ShouldBeLessThan(1.0, "the misread 8 took some of the weight of that position");
        pass.CharacterConfidence[0].ShouldBe(1.0);
        pass.Kind.ShouldBe(PlateKind.SmallVehicle);
        tracker.Live.ShouldBeEmpty();
        tracker.Collect(T0.AddSeconds(10)).ShouldBeEmpty("reported once");
    }

    [Fact]
    public void Two_vehicles_side_by_side_are_two_passes_and_a_stray_reading_is_none()
    {
        var tracker = new PlateTracker("12010100001210000001");
        for (var i = 0; i < 5; i++)
        {
            tracker.Observe(Read("津A12345", i * 0.1, x: 300));
            tracker.Observe(Read("京B67890", i * 0.1, x: 900));
        }

        tracker.Observe(Read("冀C11111", 0.25)); // one reading of a sign, say
        var passes = tracker.Collect(T0.AddSeconds(3));
        passes.Select(p => p.Plate).Order().ShouldBe(["京B67890", "津A12345"]);
    }

    [Fact]
    public void The_same_plate_after_a_long_gap_is_a_new_pass_with_a_new_capture_id()
    {
        var tracker = new PlateTracker("12010100001210000001");
        for (var i = 0; i < 4; i++)
        {
            tracker.Observe(Read("津A12345", i * 0.1));
        }

        var first = tracker.Collect(T0.AddSeconds(2)).ShouldHaveSingleItem();
        for (var i = 0; i < 4; i++)
        {
            tracker.Observe(Read("津A12345", 60 + i * 0.1));
        }

        var second = tracker.Collect(T0.AddSeconds(62)).ShouldHaveSingleItem();
        second.CaptureId.ShouldNotBe(first.CaptureId);
        PlateTracker.CaptureId("12010100001210000001", "津A12345", T0).ShouldBe(first.CaptureId, "the ID is a function of camera, plate and first time");
    }

    [Fact]
    public void A_vehicle_that_stays_in_view_is_reported_once_after_the_longest_pass_and_not_again()
    {
        var tracker = new PlateTracker("12010100001210000001", new TrackerOptions { MaxPass = TimeSpan.FromSeconds(10) });
        var reported = new List<TrackedPass>();
        for (var t = 0.0; t < 40; t += 0.5)
        {
            tracker.Observe(Read("津A12345", t));
            reported.AddRange(tracker.Collect(T0.AddSeconds(t)));
        }

        reported.AddRange(tracker.Collect(T0.AddSeconds(60)));
        reported.ShouldHaveSingleItem().Readings.ShouldBe(21);
    }

    [Fact]
    public void A_new_energy_plate_read_with_its_extra_letter_lost_votes_for_the_length_most_readings_have()
    {
        var tracker = new PlateTracker("12010100001210000001");
        foreach (var (text, t) in new[] { ("津UDS7059", 0.0), ("津DS7059", 0.1), ("津UDS7059", 0.2), ("津UDS7059", 0.3), ("津DS7059", 0.4) })
        {
            tracker.Observe(Read(text, t));
        }

        var pass = tracker.Collect(T0.AddSeconds(5)).ShouldHaveSingleItem();
        pass.Plate.ShouldBe("津UDS7059");
    }

    [Theory]
    [InlineData("津A12345", "津A12345", 0)]
    [InlineData("津A12345", "津A12845", 1)]
    [InlineData("津A12345", "津A1234", 1)]
    [InlineData("津UDS7059", "津DS7059", 1)]
    [InlineData("津A12345", "京B67890", 7)]
    public void Edit_distance_counts_insertions_deletions_and_substitutions(string a, string b, int expected) =>
        PlateTracker.EditDistance(a, b).ShouldBe(expected);

    [Theory]
    [InlineData("津AD12345", PlateColour.Green, PlateKind.SmallVehicle)]
    [InlineData("津A12345D", PlateColour.Green, PlateKind.LargeVehicle)]
    [InlineData("津A1234警", PlateColour.White, PlateKind.Police)]
    [InlineData("津A1234学", PlateColour.Yellow, PlateKind.Special)]
    [InlineData("粤Z1234港", PlateColour.Black, PlateKind.Foreign)]
    [InlineData("津A12345", PlateColour.Yellow, PlateKind.LargeVehicle)]
    public void The_plate_number_and_colour_give_the_vehicle_class(string plate, PlateColour colour, PlateKind kind) =>
        PlateTrack.Kind(plate, colour).ShouldBe(kind);
}
