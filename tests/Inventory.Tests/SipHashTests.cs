using CameraNet.Inventory.Cameras;

namespace CameraNet.Inventory.Tests;

/// <summary>The credentials fingerprint's PRF against the reference implementation's published vectors.</summary>
public sealed class SipHashTests
{
    private static readonly byte[] ReferenceKey = [.. Enumerable.Range(0, 16).Select(i => (byte)i)];

    [Theory]
    [InlineData(0, 0x726fdb47dd0e0e31UL)]
    [InlineData(15, 0xa129ca6149be45e5UL)]
    public void SipHash_2_4_gives_the_reference_outputs(int length, ulong expected)
    {
        // The reference's test input: bytes 00 01 02 … of the given length, key 00 01 … 0f.
        var message = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();

        new SipHash(ReferenceKey).Hash(message).ShouldBe(expected);
    }

    [Fact]
    public void Another_key_or_one_more_byte_gives_another_output()
    {
        var message = "12010102001320000001\u001Fadmin\u001FmuBxxdb8pnMuV8"u8.ToArray();
        var otherKey = ReferenceKey.ToArray();
        otherKey[15] ^= 1;

        new SipHash(otherKey).Hash(message).ShouldNotBe(new SipHash(ReferenceKey).Hash(message));
        new SipHash(ReferenceKey).Hash(message.AsSpan(0, message.Length - 1)).ShouldNotBe(new SipHash(ReferenceKey).Hash(message));
    }
}
