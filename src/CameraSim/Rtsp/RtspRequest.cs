using System.Globalization;

namespace CameraNet.CameraSim.Rtsp;

/// <summary>The head of an RTSP request: method, URL and headers (names case-insensitive).</summary>
internal sealed class RtspRequest
{
    private readonly Dictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase);

    public string? Method { get; private init; }
    public string Url { get; private init; } = string.Empty;
    public string? CSeq => Header("CSeq");

    public int ContentLength =>
        int.TryParse(Header("Content-Length"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 0 and < 65536 ? n : 0;

    /// <summary>The first path segment of the URL: the camera's name.</summary>
    public string? MountName
    {
        get
        {
            if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri))
            {
                return null;
            }

            var path = uri.AbsolutePath.Trim('/');
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            return slash < 0 ? path : path[..slash];
        }
    }

    public string? Header(string name) => _headers.GetValueOrDefault(name);

    public static RtspRequest Parse(string head)
    {
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        var request = new RtspRequest
        {
            Method = parts.Length == 3 && parts[2].StartsWith("RTSP/1.", StringComparison.Ordinal) ? parts[0].ToUpperInvariant() : null,
            Url = parts.Length > 1 ? parts[1] : string.Empty,
        };
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                request._headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return request;
    }
}
