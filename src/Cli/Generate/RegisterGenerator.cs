using System.Globalization;
using System.Text;
using CameraNet.Contracts;
using NetTopologySuite.Geometries;

namespace CameraNet.Cli.Generate;

/// <summary>
/// Writes a realistic camera register for a city: cameras spread over districts by population and
/// area, denser in urban subdistricts, placed along a street grid, with valid GB/T 28181 IDs, plausible
/// directions, fields of view and ranges, and 0.1% electronic checkpoints at arterial crossings.
/// Deterministic for a given seed.
/// </summary>
public sealed class RegisterGenerator(TianjinDivisions divisions, int seed = 20261123)
{
    /// <summary>Resident population in 10,000s (7th census, 2020): where people are, cameras are.</summary>
    private static readonly Dictionary<string, double> Population = new(StringComparer.Ordinal)
    {
        ["120101"] = 35.5, ["120102"] = 85.8, ["120103"] = 82.2, ["120104"] = 89.0, ["120105"] = 64.7, ["120106"] = 48.3,
        ["120110"] = 85.7, ["120111"] = 119.5, ["120112"] = 92.8, ["120113"] = 90.9, ["120114"] = 115.1, ["120115"] = 72.2,
        ["120116"] = 206.7, ["120117"] = 39.5, ["120118"] = 78.7, ["120119"] = 79.6,
    };

    private static readonly string[] Roads =
    [
        "南京路", "卫津路", "解放北路", "大沽南路", "黄河道", "长江道", "红旗路", "复康路", "友谊路", "紫金山路", "中山路", "津塘路",
        "京津公路", "津浦路", "快速路", "外环线", "海河东路", "海河西路", "张自忠路", "金钟河大街", "新华路", "西康路", "成都道", "营口道",
    ];

    private static readonly string[] Corners = ["东北角", "东南角", "西北角", "西南角", "北向南", "南向北", "东向西", "西向东"];

    public const string Header =
        "id,name,kind,districtCode,townshipCode,longitude,latitude,azimuth,fieldOfView,range,mainStreamUrl,subStreamUrl,decodeMode,analysisFps,installDate,ownerUnit,username,password";

