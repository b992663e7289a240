using System.Numerics;

namespace CameraNet.Inventory.Coverage;

/// <summary>
/// A camera's field of view on the ground: the sector with its apex at the camera, azimuth ± fov/2,
/// radius = range; a disc when fov is 360 (PTZ and 360° cameras). Coordinates in metres (EPSG:4548).
/// </summary>
public readonly record struct Wedge(double X, double Y, double Azimuth, double FieldOfView, double Range)
{
    public bool IsDisc => FieldOfView >= 360;

    /// <summary>True when the point (metres) lies in the wedge (boundary included).</summary>
    public bool Contains(double x, double y)
    {
        double dx = x - X, dy = y - Y;
        if (dx * dx + dy * dy > Range * Range)
        {
            return false;
        }

        if (IsDisc || (dx == 0 && dy == 0))
        {
            return true;
        }

        // Boundary rays as (east, north) vectors; azimuth is clockwise from north.
        var half = FieldOfView / 2 * Math.PI / 180;
        var az = Azimuth * Math.PI / 180;
        double lx = Math.Sin(az - half), ly = Math.Cos(az - half);
        double rx = Math.Sin(az + half), ry = Math.Cos(az + half);
        // Cross products of unit rays and a point at most a few km away: a millimetre of slack keeps
        // points exactly on an edge inside despite rounding.
        const double onEdge = 1e-3;
        var crossLeft = lx * dy - ly * dx;   // <= 0: clockwise of the left ray
        var crossRight = rx * dy - ry * dx;  // >= 0: counter-clockwise of the right ray
        return FieldOfView <= 180
            ? crossLeft <= onEdge && crossRight >= -onEdge
            : !(crossRight < -onEdge && crossLeft > onEdge);
    }
}

/// <summary>
/// A bitmap over a metric grid: one bit per cell, set when any camera's wedge covers the cell's centre.
/// Rows are padded to whole 64-bit words so spans can be set and counted a word at a time.
/// Not thread-safe; the engine serialises access.
/// </summary>
public sealed class CoverageGrid
{
    public CoverageGrid(double x0, double y0, double cell, int width, int height)
    {
        X0 = x0;
        Y0 = y0;
        Cell = cell;
        Width = width;
        Height = height;
        WordsPerRow = (width + 63) / 64;
        Bits = new ulong[(long)WordsPerRow * height];
    }

    public double X0 { get; }
    public double Y0 { get; }
    public double Cell { get; }
    public int Width { get; }
    public int Height { get; }
    public int WordsPerRow { get; }
    public ulong[] Bits { get; }

    public double CellArea => Cell * Cell;

    public double CentreX(int col) => X0 + (col + 0.5) * Cell;

    public double CentreY(int row) => Y0 + (row + 0.5) * Cell;

    /// <summary>Columns whose centres lie in [x0, x1], clipped to the grid (empty when c0 &gt; c1).</summary>
    public (int C0, int C1) ColumnsBetween(double x0, double x1) =>
        (Math.Max(0, (int)Math.Ceiling((x0 - X0) / Cell - 0.5)), Math.Min(Width - 1, (int)Math.Floor((x1 - X0) / Cell - 0.5)));

    public (int R0, int R1) RowsBetween(double y0, double y1) =>
        (Math.Max(0, (int)Math.Ceiling((y0 - Y0) / Cell - 0.5)), Math.Min(Height - 1, (int)Math.Floor((y1 - Y0) / Cell - 0.5)));

    public bool Get(int row, int col) => (Bits[(long)row * WordsPerRow + (col >> 6)] & (1UL << (col & 63))) != 0;

    public void Set(int row, int col) => Bits[(long)row * WordsPerRow + (col >> 6)] |= 1UL << (col & 63);

    public void SetSpan(int row, int c0, int c1) => Span(row, c0, c1, set: true);

    public void ClearSpan(int row, int c0, int c1) => Span(row, c0, c1, set: false);

    private void Span(int row, int c0, int c1, bool set)
    {
        if (c0 > c1)
        {
            return;
        }

        var rowStart = (long)row * WordsPerRow;
        int w0 = c0 >> 6, w1 = c1 >> 6;
        for (var w = w0; w <= w1; w++)
        {
            var lo = w == w0 ? c0 & 63 : 0;
            var hi = w == w1 ? c1 & 63 : 63;
            var mask = (hi == 63 ? ulong.MaxValue : (1UL << (hi + 1)) - 1) & ~((1UL << lo) - 1);
            if (set)
            {
                Bits[rowStart + w] |= mask;
            }
            else
            {
                Bits[rowStart + w] &= ~mask;
            }
        }
    }

    /// <summary>Set bits among columns c0..c1 of a row.</summary>
    public long CountSpan(int row, int c0, int c1)
    {
        if (c0 > c1)
        {
            return 0;
        }

        var rowStart = (long)row * WordsPerRow;
        int w0 = c0 >> 6, w1 = c1 >> 6;
        long count = 0;
        for (var w = w0; w <= w1; w++)
        {
            var lo = w == w0 ? c0 & 63 : 0;
            var hi = w == w1 ? c1 & 63 : 63;
            var mask = (hi == 63 ? ulong.MaxValue : (1UL << (hi + 1)) - 1) & ~((1UL << lo) - 1);
            count += BitOperations.PopCount(Bits[rowStart + w] & mask);
        }

        return count;
    }

    /// <summary>Sets every cell whose centre lies in the wedge.</summary>
    public void Add(in Wedge wedge)
    {
        var (r0, r1) = RowsBetween(wedge.Y - wedge.Range, wedge.Y + wedge.Range);
        var r2 = wedge.Range * wedge.Range;
        for (var row = r0; row <= r1; row++)
        {
            var dy = CentreY(row) - wedge.Y;
            var half = Math.Sqrt(Math.Max(0, r2 - dy * dy));
            var (c0, c1) = ColumnsBetween(wedge.X - half, wedge.X + half);
            if (wedge.IsDisc)
            {
                SetSpan(row, c0, c1);
                continue;
            }

            for (var col = c0; col <= c1; col++)
            {
                if (wedge.Contains(CentreX(col), CentreY(row)))
                {
                    Set(row, col);
                }
            }
        }
    }

    /// <summary>Clears a rectangle of cells (to be redrawn from the cameras that still cover it).</summary>
    public void Clear(int r0, int r1, int c0, int c1)
    {
        for (var row = Math.Max(0, r0); row <= Math.Min(Height - 1, r1); row++)
        {
            ClearSpan(row, Math.Max(0, c0), Math.Min(Width - 1, c1));
        }
    }

    public void ClearAll() => Array.Clear(Bits);
}
