namespace CameraNet.Ingest.Capture;

/// <summary>
/// A camera's stream URL with its credentials in it (ffmpeg takes them no other way), and the means
/// to keep them out of everything the worker says: ffmpeg's messages quote the URL back.
/// </summary>
public sealed class StreamAddress
{
    private readonly string[] _secrets;

    public StreamAddress(string url, string? username = null, string? password = null)
    {
        PlainUrl = url;
        Username = username;
        Password = password;
        if (username is null || password is null)
        {
            Url = url;
            _secrets = [];
            return;
        }

        var builder = new UriBuilder(url)
        {
            UserName = Uri.EscapeDataString(username),
            Password = Uri.EscapeDataString(password),
        };
        Url = builder.Uri.AbsoluteUri;
        _secrets = [.. new[] { $"{builder.UserName}:{builder.Password}@", $"{username}:{password}@", builder.Password, password }
            .Where(s => s.Length > 0).Distinct().OrderByDescending(s => s.Length)];
    }

    /// <summary>The URL to hand to ffmpeg; never log it.</summary>
    public string Url { get; }

    /// <summary>The URL as registered, without credentials.</summary>
    public string PlainUrl { get; }

    internal string? Username { get; }

    internal string? Password { get; }

    /// <summary>The text with every form of the credentials replaced by ***.</summary>
    public string Redact(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, secret.EndsWith('@') ? "***@" : "***", StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>Never print the URL: it may hold credentials.</summary>
    public override string ToString() => Redact(Url);
}
