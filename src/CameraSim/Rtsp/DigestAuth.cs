using System.Security.Cryptography;
using System.Text;
using CameraNet.Contracts;

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

        var fields = DigestFields.Parse(header[7..]);
        if (!fields.TryGetValue("username", out var user) || user != username
            || !fields.TryGetValue("nonce", out var sentNonce) || sentNonce != nonce
            || !fields.TryGetValue("uri", out var uri)
            || !fields.TryGetValue("response", out var response))
        {
            return false;
        }

        var ha1 = DigestFields.Md5($"{username}:{realm}:{password}");
        var ha2 = DigestFields.Md5($"{request.Method}:{uri}");
        return FixedTimeEquals(response.ToLowerInvariant(), DigestFields.Md5($"{ha1}:{nonce}:{ha2}"));
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
