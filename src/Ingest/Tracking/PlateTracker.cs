using System.Security.Cryptography;
using System.Text;
using CameraNet.Contracts;

namespace CameraNet.Ingest.Tracking;

/// <summary>One plate reading on one frame.</summary>
public sealed record PlateObservation(
    string Text,
    float Confidence,
    IReadOnlyList<float> CharacterConfidence,
    PlateColour Colour,
    PlateBox Box,
    DateTimeOffset At);

/// <summary>Settings of <see cref="PlateTracker"/>.</summary>
public sealed record TrackerOptions
{
    /// <summary>A pass ends when its plate has not been read for this long.</summary>
    public TimeSpan Gap { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Readings a pass needs before it counts (one stray reading is not a vehicle).</summary>
    public int MinReadings { get; init; } = 3;

    /// <summary>Readings within this many character edits of a pass belong to it (a misread character or two).</summary>
    public int MaxEdits { get; init; } = 2;

    /// <summary>A vehicle still in view after this long is reported once now and not again while it stays.</summary>
    public TimeSpan MaxPass { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The readings of one vehicle pass so far. Not thread-safe: owned by its camera's tracker.
/// </summary>
public sealed class PlateTrack
{
    private readonly List<PlateObservation> _observations = [];

    internal PlateTrack(PlateObservation first)
    {
        Add(first);
        FirstSeenAt = first.At;
    }

    public DateTimeOffset FirstSeenAt { get; }
    public DateTimeOffset LastSeenAt { get; private set; }
    public IReadOnlyList<PlateObservation> Observations => _observations;

    /// <summary>The most confident reading so far (the crop is taken from its frame).</summary>
    public PlateObservation Best { get; private set; } = null!;

    /// <summary>JPEG of <see cref="Best"/>'s plate, set by the caller when a reading becomes the best.</summary>
    public byte[]? BestCrop { get; set; }

    /// <summary>Reported already (a vehicle that stayed longer than <see cref="TrackerOptions.MaxPass"/>).</summary>
    public bool Reported { get; internal set; }

    /// <summary>The text the pass is known by while it lasts: the best reading's.</summary>
    public string Leader => Best.Text;

    internal void Add(PlateObservation observation)
    {
        _observations.Add(observation);
        LastSeenAt = observation.At > LastSeenAt ? observation.At : LastSeenAt;
        if (Best is null || observation.Confidence > Best.Confidence
            || (observation.Confidence == Best.Confidence && observation.Box.Width > Best.Box.Width))
        {
            Best = observation;
        }
    }

    /// <summary>
    /// The pass's plate by vote: the length most readings (weighted by confidence) agree on, then per
    /// position the character with the most confidence behind it. Each character's confidence is the
    /// share of that position's weight its winner got. Falls back to the best single reading when the
    /// vote mixes readings into something that is not a valid plate number.
    /// </summary>
    public (string Text, double[] CharacterConfidence) Vote()
    {
        var length = _observations.GroupBy(o => o.Text.Length)
            .OrderByDescending(g => g.Sum(o => Weight(o)))
            .ThenByDescending(g => g.Key)
            .First().Key;
        var voters = _observations.Where(o => o.Text.Length == length).ToList();
        var text = new StringBuilder(length);
        var confidence = new double[length];
        for (var i = 0; i < length; i++)
        {
            var total = 0.0;
            var scores = new Dictionary<char, double>();
            foreach (var o in voters)
            {
                var w = Weight(o, i);
                total += w;
                scores[o.Text[i]] = scores.GetValueOrDefault(o.Text[i]) + w;
            }

            var winner = scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key).First();
            text.Append(winner.Key);
            confidence[i] = total > 0 ? Math.Round(winner.Value / total, 4) : 0;
        }

        var voted = text.ToString();
        if (PlateGrammar.IsValid(voted))
        {
            return (voted, confidence);
        }

        var best = voters.OrderByDescending(o => o.Confidence).First();
        return (best.Text, best.CharacterConfidence.Select(c => Math.Round((double)c, 4)).ToArray());
    }

    private static double Weight(PlateObservation o) => Math.Max(o.Confidence, 0.01);

    private static double Weight(PlateObservation o, int position) =>
        position < o.CharacterConfidence.Count ? Math.Max(o.CharacterConfidence[position], 0.01) : Weight(o);

    /// <summary>The colour most readings saw, unless the plate number itself says it (new-energy, police, Hong Kong/Macau).</summary>
    public PlateColour Colour(string plate)
    {
        if (PlateGrammar.TryValidate(plate, out var shape, out _))
        {
            if (shape == PlateShape.NewEnergy)
            {
                return PlateColour.Green;
            }

            if (plate.EndsWith('警'))
            {
                return PlateColour.White;
            }

            if (plate[^1] is '港' or '澳' or '使' or '领')
            {
                return PlateColour.Black;
            }

            if (plate[^1] is '学' or '挂')
            {
                return PlateColour.Yellow;
            }
        }

        return _observations.Where(o => o.Colour is not PlateColour.Unknown)
            .GroupBy(o => o.Colour)
            .OrderByDescending(g => g.Count())
            .Select(g => g.Key)
            .FirstOrDefault(PlateColour.Unknown);
    }

    /// <summary>The vehicle class the plate stands for.</summary>
    public static PlateKind Kind(string plate, PlateColour colour)
    {
        if (!PlateGrammar.TryValidate(plate, out var shape, out _))
        {
            return PlateKind.Unknown;
        }

        return shape switch
        {
            PlateShape.NewEnergy => plate[2] is 'D' or 'F' ? PlateKind.SmallVehicle : PlateKind.LargeVehicle,
            PlateShape.Special => plate[^1] switch
            {
                '警' => PlateKind.Police,
                '港' or '澳' or '使' or '领' => PlateKind.Foreign,
                _ => PlateKind.Special,
            },
            _ => colour switch
            {
                PlateColour.Yellow => PlateKind.LargeVehicle,
                PlateColour.Blue => PlateKind.SmallVehicle,
                _ => PlateKind.Unknown,
            },
        };
    }
}

/// <summary>A pass the tracker finished: its readings voted into one plate.</summary>
public sealed record TrackedPass(
    string CaptureId,
    string Plate,
    PlateColour Colour,
    PlateKind Kind,
    double[] CharacterConfidence,
    int Readings,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset LastSeenAt,
    PlateObservation Best,
    byte[]? Crop);

/// <summary>
/// Groups one camera's plate readings into vehicle passes: a reading joins the live pass whose plate is
/// within <see cref="TrackerOptions.MaxEdits"/> edits (nearest box first when several are), else it
/// starts one. A pass ends after <see cref="TrackerOptions.Gap"/> without a reading and is reported once,
/// if it has enough readings. Time comes from the observations (frame times), so replays and tests are
/// deterministic. Not thread-safe: one per camera, fed by its analysis loop.
/// </summary>
public sealed class PlateTracker(string cameraId, TrackerOptions? options = null)
{
    private readonly TrackerOptions _options = options ?? new TrackerOptions();
    private readonly List<PlateTrack> _live = [];

    public IReadOnlyList<PlateTrack> Live => _live;

    /// <summary>Adds a reading; returns the pass it joined or started.</summary>
    public PlateTrack Observe(PlateObservation observation)
    {
        PlateTrack? match = null;
        var bestEdits = int.MaxValue;
        var bestDistance = double.MaxValue;
        foreach (var track in _live)
        {
            if (observation.At - track.LastSeenAt > _options.Gap)
            {
                continue;
            }

            var edits = EditDistance(observation.Text, track.Leader);
            if (edits > _options.MaxEdits)
            {
                continue;
            }

            var distance = CentreDistance(observation.Box, track.Observations[^1].Box);
            if (edits < bestEdits || (edits == bestEdits && distance < bestDistance))
            {
                (match, bestEdits, bestDistance) = (track, edits, distance);
            }
        }

        if (match is null)
        {
            match = new PlateTrack(observation);
            _live.Add(match);
        }
        else
        {
            match.Add(observation);
        }

        return match;
    }

    /// <summary>
    /// Passes over at <paramref name="now"/> (no reading for the gap), and passes that have lasted longer than
    /// the longest pass (reported now, kept quiet while the vehicle stays). Ended passes with too few readings vanish.
    /// </summary>
    public IReadOnlyList<TrackedPass> Collect(DateTimeOffset now, bool all = false)
    {
        List<TrackedPass>? done = null;
        for (var i = _live.Count - 1; i >= 0; i--)
        {
            var track = _live[i];
            var ended = all || now - track.LastSeenAt > _options.Gap;
            var tooLong = !track.Reported && track.LastSeenAt - track.FirstSeenAt >= _options.MaxPass;
            if (!ended && !tooLong)
            {
                continue;
            }

            if (!track.Reported && track.Observations.Count >= _options.MinReadings)
            {
                (done ??= []).Add(Finish(track));
            }

            if (ended)
            {
                _live.RemoveAt(i);
            }
            else
            {
                track.Reported = true;
            }
        }

        if (done is null)
        {
            return [];
        }

        done.Reverse();
        return done;
    }

    private TrackedPass Finish(PlateTrack track)
    {
        var (plate, confidence) = track.Vote();
        var colour = track.Colour(plate);
        return new TrackedPass(
            CaptureId(cameraId, plate, track.FirstSeenAt), plate, colour, PlateTrack.Kind(plate, colour), confidence,
            track.Observations.Count, track.FirstSeenAt, track.LastSeenAt, track.Best, track.BestCrop);
    }

    /// <summary>
    /// Deterministic capture ID: camera, plate and the first reading's time (ms). The same pass published twice
    /// (retries, the spool after a restart) carries the same ID, which JetStream's duplicate window drops.
    /// </summary>
    public static string CaptureId(string cameraId, string plate, DateTimeOffset firstSeen)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{cameraId}|{plate}|{firstSeen.ToUnixTimeMilliseconds()}"), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions) of two short strings.</summary>
    public static int EditDistance(string a, string b)
    {
        if (a.Length > 32 || b.Length > 32)
        {
            throw new ArgumentException("plate numbers are at most 32 characters");
        }

        Span<int> previous = stackalloc int[b.Length + 1];
        Span<int> current = stackalloc int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            current.CopyTo(previous);
        }

        return previous[b.Length];
    }

    private static double CentreDistance(PlateBox a, PlateBox b)
    {
        var dx = (a.X + a.Width / 2.0) - (b.X + b.Width / 2.0);
        var dy = (a.Y + a.Height / 2.0) - (b.Y + b.Height / 2.0);
        return Math.Sqrt(dx * dx + dy * dy);
    }
}
