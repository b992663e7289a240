namespace NATS.NKeys;

/// <summary>
/// The members of NATS.NKeys' key pair that NATS.Client.Core calls, for NKey/JWT authentication only. Not
/// available in CameraNet's build: each throws, naming the reason. User/password and token authentication
/// never reach them.
/// </summary>
public sealed class KeyPair
{
    private const string Unavailable =
        "NKey/JWT authentication is not available in this build (the NATS.NKeys package cannot be restored here): use user/password or token authentication";

    private KeyPair()
    {
    }

    public static KeyPair FromSeed(ReadOnlySpan<char> seed) => throw new NotSupportedException(Unavailable);

    public void Sign(ReadOnlyMemory<byte> input, Memory<byte> signature) => throw new NotSupportedException(Unavailable);

    public string GetPublicKey() => throw new NotSupportedException(Unavailable);
}
