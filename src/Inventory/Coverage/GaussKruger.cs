namespace CameraNet.Inventory.Coverage;

/// <summary>
/// Transverse Mercator on the GRS80/CGCS2000 ellipsoid with Krüger's series to the 4th order
/// (sub-millimetre within a 3° zone): EPSG:4548 "CGCS2000 / 3-degree Gauss-Kruger CM 117E" by default
/// (central meridian 117°E, false easting 500 km, scale 1), the metric grid coverage is computed in.
/// </summary>
public sealed class GaussKruger
{
    private const double A = 6378137.0;
    private const double F = 1 / 298.257222101;

    private readonly double _lon0;
    private readonly double _falseEasting;
    private readonly double _k0;
    private readonly double _rectifying;
    private readonly double _n;
    private readonly double[] _alpha;
    private readonly double[] _beta;
    private readonly double[] _delta;

    public GaussKruger(double centralMeridianDegrees = 117, double falseEasting = 500_000, double scale = 1)
    {
        _lon0 = centralMeridianDegrees * Math.PI / 180;
        _falseEasting = falseEasting;
        _k0 = scale;
        var n = F / (2 - F);
        _n = n;
        double n2 = n * n, n3 = n2 * n, n4 = n3 * n;
        _rectifying = A / (1 + n) * (1 + n2 / 4 + n4 / 64);
        _alpha = [n / 2 - 2 * n2 / 3 + 5 * n3 / 16 + 41 * n4 / 180, 13 * n2 / 48 - 3 * n3 / 5 + 557 * n4 / 1440, 61 * n3 / 240 - 103 * n4 / 140, 49561 * n4 / 161280];
        _beta = [n / 2 - 2 * n2 / 3 + 37 * n3 / 96 - n4 / 360, n2 / 48 + n3 / 15 - 437 * n4 / 1440, 17 * n3 / 480 - 37 * n4 / 840, 4397 * n4 / 161280];
        _delta = [2 * n - 2 * n2 / 3 - 2 * n3 + 116 * n4 / 45, 7 * n2 / 3 - 8 * n3 / 5 - 227 * n4 / 45, 56 * n3 / 15 - 136 * n4 / 35, 4279 * n4 / 630];
    }

    /// <summary>EPSG:4548, the grid for Tianjin.</summary>
    public static GaussKruger Epsg4548 { get; } = new();

    /// <summary>WGS-84/CGCS2000 longitude, latitude (degrees) to easting, northing (metres).</summary>
    public (double X, double Y) Forward(double lon, double lat)
    {
        var phi = lat * Math.PI / 180;
        var lambda = lon * Math.PI / 180 - _lon0;
        var e = 2 * Math.Sqrt(_n) / (1 + _n);
        var sin = Math.Sin(phi);
        var t = Math.Sinh(Math.Atanh(sin) - e * Math.Atanh(e * sin));
        var xiPrime = Math.Atan2(t, Math.Cos(lambda));
        var etaPrime = Math.Atanh(Math.Sin(lambda) / Math.Sqrt(1 + t * t));
        double xi = xiPrime, eta = etaPrime;
        for (var j = 1; j <= 4; j++)
        {
            xi += _alpha[j - 1] * Math.Sin(2 * j * xiPrime) * Math.Cosh(2 * j * etaPrime);
            eta += _alpha[j - 1] * Math.Cos(2 * j * xiPrime) * Math.Sinh(2 * j * etaPrime);
        }

        return (_falseEasting + _k0 * _rectifying * eta, _k0 * _rectifying * xi);
    }

    /// <summary>Easting, northing (metres) back to longitude, latitude (degrees).</summary>
    public (double Lon, double Lat) Inverse(double x, double y)
    {
        var xi = y / (_k0 * _rectifying);
        var eta = (x - _falseEasting) / (_k0 * _rectifying);
        double xiPrime = xi, etaPrime = eta;
        for (var j = 1; j <= 4; j++)
        {
            xiPrime -= _beta[j - 1] * Math.Sin(2 * j * xi) * Math.Cosh(2 * j * eta);
            etaPrime -= _beta[j - 1] * Math.Cos(2 * j * xi) * Math.Sinh(2 * j * eta);
        }

        var chi = Math.Asin(Math.Sin(xiPrime) / Math.Cosh(etaPrime));
        var phi = chi;
        for (var j = 1; j <= 4; j++)
        {
            phi += _delta[j - 1] * Math.Sin(2 * j * chi);
        }

        var lambda = _lon0 + Math.Atan2(Math.Sinh(etaPrime), Math.Cos(xiPrime));
        return (lambda * 180 / Math.PI, phi * 180 / Math.PI);
    }
}
