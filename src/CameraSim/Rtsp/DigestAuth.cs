using System.Security.Cryptography;
using System.Text;

namespace CameraNet.CameraSim.Rtsp;

/// <summary>RTSP authentication as IP cameras do it: HTTP Digest (RFC 2617, MD5, no qop), Basic also accepted.</summary>
internal static class DigestAuth
{
    public static bool Verify(RtspRequest request, string realm, string nonce, string username, string password)
    {
        var header = request.Header("Authorization");
        if (header is null)
        {
            return false;
        }

        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                return FixedTimeEquals(decoded, $"{username}:{password}");
            }
            catch (FormatException)
            {
                return false;
            }
        }

        if (!header.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var fields = ParseFields(header[7..]);
        if (!fields.TryGetValue("username", out var user) || user != username
            || !fields.TryGetValue("nonce", out var sentNonce) || sentNonce != nonce
            || !fields.TryGetValue("uri", out var uri)
            || !fields.TryGetValue("response", out var response))
        {
            return false;
        }

        var ha1 = Md5($"{username}:{realm}:{password}");
        var ha2 = Md5($"{request.Method}:{uri}");
        return FixedTimeEquals(response.ToLowerInvariant(), Md5($"{ha1}:{nonce}:{ha2}"));
    }

    private static Dictionary<string, string> ParseFields(string text)
    {
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
                    break;
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

    // MD5 is what RFC 2617 Digest and every IP camera use; it authenticates, it does not protect stored data.
#pragma warning disable CA5351
    private static string Md5(string text) => Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
#pragma warning restore CA5351

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
