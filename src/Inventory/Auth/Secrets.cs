using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CameraNet.Inventory.Auth;

/// <summary>Passwords (PBKDF2) and bearer tokens/keys (random, stored only as SHA-256 digests).</summary>
public static class Secrets
{
    private const string Scheme = "pbkdf2-sha512";
    private const int Iterations = 210_000; // OWASP's 2023 recommendation for PBKDF2-HMAC-SHA512
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string HashPassword(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA512, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme}${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    public static bool VerifyPassword(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations))
        {
            return false;
        }

        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA512, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>A new random bearer secret (256 bits, URL-safe text).</summary>
    public static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Rules for passwords people choose.</summary>
    public static string? PasswordProblem(string? password, string username) => password switch
    {
        null or "" => "password is required",
        { Length: < 12 } => "password must have at least 12 characters",
        { Length: > 200 } => "password must have at most 200 characters",
        _ when password.Contains(username, StringComparison.OrdinalIgnoreCase) => "password must not contain the user name",
        _ => null,
    };
}
