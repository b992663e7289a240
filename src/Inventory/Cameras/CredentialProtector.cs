using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace CameraNet.Inventory.Cameras;

/// <summary>A camera's RTSP user name and password, in clear only in memory and only when needed.</summary>
public sealed record CameraCredentials(string Username, string Password)
{
    /// <summary>Never print the password.</summary>
    public override string ToString() => $"CameraCredentials {{ Username = {Username}, Password = *** }}";
}

/// <summary>
/// Encrypts camera credentials at rest with AES-256-GCM. The camera ID is authenticated data, so a
/// ciphertext copied onto another camera does not decrypt. Layout:
/// <c>version(1) | keyIdLength(1) | keyId | nonce(12) | tag(16) | ciphertext</c>; the plaintext is
/// <c>usernameLength(2) | username | password</c> in UTF-8.
/// </summary>
public sealed class CredentialProtector
{
    private const byte Version = 1;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly (string Id, byte[] Key)[] _keys;

    /// <summary>The ID of the key new secrets are encrypted with, in ASCII as it is written into each blob.</summary>
    private readonly byte[] _currentKeyId;

    // AesGcm is not thread-safe and costly to set up (key schedule); one per thread and key.
    private readonly ThreadLocal<Dictionary<string, AesGcm>> _ciphers;

    // Encryption with the current key through a context keyed once per thread (see KeyedAesGcm); null
    // where OpenSSL 3 is not there to call, and then AesGcm encrypts.
    private readonly ThreadLocal<KeyedAesGcm?> _encryptors;

    // Random nonces drawn from the system RNG a thousand at a time: one call instead of one per secret.
    [ThreadStatic]
    private static byte[]? t_nonces;

    [ThreadStatic]
    private static int t_nextNonce;

    public CredentialProtector(IOptions<InventoryOptions> options)
        : this(options.Value.CredentialKeys.Select(k => (k.Id, Convert.FromBase64String(k.Key))))
    {
    }

    public CredentialProtector(IEnumerable<(string Id, byte[] Key)> keys)
    {
        _keys = [.. keys];
        if (_keys.Length == 0)
        {
            throw new InvalidOperationException("no credential key configured (Inventory:CredentialKeys)");
        }

        _currentKeyId = Encoding.ASCII.GetBytes(_keys[0].Id);
        var all = _keys;
        _ciphers = new ThreadLocal<Dictionary<string, AesGcm>>(() => all.ToDictionary(k => k.Id, k => new AesGcm(k.Key, TagBytes), StringComparer.Ordinal));
        _encryptors = new ThreadLocal<KeyedAesGcm?>(() => KeyedAesGcm.TryCreate(all[0].Key));
    }

    public string CurrentKeyId => _keys[0].Id;

    /// <summary>Problems with configured keys, for validation at start-up.</summary>
    public static IEnumerable<string> Problems(IReadOnlyList<CredentialKeyOptions> keys)
    {
        if (keys.Count == 0)
        {
            yield return "Inventory:CredentialKeys needs at least one key (32 random bytes, base64) to encrypt camera credentials";
        }

        foreach (var key in keys)
        {
            byte[]? bytes = null;
            try
            {
                bytes = Convert.FromBase64String(key.Key);
            }
            catch (FormatException)
            {
            }

            if (bytes is not { Length: 32 })
            {
                yield return $"Inventory:CredentialKeys: key '{key.Id}' must be 32 bytes in base64";
            }
        }

        if (keys.Select(k => k.Id).Distinct(StringComparer.Ordinal).Count() != keys.Count)
        {
            yield return "Inventory:CredentialKeys: key ids must be unique";
        }
    }

