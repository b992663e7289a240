using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Union;

namespace CameraNet.Inventory.Coverage;

/// <summary>An uncovered area: where the next cameras would add the most.</summary>
public sealed record BlindSpot(int Rank, double UncoveredM2, int Blocks, double CentreLon, double CentreLat, Geometry Area);

/// <summary>
/// Finds blind spots: the division's 200 m blocks (20 × 20 cells) that are mostly inside it and less
/// than 10% covered, joined into connected areas (edge neighbours) and ranked by uncovered area.
/// </summary>
public static class BlindSpots
{
    public const int BlockCells = 20;
    public const double MaxCoveredShare = 0.10;

    public static IReadOnlyList<BlindSpot> Find(DivisionMask mask, CoverageGrid grid, GaussKruger projection, int limit)
    {
        // Tally inside and covered cells per block.
        var blocks = new Dictionary<(int Row, int Col), (int Inside, int Covered)>();
        foreach (var span in mask.Spans)
        {
            for (var col = span.C0; col <= span.C1; col++)
            {
                var key = (span.Row / BlockCells, col / BlockCells);
                var (inside, covered) = blocks.GetValueOrDefault(key);
                blocks[key] = (inside + 1, covered + (grid.Get(span.Row, col) ? 1 : 0));
            }
        }

        var blind = blocks
            .Where(b => b.Value.Inside >= BlockCells * BlockCells / 2 && b.Value.Covered <= MaxCoveredShare * b.Value.Inside)
            .ToDictionary(b => b.Key, b => b.Value);

        var components = new List<List<(int Row, int Col)>>();
        var visited = new HashSet<(int, int)>();
        foreach (var start in blind.Keys)
        {
            if (!visited.Add(start))
            {
                continue;
            }

            var component = new List<(int Row, int Col)>();
            var queue = new Queue<(int Row, int Col)>([start]);
            while (queue.TryDequeue(out var block))
            {
                component.Add(block);
                foreach (var next in new[] { (block.Row + 1, block.Col), (block.Row - 1, block.Col), (block.Row, block.Col + 1), (block.Row, block.Col - 1) })
                {
                    if (blind.ContainsKey(next) && visited.Add(next))
                    {
                        queue.Enqueue(next);
                    }
                }
            }

            components.Add(component);
        }

        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        var size = BlockCells * grid.Cell;
        return components
            .Select(c => (Blocks: c, Uncovered: c.Sum(b => (double)(blind[b].Inside - blind[b].Covered)) * grid.CellArea))
            .OrderByDescending(c => c.Uncovered)
            .Take(limit)
            .Select((c, rank) =>
            {
                var squares = c.Blocks.Select(b =>
                {
                    var x0 = grid.X0 + b.Col * size;
                    var y0 = grid.Y0 + b.Row * size;
                    return (Geometry)factory.CreatePolygon([
                        Corner(projection, x0, y0), Corner(projection, x0 + size, y0), Corner(projection, x0 + size, y0 + size),
                        Corner(projection, x0, y0 + size), Corner(projection, x0, y0)]);
                }).ToList();
                var area = CascadedPolygonUnion.Union(squares);
                var centre = area.Centroid;
                return new BlindSpot(rank + 1, Math.Round(c.Uncovered), c.Blocks.Count, Math.Round(centre.X, 6), Math.Round(centre.Y, 6), area);
            })
            .ToList();
    }

    private static Coordinate Corner(GaussKruger projection, double x, double y)
    {
        var (lon, lat) = projection.Inverse(x, y);
        return new Coordinate(Math.Round(lon, 7), Math.Round(lat, 7));
    }
}
