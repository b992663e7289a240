using System.Globalization;
using System.Text.Json;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.IO.Converters;

namespace CameraNet.Cli.Generate;

/// <summary>A district or township with its polygon, prepared for fast point-in-polygon tests.</summary>
public sealed record GeneratorDivision(string Code, string Name, string Kind, Geometry Polygon, IPreparedGeometry Prepared, double AreaKm2);

/// <summary>The division boundaries the generator places cameras in, read from the GeoJSON and CSV files of data/tianjin.</summary>
public sealed class TianjinDivisions
{
    private TianjinDivisions(IReadOnlyList<GeneratorDivision> districts, IReadOnlyDictionary<string, IReadOnlyList<GeneratorDivision>> townships)
    {
        Districts = districts;
        Townships = townships;
    }

    public IReadOnlyList<GeneratorDivision> Districts { get; }
    public IReadOnlyDictionary<string, IReadOnlyList<GeneratorDivision>> Townships { get; }

    public static TianjinDivisions Load(string directory)
    {
        var kinds = File.ReadLines(Path.Combine(directory, "townships.csv")).Skip(1)
            .Select(l => l.Split(','))
            .ToDictionary(c => c[0], c => c[2], StringComparer.Ordinal);
        var districts = ReadFeatures(Path.Combine(directory, "districts.geojson"), _ => "区");
        var townships = ReadFeatures(Path.Combine(directory, "townships.geojson"), code => kinds.GetValueOrDefault(code, "other"))
            .GroupBy(t => t.Code[..6])
            .ToDictionary(g => g.Key, g => (IReadOnlyList<GeneratorDivision>)[.. g.OrderBy(t => t.Code, StringComparer.Ordinal)], StringComparer.Ordinal);
        return new TianjinDivisions([.. districts.OrderBy(d => d.Code, StringComparer.Ordinal)], townships);
    }

    private static List<GeneratorDivision> ReadFeatures(string file, Func<string, string> kind)
    {
        var options = new JsonSerializerOptions();
        options.Converters.Add(new GeoJsonConverterFactory());
        using var stream = File.OpenRead(file);
        var collection = JsonSerializer.Deserialize<FeatureCollection>(stream, options)
            ?? throw new InvalidDataException($"{file} is not a GeoJSON FeatureCollection");
        return collection.Select(f =>
        {
            var code = Convert.ToString(f.Attributes["code"], CultureInfo.InvariantCulture)!;
            var area = Convert.ToDouble(f.Attributes["area_km2"], CultureInfo.InvariantCulture);
            return new GeneratorDivision(code, Convert.ToString(f.Attributes["name"], CultureInfo.InvariantCulture)!, kind(code),
                f.Geometry, PreparedGeometryFactory.Prepare(f.Geometry), area);
        }).ToList();
    }
}
