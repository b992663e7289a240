using CameraNet.Contracts;
using CameraNet.Plates.Synthesis;
using SkiaSharp;

namespace CameraNet.CameraSim.Scenes;

/// <summary>A vehicle crossing the scene between two loop frames, with the look it is drawn with.</summary>
public sealed record ScriptedVehicle(
    int Id,
    string? Plate,
    PlateStyle? PlateStyle,
    VehicleShape Shape,
    SKColor Body,
    int Lane,
    int FirstFrame,
    int LastFrame,
    bool LeftToRight)
{
    /// <summary>0 at the first frame, 1 at the last.</summary>
    public double Progress(int frame) => (frame - FirstFrame) / (double)Math.Max(1, LastFrame - FirstFrame);
}

public enum VehicleShape
{
    Car,
    Suv,
    Bus,
    Truck,
}

/// <summary>
/// Deterministic traffic for a scene: which vehicles pass when, with which plates.
/// Every vehicle enters and leaves inside the loop, so loops join without a jump.
/// </summary>
public static class TrafficScript
{
    private static readonly SKColor[] BodyColours =
    [
        new(235, 235, 235), new(30, 30, 30), new(160, 160, 165), new(190, 30, 35), new(25, 60, 140),
        new(90, 90, 95), new(200, 180, 140), new(20, 100, 60), new(120, 20, 30), new(240, 240, 250),
    ];

    public static IReadOnlyList<ScriptedVehicle> Create(SceneSpec spec)
    {
        var random = new Random(HashCode.Combine(spec.Kind, spec.Variant) ^ 0x5eed);
        return spec.Kind == SceneKind.Checkpoint ? Checkpoint(spec, random) : Street(spec, random);
    }

    private static List<ScriptedVehicle> Checkpoint(SceneSpec spec, Random random)
    {
        // A pass takes ~3.2 s from far to the bottom edge; vehicles in one lane keep a 0.7-pass headway.
        var passFrames = (int)(3.2 * spec.Fps);
        var interval = spec.VehicleInterval * spec.Fps;
        var margin = spec.Fps / 2;
        var laneFree = new int[2];
        var used = new HashSet<string>(StringComparer.Ordinal);
        var vehicles = new List<ScriptedVehicle>();
        for (var start = (double)margin; start + passFrames + margin < spec.FrameCount; start += interval * (0.75 + 0.5 * random.NextDouble()))
        {
            var first = (int)start;
            var lane = random.Next(2);
            if (laneFree[lane] > first)
            {
                lane = 1 - lane;
                if (laneFree[lane] > first)
                {
                    continue;
                }
            }

            var (style, shape) = PickStyle(random);
            var plate = UniquePlate(random, style, used);
            var duration = (int)(passFrames * (0.85 + 0.3 * random.NextDouble()));
            if (first + duration + margin >= spec.FrameCount)
            {
                break;
            }

            laneFree[lane] = first + (int)(duration * 0.7);
            vehicles.Add(new ScriptedVehicle(
                vehicles.Count + 1, plate, style, shape, BodyColours[random.Next(BodyColours.Length)],
                lane, first, first + duration, LeftToRight: false));
        }

        return vehicles;
    }

    private static List<ScriptedVehicle> Street(SceneSpec spec, Random random)
    {
        var vehicles = new List<ScriptedVehicle>();
        var margin = spec.Fps / 2;
        var laneFree = new int[2];
        for (var start = (double)margin; ; start += spec.Fps * (1.5 + 2.5 * random.NextDouble()))
        {
            var first = (int)start;
            var duration = (int)(spec.Fps * (3.0 + 2.0 * random.NextDouble()));
            if (first + duration + margin >= spec.FrameCount)
            {
                break;
            }

            var lane = random.Next(2);
            if (laneFree[lane] > first)
            {
                continue;
            }

            laneFree[lane] = first + duration / 3;
            var shape = (VehicleShape)random.Next(4);
            vehicles.Add(new ScriptedVehicle(
                vehicles.Count + 1, null, null, shape, BodyColours[random.Next(BodyColours.Length)],
                lane, first, first + duration, LeftToRight: lane == 0));
        }

        return vehicles;
    }

    private static (PlateStyle, VehicleShape) PickStyle(Random random) => random.Next(100) switch
    {
        < 58 => (PlateStyle.Blue, VehicleShape.Car),
        < 68 => (PlateStyle.Blue, VehicleShape.Suv),
        < 82 => (PlateStyle.GreenSmall, VehicleShape.Car),
        < 88 => (PlateStyle.GreenLarge, VehicleShape.Bus),
        < 94 => (PlateStyle.Yellow, VehicleShape.Truck),
        _ => (PlateStyle.Yellow, VehicleShape.Bus),
    };

    private static string UniquePlate(Random random, PlateStyle style, HashSet<string> used)
    {
        while (true)
        {
            var plate = RandomPlate(random, style);
            if (used.Add(plate))
            {
                return plate;
            }
        }
    }

    /// <summary>A random plate number that follows <see cref="PlateGrammar"/>; Tianjin (津) plates are the most common.</summary>
    public static string RandomPlate(Random random, PlateStyle style)
    {
        const string digits = PlateGrammar.Digits;
        var chars = new char[style.CharacterCount];
        chars[0] = random.NextDouble() < 0.55 ? '津' : PlateGrammar.Provinces[random.Next(PlateGrammar.Provinces.Length)];
        chars[1] = PlateGrammar.Letters[random.Next(PlateGrammar.Letters.Length)];
        if (style.Colour == PlateColour.Green)
        {
            if (style.LargeVehicle)
            {
                for (var i = 2; i < 7; i++)
                {
                    chars[i] = digits[random.Next(10)];
                }

                chars[7] = random.Next(2) == 0 ? 'D' : 'F';
            }
            else
            {
                chars[2] = random.Next(2) == 0 ? 'D' : 'F';
                chars[3] = random.Next(3) == 0
                    ? PlateGrammar.Letters[random.Next(PlateGrammar.Letters.Length)]
                    : digits[random.Next(10)];
                for (var i = 4; i < 8; i++)
                {
                    chars[i] = digits[random.Next(10)];
                }
            }
        }
        else
        {
            // Up to two letters among the five serial characters, as on real plates.
            var letters = random.Next(3);
            for (var i = 2; i < 7; i++)
            {
                chars[i] = digits[random.Next(10)];
            }

            for (var l = 0; l < letters; l++)
            {
                chars[2 + random.Next(5)] = PlateGrammar.Letters[random.Next(PlateGrammar.Letters.Length)];
            }
        }

        var plate = new string(chars);
        return PlateGrammar.IsValid(plate)
            ? plate
            : throw new InvalidOperationException($"generated plate '{plate}' breaks the plate grammar");
    }
}
