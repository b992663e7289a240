using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace CameraNet.Inventory.Cameras;

/// <summary>
/// AES-256-GCM encryption with OpenSSL's own implementation, through a cipher context that is keyed
/// once and then only given a fresh nonce per message. Same algorithm, same output as
/// <see cref="AesGcm"/> (tests decrypt each with the other); what differs is the set-up per call.
/// </summary>
/// <remarks>
/// .NET's <see cref="AesGcm"/> on Linux hands OpenSSL the key together with every nonce, so OpenSSL
/// expands the AES key schedule and recomputes GHASH's tables for each message: a profile of a
/// 1.1 M-camera import with credentials put that re-keying (<c>EvpCipherSetKeyAndIV</c>) at a quarter
/// of the validation worker's CPU, half of all its AES-GCM time. OpenSSL itself lets a keyed context
/// take a new nonce alone (<c>EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv)</c>, the pattern of its
/// own GCM example), which is what this does. A context is not thread-safe: one per thread.
/// </remarks>
public sealed unsafe partial class KeyedAesGcm : IDisposable
{
    public const int NonceBytes = 12;
    public const int TagBytes = 16;
    private const string Crypto = "libcrypto.so.3";
    private const int EvpCtrlAeadGetTag = 0x10;

    private nint _context;

    private KeyedAesGcm(nint context) => _context = context;

    /// <summary>A context keyed with <paramref name="key"/> (32 bytes), or null where OpenSSL 3 cannot be loaded.</summary>
    public static KeyedAesGcm? TryCreate(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("an AES-256 key is 32 bytes", nameof(key));
        }

        nint context;
        try
        {
            context = EVP_CIPHER_CTX_new();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        if (context == 0)
        {
            throw new CryptographicException("OpenSSL could not allocate a cipher context");
        }

        fixed (byte* k = key)
        {
            if (EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), 0, k, null) != 1)
            {
                EVP_CIPHER_CTX_free(context);
                throw new CryptographicException("OpenSSL refused the AES-256-GCM key");
            }
        }

        return new KeyedAesGcm(context);
    }

    /// <summary>Encrypts <paramref name="plain"/> into <paramref name="cipher"/> (same length) and writes the 16-byte tag.</summary>
    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plain, Span<byte> cipher, Span<byte> tag, ReadOnlySpan<byte> associated)
    {
        if (nonce.Length != NonceBytes || tag.Length != TagBytes || cipher.Length != plain.Length)
        {
            throw new ArgumentException("a 12-byte nonce, a 16-byte tag and a ciphertext as long as the plaintext are needed");
        }

        ObjectDisposedException.ThrowIf(_context == 0, this);
        int written;
        var ok = true;
        fixed (byte* n = nonce, p = plain, c = cipher, t = tag, a = associated)
        {
            // A zero-length span may give a null pointer; OpenSSL wants a real one for a zero-length update.
            byte dummy;
            ok &= EVP_EncryptInit_ex(_context, 0, 0, null, n) == 1;
            ok &= associated.IsEmpty || EVP_EncryptUpdate(_context, null, &written, a, associated.Length) == 1;
            ok &= plain.IsEmpty || (EVP_EncryptUpdate(_context, c, &written, p, plain.Length) == 1 && written == plain.Length);
            ok &= EVP_EncryptFinal_ex(_context, plain.IsEmpty ? &dummy : c + plain.Length, &written) == 1 && written == 0;
            ok &= EVP_CIPHER_CTX_ctrl(_context, EvpCtrlAeadGetTag, TagBytes, t) == 1;
        }

        if (!ok)
        {
            CryptographicOperations.ZeroMemory(cipher);
            CryptographicOperations.ZeroMemory(tag);
            throw new CryptographicException("OpenSSL failed to encrypt with AES-256-GCM");
        }
    }

    public void Dispose()
    {
        // EVP_CIPHER_CTX_free cleanses the key schedule before freeing it.
        var context = Interlocked.Exchange(ref _context, 0);
        if (context != 0)
        {
            EVP_CIPHER_CTX_free(context);
        }

        GC.SuppressFinalize(this);
    }

    ~KeyedAesGcm() => Dispose();

    [LibraryImport(Crypto)]
    private static partial nint EVP_CIPHER_CTX_new();

    [LibraryImport(Crypto)]
    private static partial void EVP_CIPHER_CTX_free(nint context);

    [LibraryImport(Crypto)]
    private static partial nint EVP_aes_256_gcm();

    [LibraryImport(Crypto)]
    private static partial int EVP_EncryptInit_ex(nint context, nint cipher, nint engine, byte* key, byte* iv);

    [LibraryImport(Crypto)]
    private static partial int EVP_EncryptUpdate(nint context, byte* output, int* written, byte* input, int length);

    [LibraryImport(Crypto)]
    private static partial int EVP_EncryptFinal_ex(nint context, byte* output, int* written);

    [LibraryImport(Crypto)]
    private static partial int EVP_CIPHER_CTX_ctrl(nint context, int type, int arg, byte* pointer);
}
