using NetTopologySuite.Geometries;

namespace CameraNet.Inventory.Coverage;

/// <summary>A run of cells in one grid row: columns c0..c1 inclusive.</summary>
public readonly record struct CellSpan(int Row, int C0, int C1);

/// <summary>
/// A division's polygon rasterised onto the coverage grid: the cells whose centres lie inside it,
/// as row spans (scanline fill, even-odd, holes and multiple parts included).
/// </summary>
public sealed class DivisionMask
{
    private DivisionMask(string code, IReadOnlyList<CellSpan> spans, Envelope projected, double areaM2)
    {
        Code = code;
        Spans = spans;
        Envelope = projected;
        AreaM2 = areaM2;
        Cells = spans.Sum(s => (long)(s.C1 - s.C0 + 1));
        if (spans.Count > 0)
        {
            MinRow = spans.Min(s => s.Row);
            MaxRow = spans.Max(s => s.Row);
        }
    }

    public string Code { get; }
    public IReadOnlyList<CellSpan> Spans { get; }

    /// <summary>Extent in metres (EPSG:4548).</summary>
    public Envelope Envelope { get; }

    /// <summary>Exact area of the projected polygon, m².</summary>
    public double AreaM2 { get; }

    public long Cells { get; }
    public int MinRow { get; }
    public int MaxRow { get; }

    /// <summary>Covered cells of this division in the grid.</summary>
    public long Covered(CoverageGrid grid)
    {
        long covered = 0;
        foreach (var s in Spans)
        {
            covered += grid.CountSpan(s.Row, s.C0, s.C1);
        }

        return covered;
    }

    /// <summary>Projects a WGS-84 polygon to metres with <paramref name="projection"/>.</summary>
    public static Geometry Project(Geometry geometry, GaussKruger projection)
    {
        var copy = geometry.Copy();
        copy.Apply(new ProjectFilter(projection));
        copy.GeometryChanged();
        return copy;
    }

    public static DivisionMask Rasterise(string code, Geometry projected, CoverageGrid grid)
    {
        var edges = new List<(double X0, double Y0, double X1, double Y1)>();
        for (var i = 0; i < projected.NumGeometries; i++)
        {
            if (projected.GetGeometryN(i) is not Polygon polygon)
            {
                continue;
            }

            foreach (var ring in new[] { polygon.Shell }.Concat(polygon.Holes))
            {
                var c = ring.Coordinates;
                for (var j = 0; j + 1 < c.Length; j++)
                {
                    edges.Add((c[j].X, c[j].Y, c[j + 1].X, c[j + 1].Y));
                }
            }
        }

        var envelope = projected.EnvelopeInternal;
        var spans = new List<CellSpan>();
        var crossings = new List<double>();
        var (r0, r1) = grid.RowsBetween(envelope.MinY, envelope.MaxY);
        for (var row = r0; row <= r1; row++)
        {
            var y = grid.CentreY(row);
            crossings.Clear();
            foreach (var (ax, ay, bx, by) in edges)
            {
                // Half-open rule: an edge counts when y is in [min, max), so shared vertices count once.
                if ((ay <= y && by > y) || (by <= y && ay > y))
                {
                    crossings.Add(ax + (y - ay) * (bx - ax) / (by - ay));
                }
            }

            crossings.Sort();
            for (var k = 0; k + 1 < crossings.Count; k += 2)
            {
                var (c0, c1) = grid.ColumnsBetween(crossings[k], crossings[k + 1]);
                if (c0 <= c1)
                {
                    spans.Add(new CellSpan(row, c0, c1));
                }
            }
        }

        return new DivisionMask(code, spans, envelope, projected.Area);
    }

    private sealed class ProjectFilter(GaussKruger projection) : IEntireCoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence sequence)
        {
            for (var i = 0; i < sequence.Count; i++)
            {
                var (x, y) = projection.Forward(sequence.GetX(i), sequence.GetY(i));
                sequence.SetX(i, x);
                sequence.SetY(i, y);
            }
        }
    }
}
