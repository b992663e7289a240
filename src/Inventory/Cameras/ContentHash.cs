using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using CameraNet.Contracts;

namespace CameraNet.Inventory.Cameras;

/// <summary>
/// Fingerprints of a camera's registration, so an import can tell unchanged rows from changed ones
/// without reading them: a fast hash of the public fields, and a keyed HMAC of the credentials
/// (a plain hash of a password would let anyone who reads the table test guesses against it).
/// </summary>
public sealed class ContentHash
{
    private readonly byte[] _credentialKey;

    public ContentHash(CredentialProtector protector, IEnumerable<(string Id, byte[] Key)> keys)
    {
        var first = keys.First();
        _credentialKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, first.Key, 32, info: Encoding.ASCII.GetBytes("cameranet credentials fingerprint " + protector.CurrentKeyId));
    }

    public static long Of(ValidCamera c, string township)
    {
        var text = string.Join('\u001f',
            c.Id.Value, c.Name, c.Kind.ToString(), c.District.Value, township,
            c.Longitude.ToString("R", CultureInfo.InvariantCulture), c.Latitude.ToString("R", CultureInfo.InvariantCulture),
            c.Azimuth.ToString("R", CultureInfo.InvariantCulture), c.FieldOfView.ToString("R", CultureInfo.InvariantCulture),
            c.Range.ToString("R", CultureInfo.InvariantCulture), c.MainStreamUrl, c.SubStreamUrl ?? string.Empty,
            c.DecodeMode.ToString(), ((float?)c.AnalysisFps)?.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty,
            c.InstallDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? string.Empty, c.OwnerUnit ?? string.Empty);
        return unchecked((long)XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(text)));
    }

    public long OfCredentials(string cameraId, CameraCredentials credentials)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_credentialKey, Encoding.UTF8.GetBytes($"{cameraId}\u001f{credentials.Username}\u001f{credentials.Password}"), mac);
        return BinaryPrimitives.ReadInt64BigEndian(mac);
    }
}