    [System.Runtime.CompilerServices.SkipLocalsInit]
    public byte[] Protect(string cameraId, CameraCredentials credentials)
    {
        // One allocation, the blob itself: the plaintext and the authenticated ID are built on the stack
        // (a bulk import protects a million of these; short secrets, bounded IDs).
        var keyId = _currentKeyId;
        var userBytes = Encoding.UTF8.GetByteCount(credentials.Username);
        var plainBytes = 2 + userBytes + Encoding.UTF8.GetByteCount(credentials.Password);
        var idBytes = Encoding.ASCII.GetByteCount(cameraId);
        var onStack = plainBytes <= 512 && idBytes <= 128;
        Span<byte> plain = onStack ? stackalloc byte[plainBytes] : new byte[plainBytes];
        Span<byte> associated = onStack ? stackalloc byte[idBytes] : new byte[idBytes];
        BinaryPrimitives.WriteUInt16BigEndian(plain, (ushort)userBytes);
        Encoding.UTF8.GetBytes(credentials.Username, plain[2..]);
        Encoding.UTF8.GetBytes(credentials.Password, plain[(2 + userBytes)..]);
        Encoding.ASCII.GetBytes(cameraId, associated);

        var blob = new byte[2 + keyId.Length + NonceBytes + TagBytes + plainBytes];
        blob[0] = Version;
        blob[1] = (byte)keyId.Length;
        keyId.CopyTo(blob, 2);
        var nonce = blob.AsSpan(2 + keyId.Length, NonceBytes);
        NextNonce().CopyTo(nonce);
        var tag = blob.AsSpan(2 + keyId.Length + NonceBytes, TagBytes);
        var cipher = blob.AsSpan(2 + keyId.Length + NonceBytes + TagBytes);
        if (_encryptors.Value is { } keyed)
        {
            keyed.Encrypt(nonce, plain, cipher, tag, associated);
        }
        else
        {
            _ciphers.Value![_keys[0].Id].Encrypt(nonce, plain, cipher, tag, associated);
        }

        CryptographicOperations.ZeroMemory(plain);
        return blob;
    }

    private static ReadOnlySpan<byte> NextNonce()
    {
        const int batch = 1024;
        if (t_nonces is null || t_nextNonce == batch)
        {
            t_nonces ??= new byte[batch * NonceBytes];
            RandomNumberGenerator.Fill(t_nonces);
            t_nextNonce = 0;
        }

        var nonce = t_nonces.AsSpan(t_nextNonce * NonceBytes, NonceBytes);
        t_nextNonce++;
        return nonce;
    }

    public CameraCredentials Unprotect(string cameraId, byte[] blob)
    {
        if (blob.Length < 2 || blob[0] != Version || blob.Length < 2 + blob[1] + NonceBytes + TagBytes + 2)
        {
            throw new CryptographicException($"stored credentials of camera {cameraId} are not in a known format");
        }

        var keyId = Encoding.ASCII.GetString(blob, 2, blob[1]);
        if (!_ciphers.Value!.TryGetValue(keyId, out var aes))
        {
            throw new CryptographicException($"credentials of camera {cameraId} were encrypted with key '{keyId}', which is not configured");
        }

        var offset = 2 + blob[1];
        var nonce = blob.AsSpan(offset, NonceBytes);
        var tag = blob.AsSpan(offset + NonceBytes, TagBytes);
        var cipher = blob.AsSpan(offset + NonceBytes + TagBytes);
        var plain = new byte[cipher.Length];
        aes.Decrypt(nonce, cipher, tag, plain, Encoding.ASCII.GetBytes(cameraId));
        var userLength = BinaryPrimitives.ReadUInt16BigEndian(plain);
        var result = new CameraCredentials(Encoding.UTF8.GetString(plain, 2, userLength), Encoding.UTF8.GetString(plain, 2 + userLength, plain.Length - 2 - userLength));
        CryptographicOperations.ZeroMemory(plain);
        return result;
    }

    /// <summary>The id of the key a stored blob was encrypted with.</summary>
    public static string KeyIdOf(byte[] blob) => Encoding.ASCII.GetString(blob, 2, blob[1]);
}
