using System.Security.Cryptography;
using CameraNet.Inventory.Cameras;

namespace CameraNet.Inventory.Tests;

/// <summary>The keyed-once OpenSSL AES-GCM encryptor gives exactly what the standard and .NET's AesGcm give.</summary>
public sealed class KeyedAesGcmTests
{
    [Fact]
    public void It_gives_the_published_AES_256_GCM_test_vector()
    {
        // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (256-bit key, 96-bit IV, AAD).
        var key = Convert.FromHexString("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
        var nonce = Convert.FromHexString("cafebabefacedbaddecaf888");
        var plain = Convert.FromHexString("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        var associated = Convert.FromHexString("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        var cipher = new byte[plain.Length];
        var tag = new byte[16];
        using var keyed = KeyedAesGcm.TryCreate(key).ShouldNotBeNull();

        keyed.Encrypt(nonce, plain, cipher, tag, associated);

        Convert.ToHexStringLower(cipher).ShouldBe("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662");
        Convert.ToHexStringLower(tag).ShouldBe("76fc6ece0f4e1768cddf8853bb2d551b");
    }

    [Fact]
    public void One_context_used_for_many_messages_gives_what_AesGcm_gives_for_each_and_AesGcm_decrypts_it()
    {
        var random = new Random(20261201);
        var key = new byte[32];
        random.NextBytes(key);
        using var keyed = KeyedAesGcm.TryCreate(key).ShouldNotBeNull();
        using var reference = new AesGcm(key, 16);
        for (var i = 0; i < 500; i++)
        {
            // Lengths around the 16-byte block and zero, so partial blocks and empty inputs are covered.
            var nonce = new byte[12];
            var plain = new byte[random.Next(0, 70)];
            var associated = new byte[random.Next(0, 40)];
            random.NextBytes(nonce);
            random.NextBytes(plain);
            random.NextBytes(associated);
            var (cipher, tag) = (new byte[plain.Length], new byte[16]);
            var (expectedCipher, expectedTag) = (new byte[plain.Length], new byte[16]);

            keyed.Encrypt(nonce, plain, cipher, tag, associated);
            reference.Encrypt(nonce, plain, expectedCipher, expectedTag, associated);

            cipher.ShouldBe(expectedCipher, $"message {i}: {plain.Length} bytes, {associated.Length} authenticated");
            tag.ShouldBe(expectedTag, $"message {i}: {plain.Length} bytes, {associated.Length} authenticated");
            var decrypted = new byte[plain.Length];
            reference.Decrypt(nonce, cipher, tag, decrypted, associated);
            decrypted.ShouldBe(plain);
        }
    }

    [Fact]
    public void Protected_credentials_open_with_the_same_key_and_not_on_another_camera()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var protector = new CredentialProtector([("k1", key)]);
        var credentials = new CameraCredentials("admin", "密码-Sekr3t");

        var blob = protector.Protect("12010100001320000001", credentials);

        new CredentialProtector([("k1", key)]).Unprotect("12010100001320000001", blob).ShouldBe(credentials);
        Should.Throw<CryptographicException>(() => protector.Unprotect("12010100001320000002", blob));
    }

    [Fact]
    public void A_key_that_is_not_32_bytes_is_refused()
    {
        Should.Throw<ArgumentException>(() => KeyedAesGcm.TryCreate(new byte[16]));
    }
}
