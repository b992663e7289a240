using CameraNet.CameraSim;
using CameraNet.CameraSim.Scenes;

namespace CameraNet.DevStack;

/// <summary>A vehicle pass the simulator showed: its camera (simulator name), plate, and when its plate was in full view.</summary>
public sealed record ExpectedPass(string Camera, string Plate, DateTimeOffset Start, DateTimeOffset End);

/// <summary>A reported capture, reduced to what scoring needs.</summary>
public sealed record ObservedCapture(string Camera, string Plate, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, string CaptureId);

/// <summary>How reported captures compare with the passes the simulator showed.</summary>
public sealed record PassScore(
    int Passes,
    int ExactlyOneRight,
    int Doubled,
    int Missed,
    int WrongText,
    int Unmatched,
    IReadOnlyList<string> Problems)
{
    /// <summary>Share of passes with exactly one capture, and that capture's plate right.</summary>
    public double Recall => Passes == 0 ? 0 : ExactlyOneRight / (double)Passes;

    public override string ToString() =>
        $"{Passes} passes: {ExactlyOneRight} captured once with the right plate ({Recall:P1}), {Doubled} captured twice or more, " +
        $"{WrongText} with a wrong plate, {Missed} missed; {Unmatched} captures match no pass";
}

/// <summary>
/// The simulator's ground truth in wall-clock time, and a scorer for captures against it. A camera plays its
/// scene loop again and again, so one scripted vehicle gives a pass every loop.
/// </summary>
public static class PassTruth
{
    /// <summary>Passes of camera <paramref name="name"/> whose plate was in full view entirely between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public static IReadOnlyList<ExpectedPass> Between(LocalCameraSim sim, string name, DateTimeOffset from, DateTimeOffset to) =>
        Between(sim.Manifest, sim.Camera(name), sim.Truth(name), from, to);

    public static IReadOnlyList<ExpectedPass> Between(SimulatorManifest manifest, MountInfo mount, SceneTruth truth, DateTimeOffset from, DateTimeOffset to)
    {
        var fps = (double)mount.Scene.Fps;
        var passes = new List<ExpectedPass>();
        foreach (var pass in truth.Passes)
        {
            if (pass.Plate is null || pass.Track.Count == 0)
            {
                continue;
            }

            var first = pass.Track.Min(t => t[0]);
            var last = pass.Track.Max(t => t[0]);

            // Loop frame f is shown at absolute frame n where (n + offset) mod count = f.
            var k0 = (long)Math.Floor(((from - manifest.StartedAt).TotalSeconds * fps + mount.OffsetFrames - first) / truth.FrameCount);
            for (var k = k0; ; k++)
            {
                var startFrame = k * truth.FrameCount + first - mount.OffsetFrames;
                var start = manifest.StartedAt + TimeSpan.FromSeconds(startFrame / fps);
                var end = start + TimeSpan.FromSeconds((last - first + 1) / fps);
                if (start > to)
                {
                    break;
                }

                if (start >= from && end <= to)
                {
                    passes.Add(new ExpectedPass(mount.Name, pass.Plate, start, end));
                }
            }
        }

        return [.. passes.OrderBy(p => p.Start)];
    }

    /// <summary>
    /// Pairs captures with passes of the same camera whose time (± <paramref name="slack"/>) overlaps, preferring the
    /// pass whose plate differs least, and scores <paramref name="passes"/>. <paramref name="context"/> (a superset:
    /// passes just before and after the scored span) takes captures of vehicles that were only partly inside it.
    /// Captures outside the span are ignored (the run's edges).
    /// </summary>
    public static PassScore Score(IReadOnlyList<ExpectedPass> passes, IEnumerable<ObservedCapture> captures, TimeSpan slack, IReadOnlyList<ExpectedPass>? context = null)
    {
        var scored = passes.ToHashSet();
        var all = (context ?? passes).Union(passes).ToList();
        var byPass = all.ToDictionary(p => p, _ => new List<ObservedCapture>());
        var unmatched = 0;
        var problems = new List<string>();
        var spans = passes.GroupBy(p => p.Camera).ToDictionary(g => g.Key, g => (From: g.Min(p => p.Start) - slack, To: g.Max(p => p.End) + slack));
        foreach (var capture in captures)
        {
            if (!spans.TryGetValue(capture.Camera, out var span) || capture.LastSeen < span.From || capture.FirstSeen > span.To)
            {
                continue;
            }

            var candidates = all.Where(p => p.Camera == capture.Camera && capture.FirstSeen <= p.End + slack && capture.LastSeen >= p.Start - slack)
                .OrderBy(p => Differences(p.Plate, capture.Plate))
                .ThenBy(p => Math.Abs((p.Start - capture.FirstSeen).TotalSeconds))
                .ToList();
            if (candidates.Count == 0)
            {
                unmatched++;
                problems.Add($"{capture.Camera} {capture.Plate} at {capture.FirstSeen:HH:mm:ss.f}–{capture.LastSeen:HH:mm:ss.f}: no pass then");
                continue;
            }

            byPass[candidates[0]].Add(capture);
        }

        int right = 0, doubled = 0, missed = 0, wrong = 0;
        foreach (var (pass, found) in byPass)
        {
            if (!scored.Contains(pass))
            {
                continue;
            }

            switch (found.Count)
            {
                case 0:
                    missed++;
                    problems.Add($"{pass.Camera} {pass.Plate} at {pass.Start:HH:mm:ss.f}: missed");
                    break;
                case 1 when found[0].Plate == pass.Plate:
                    right++;
                    break;
                case 1:
                    wrong++;
                    problems.Add($"{pass.Camera} {pass.Plate} at {pass.Start:HH:mm:ss.f}: read as {found[0].Plate}");
                    break;
                default:
                    doubled++;
                    problems.Add($"{pass.Camera} {pass.Plate} at {pass.Start:HH:mm:ss.f}: {found.Count} captures ({string.Join(", ", found.Select(f => f.Plate))})");
                    break;
            }
        }

        return new PassScore(passes.Count, right, doubled, missed, wrong, unmatched, problems);
    }

    private static int Differences(string a, string b)
    {
        var n = Math.Abs(a.Length - b.Length);
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            n += a[i] == b[i] ? 0 : 1;
        }

        return n;
    }
}
