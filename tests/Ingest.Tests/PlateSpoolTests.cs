using System.Text;
using CameraNet.Ingest.Publishing;

namespace CameraNet.Ingest.Tests;

public sealed class PlateSpoolTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cameranet-spool-test-" + Guid.NewGuid().ToString("N"));

    private static SpooledEvent Event(int i) => new($"cameranet.plates.120101.120101001.1201010000121000000{i % 10}", $"id-{i}", Encoding.UTF8.GetBytes($"{{\"n\":{i}}}"));

    [Fact]
    public void Events_come_back_in_order_across_a_reopen_and_the_log_empties_when_all_are_consumed()
    {
        using (var spool = PlateSpool.TryOpen(_dir)!)
        {
            for (var i = 0; i < 5; i++)
            {
                spool.Append(Event(i), 1 << 20).ShouldBeTrue();
            }

            spool.Peek()!.MessageId.ShouldBe("id-0");
            spool.Consume();
            spool.Consume();
        }

        using (var reopened = PlateSpool.TryOpen(_dir)!)
        {
            reopened.Count.ShouldBe(3);
            var seen = new List<SpooledEvent>();
            while (reopened.Peek() is { } e)
            {
                seen.Add(e);
                reopened.Consume();
            }

            seen.Select(e => e.MessageId).ShouldBe(["id-2", "id-3", "id-4"]);
            seen[0].Subject.ShouldBe(Event(2).Subject);
            seen[0].Body.ShouldBe(Event(2).Body);
            reopened.IsEmpty.ShouldBeTrue();
        }

        new FileInfo(Path.Combine(_dir, "plates.log")).Length.ShouldBe(0);
    }

    [Fact]
    public void A_torn_last_record_from_a_crash_mid_write_is_cut_off_and_the_rest_kept()
    {
        using (var spool = PlateSpool.TryOpen(_dir)!)
        {
            spool.Append(Event(1), 1 << 20);
            spool.Append(Event(2), 1 << 20);
        }

        var log = Path.Combine(_dir, "plates.log");
        var length = new FileInfo(log).Length;
        using (var file = new FileStream(log, FileMode.Open))
        {
            file.SetLength(length - 3);
        }

        using var reopened = PlateSpool.TryOpen(_dir)!;
        reopened.Count.ShouldBe(1);
        reopened.Peek()!.MessageId.ShouldBe("id-1");
        reopened.Append(Event(3), 1 << 20).ShouldBeTrue();
        reopened.Consume();
        reopened.Peek()!.MessageId.ShouldBe("id-3", "appends after the cut are readable");
    }

    [Fact]
    public void The_spool_refuses_events_beyond_its_bound_and_cannot_be_opened_twice()
    {
        using var spool = PlateSpool.TryOpen(_dir)!;
        var accepted = 0;
        while (spool.Append(Event(accepted), 1000))
        {
            accepted++;
        }

        accepted.ShouldBeGreaterThan(5);
        spool.PendingBytes.ShouldBeLessThanOrEqualTo(1000);
        spool.Count.ShouldBe(accepted);
        PlateSpool.TryOpen(_dir).ShouldBeNull("the directory is locked while a spool has it open");
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
