using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using CameraNet.Contracts;

namespace CameraNet.Inventory.Cameras;

/// <summary>
/// Fingerprints of a camera's registration, so an import can tell unchanged rows from changed ones
/// without reading them: a fast hash of the public fields, and a keyed hash of the credentials
/// (a plain hash of a password would let anyone who reads the table test guesses against it).
/// </summary>
/// <remarks>
/// The credentials' keyed hash is SipHash-2-4 with a key derived from the current credential key.
/// Until 2026-11-24 it was an HMAC-SHA256 (truncated to 64 bits), which through OpenSSL cost about
/// 1 µs per camera, 60% of an import's validation CPU with credentials; fingerprints stored then are
/// still recognised (<see cref="MatchesCredentials"/>), so re-importing an old register's file
/// changes nothing.
/// </remarks>
public sealed class ContentHash
{
    private readonly SipHash _sip;
    private readonly ThreadLocal<IncrementalHash> _legacyHmac;

    public ContentHash(CredentialProtector protector, IEnumerable<(string Id, byte[] Key)> keys)
    {
        var first = keys.First();
        _sip = new SipHash(HKDF.DeriveKey(HashAlgorithmName.SHA256, first.Key, 16, info: Encoding.ASCII.GetBytes("cameranet credentials siphash " + protector.CurrentKeyId)));
        var legacy = HKDF.DeriveKey(HashAlgorithmName.SHA256, first.Key, 32, info: Encoding.ASCII.GetBytes("cameranet credentials fingerprint " + protector.CurrentKeyId));
        _legacyHmac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, legacy));
    }

    [System.Runtime.CompilerServices.SkipLocalsInit] // the buffer is written before it is read; zeroing 4 KiB per row showed in profiles
    public static long Of(ValidCamera c, string township)
    {
        // One pass into a stack buffer, one hash: numbers as their bytes, text as UTF-8, fields separated.
        Span<byte> buffer = stackalloc byte[4096];
        var w = new Writer(buffer);
        w.Text(c.Id.Value);
        w.Text(c.Name);
        w.Number((int)c.Kind);
        w.Text(c.District.Value);
        w.Text(township);
        w.Number(c.Longitude);
        w.Number(c.Latitude);
        w.Number(c.Azimuth);
        w.Number(c.FieldOfView);
        w.Number(c.Range);
        w.Text(c.MainStreamUrl);
        w.Text(c.SubStreamUrl);
        w.Number((int)c.DecodeMode);
        w.Number((float?)c.AnalysisFps ?? -1f);
        w.Number(c.InstallDate?.DayNumber ?? -1);
        w.Text(c.OwnerUnit);
        return unchecked((long)XxHash3.HashToUInt64(buffer[..w.Length]));
    }

    /// <summary>Appends fields to a buffer; registration fields are bounded (URLs are not), so long text is hashed into the buffer instead.</summary>
    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Length { get; private set; }

        public void Text(string? text)
        {
            if (text is not null)
            {
                var room = _buffer[Length..^9];
                if (Encoding.UTF8.GetMaxByteCount(text.Length) <= room.Length)
                {
                    Length += Encoding.UTF8.GetBytes(text, room);
                }
                else
                {
                    Number(XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(text)));
                }
            }

            _buffer[Length++] = 0x1F;
        }

        public void Number<T>(T value) where T : unmanaged
        {
            var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value));
            bytes.CopyTo(_buffer[Length..]);
            Length += bytes.Length;
        }
    }

    [System.Runtime.CompilerServices.SkipLocalsInit]
    public long OfCredentials(string cameraId, CameraCredentials credentials)
    {
        Span<byte> buffer = stackalloc byte[1024];
        return unchecked((long)_sip.Hash(Fingerprinted(buffer, cameraId, credentials)));
    }

    /// <summary>Whether a stored fingerprint is of these credentials: today's, or one stored before SipHash (see remarks).</summary>
    public bool MatchesCredentials(long stored, long fingerprint, string cameraId, CameraCredentials credentials) =>
        stored == fingerprint || stored == LegacyOfCredentials(cameraId, credentials);

    [System.Runtime.CompilerServices.SkipLocalsInit]
    private long LegacyOfCredentials(string cameraId, CameraCredentials credentials)
    {
        Span<byte> buffer = stackalloc byte[1024];
        var hmac = _legacyHmac.Value!;
        hmac.AppendData(Fingerprinted(buffer, cameraId, credentials));
        Span<byte> mac = stackalloc byte[32];
        hmac.GetHashAndReset(mac);
        return BinaryPrimitives.ReadInt64BigEndian(mac);
    }

    /// <summary>What a credentials fingerprint is taken of: the camera ID, user name and password, separated.</summary>
    private static ReadOnlySpan<byte> Fingerprinted(Span<byte> buffer, string cameraId, CameraCredentials credentials)
    {
        var w = new Writer(buffer);
        w.Text(cameraId);
        w.Text(credentials.Username);
        w.Text(credentials.Password);
        return buffer[..w.Length];
    }
}