    /// <summary>Writes <paramref name="count"/> cameras as CSV; reports progress every 10,000 rows.</summary>
    public void WriteCsv(TextWriter output, int count, bool credentials, Action<int>? progress = null)
    {
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "count must be at least 1");
        }

        var random = new Random(seed);
        output.WriteLine(Header);
        var perDistrict = Allocate(count, random);
        var serials = new Dictionary<string, int>(StringComparer.Ordinal);
        var written = 0;
        var line = new StringBuilder(320);
        foreach (var district in divisions.Districts)
        {
            var towns = divisions.Townships[district.Code];
            var weights = towns.Select(t => TownshipWeight(t.Kind) * Math.Sqrt(t.AreaKm2)).ToArray();
            var total = weights.Sum();
            var units = towns.Select((t, i) => (t.Code, Unit: i + 1)).ToDictionary(x => x.Code, x => x.Unit, StringComparer.Ordinal);
            for (var n = 0; n < perDistrict[district.Code]; n++)
            {
                var town = Pick(towns, weights, total, random);
                var checkpoint = random.NextDouble() < 0.001;
                var (lon, lat) = Place(town, checkpoint, random);
                var kind = checkpoint ? CameraKind.Checkpoint : PickKind(random);
                var unit = units[town.Code]; // grassroots unit (digits 7–8): the township's place in its district
                var type = kind switch { CameraKind.Checkpoint => 121, CameraKind.Ptz => 132, _ => random.Next(3) == 0 ? 131 : 132 };
                var serialKey = string.Create(CultureInfo.InvariantCulture, $"{district.Code}{unit:00}{type}");
                var serial = serials[serialKey] = serials.GetValueOrDefault(serialKey) + 1;
                var id = string.Create(CultureInfo.InvariantCulture, $"{district.Code}{unit:00}00{type}{random.Next(5)}{serial:000000}");
                var (fov, range) = Optics(kind, random);
                var ip = string.Create(CultureInfo.InvariantCulture, $"10.{int.Parse(district.Code[4..], CultureInfo.InvariantCulture)}.{(written / 250) % 250 + 1}.{written % 250 + 2}");
                line.Clear();
                line.Append(id).Append(',')
                    .Append(district.Name).Append(town.Name).Append(' ')
                    .Append(Roads[random.Next(Roads.Length)]).Append('与').Append(Roads[random.Next(Roads.Length)]).Append("交口 ")
                    .Append(Corners[random.Next(Corners.Length)]).Append(',')
                    .Append(char.ToLowerInvariant(kind.ToString()[0])).Append(kind.ToString()[1..]).Append(',')
                    .Append(district.Code).Append(',').Append(town.Code).Append(',')
                    .Append(lon.ToString("0.000000", CultureInfo.InvariantCulture)).Append(',')
                    .Append(lat.ToString("0.000000", CultureInfo.InvariantCulture)).Append(',')
                    .Append(random.Next(360)).Append(',')
                    .Append(fov).Append(',').Append(range).Append(',')
                    .Append("rtsp://").Append(ip).Append(":554/Streaming/Channels/101,")
                    .Append("rtsp://").Append(ip).Append(":554/Streaming/Channels/102,")
                    .Append(kind == CameraKind.Checkpoint ? "full,10," : "keyframe,,")
                    .Append(new DateOnly(2012, 1, 1).AddDays(random.Next(5000)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',')
                    .Append("天津市公安局").Append(district.Name).Append("分局,");
                if (credentials)
                {
                    line.Append("admin,").Append(Password(random));
                }
                else
                {
                    line.Append(',');
                }

                output.WriteLine(line);
                if (++written % 10_000 == 0)
                {
                    progress?.Invoke(written);
                }
            }
        }

        progress?.Invoke(written);
    }

    private static string Password(Random random)
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        Span<char> chars = stackalloc char[14];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    /// <summary>Cameras per district: 80% by population, 20% by area; exact total.</summary>
    private Dictionary<string, int> Allocate(int count, Random random)
    {
        var totalPopulation = Population.Values.Sum();
        var totalArea = divisions.Districts.Sum(d => d.AreaKm2);
        var shares = divisions.Districts.ToDictionary(d => d.Code, d => (0.8 * Population.GetValueOrDefault(d.Code, 50) / totalPopulation) + (0.2 * d.AreaKm2 / totalArea), StringComparer.Ordinal);
        var sum = shares.Values.Sum();
        var result = shares.ToDictionary(s => s.Key, s => (int)(count * s.Value / sum), StringComparer.Ordinal);
        var missing = count - result.Values.Sum();
        var codes = result.Keys.ToArray();
        for (var i = 0; i < missing; i++)
        {
            result[codes[random.Next(codes.Length)]]++;
        }

        return result;
    }

    private static double TownshipWeight(string kind) => kind switch
    {
        "街道" => 3.0,
        "镇" => 1.0,
        "乡" => 0.7,
        _ => 1.5,
    };

    private static GeneratorDivision Pick(IReadOnlyList<GeneratorDivision> towns, double[] weights, double total, Random random)
    {
        var r = random.NextDouble() * total;
        for (var i = 0; i < towns.Count; i++)
        {
            r -= weights[i];
            if (r <= 0)
            {
                return towns[i];
            }
        }

        return towns[^1];
    }

    private static CameraKind PickKind(Random random) => random.Next(1000) switch
    {
        < 50 => CameraKind.MonitoringClass1,
        < 300 => CameraKind.MonitoringClass2,
        < 900 => CameraKind.MonitoringClass3,
        _ => CameraKind.Ptz,
    };

    private static (int Fov, int Range) Optics(CameraKind kind, Random random) => kind switch
    {
        CameraKind.Checkpoint => (30 + random.Next(21), 40 + random.Next(41)),
        CameraKind.Ptz => (360, 150 + random.Next(151)),
        CameraKind.MonitoringClass1 => (60 + random.Next(41), 100 + random.Next(51)),
        CameraKind.MonitoringClass2 => (60 + random.Next(41), 60 + random.Next(41)),
        _ => (70 + random.Next(41), 30 + random.Next(31)),
    };

    /// <summary>
    /// A point inside the township on a street: streets run on a ~300 m grid (arterials every ~2 km,
    /// where checkpoints stand at crossings), with a few metres of jitter.
    /// </summary>
    private static (double Lon, double Lat) Place(GeneratorDivision town, bool checkpoint, Random random)
    {
        var envelope = town.Polygon.EnvelopeInternal;
        var spacing = checkpoint ? 0.02 : 0.003;
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var lon = envelope.MinX + random.NextDouble() * envelope.Width;
            var lat = envelope.MinY + random.NextDouble() * envelope.Height;
            if (checkpoint || random.Next(2) == 0)
            {
                lon = Math.Round(lon / spacing) * spacing;
            }

            if (checkpoint || random.Next(2) == 1)
            {
                lat = Math.Round(lat / spacing) * spacing;
            }

            // Round as the file will (6 decimals, ~0.1 m) before testing, or a point a few centimetres
            // inside a boundary could land outside it once written.
            lon = Math.Round(lon + (random.NextDouble() - 0.5) * 0.0002, 6);
            lat = Math.Round(lat + (random.NextDouble() - 0.5) * 0.0002, 6);
            if (town.Prepared.Covers(new Point(lon, lat)))
            {
                return (lon, lat);
            }
        }

        // A narrow township the grid misses: its interior point is always inside.
        var inside = town.Polygon.InteriorPoint;
        return (Math.Round(inside.X, 6), Math.Round(inside.Y, 6));
    }
}
