using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using CameraNet.Inventory.Cameras;

namespace CameraNet.Bench;

/// <summary>
/// What encrypting one camera's credentials costs (a bulk import does it a million times): .NET's
/// <see cref="AesGcm"/>, which re-keys OpenSSL on every call, against <see cref="KeyedAesGcm"/>, keyed
/// once, and the whole <see cref="CredentialProtector.Protect"/> (layout, nonce, blob) on top of it.
/// </summary>
[MemoryDiagnoser]
public class CredentialBenchmarks
{
    private readonly byte[] _nonce = new byte[12];
    private readonly byte[] _plain = Encoding.UTF8.GetBytes("\0\u0005adminK7#pQ2vLx9!mR4");
    private readonly byte[] _cipher = new byte[21];
    private readonly byte[] _tag = new byte[16];
    private readonly byte[] _camera = Encoding.ASCII.GetBytes("12010100001320000001");
    private readonly CameraCredentials _credentials = new("admin", "K7#pQ2vLx9!mR4");
    private AesGcm _aes = null!;
    private KeyedAesGcm _keyed = null!;
    private CredentialProtector _protector = null!;

    [GlobalSetup]
    public void Setup()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        _aes = new AesGcm(key, 16);
        _keyed = KeyedAesGcm.TryCreate(key) ?? throw new InvalidOperationException("OpenSSL 3 (libcrypto.so.3) is needed");
        _protector = new CredentialProtector([("bench", key)]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _aes.Dispose();
        _keyed.Dispose();
    }

    [Benchmark(Baseline = true, Description = "AesGcm.Encrypt (re-keyed per call)")]
    public void DotNetAesGcm() => _aes.Encrypt(_nonce, _plain, _cipher, _tag, _camera);

    [Benchmark(Description = "KeyedAesGcm.Encrypt (keyed once)")]
    public void Keyed() => _keyed.Encrypt(_nonce, _plain, _cipher, _tag, _camera);

    [Benchmark(Description = "CredentialProtector.Protect (whole blob)")]
    public byte[] Protect() => _protector.Protect("12010100001320000001", _credentials);
}
