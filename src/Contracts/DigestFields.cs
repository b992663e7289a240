using System.Security.Cryptography;
using System.Text;

namespace CameraNet.Contracts;

/// <summary>
/// The pieces of HTTP Digest authentication (RFC 2617/7616) that RTSP cameras use, shared by the
/// worker's RTSP client and the camera simulator's server: the name=value list of a
/// <c>WWW-Authenticate</c>/<c>Authorization</c> header, and the MD5 hex the responses are made of.
/// </summary>
public static class DigestFields
{
    /// <summary>Parses <c>name="value", name=value, …</c> (what follows the scheme name); names are case-insensitive.</summary>
    public static Dictionary<string, string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && text[i] is ' ' or ',')
            {
                i++;
            }

            var eq = text.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }

            var name = text[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var close = text.IndexOf('"', i + 1);
                if (close < 0)
                {
                    break; // an unterminated quoted value: the header is malformed from here on
                }

                value = text[(i + 1)..close];
                i = close + 1;
            }
            else
            {
                var comma = text.IndexOf(',', i);
                var end = comma < 0 ? text.Length : comma;
                value = text[i..end].Trim();
                i = end;
            }

            fields[name] = value;
        }

        return fields;
    }

    /// <summary>Lower-case hex MD5 of the UTF-8 text. MD5 is what Digest and every IP camera use; it authenticates, it does not protect stored data.</summary>
#pragma warning disable CA5351
    public static string Md5(string text) => Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
#pragma warning restore CA5351
}
