using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CameraNet.Cli;

/// <summary>An error the inventory answered with: status and the RFC 7807 problem it sent.</summary>
public sealed class InventoryApiException(HttpStatusCode status, string title, IReadOnlyDictionary<string, string[]> errors, string? detail, JsonNode? problem = null)
    : Exception(Format(status, title, errors, detail))
{
    public HttpStatusCode Status { get; } = status;
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    /// <summary>The whole problem document, with any extensions (an import's report, for instance).</summary>
    public JsonNode? Problem { get; } = problem;

    private static string Format(HttpStatusCode status, string title, IReadOnlyDictionary<string, string[]> errors, string? detail)
    {
        var lines = new List<string> { $"{(int)status} {title}" };
        if (!string.IsNullOrEmpty(detail))
        {
            lines.Add("  " + detail);
        }

        lines.AddRange(errors.SelectMany(e => e.Value.Select(m => $"  {e.Key}: {m}")));
        return string.Join('\n', lines);
    }
}

/// <summary>The inventory's HTTP API as the CLI, the demo and tests use it.</summary>
public sealed class InventoryApi(Uri baseUrl, string apiKey) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http = new() { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(10) };

    public Uri BaseUrl => baseUrl;

    public Task<JsonNode> PostJsonAsync(string path, object body, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, path, JsonContent.Create(body, options: Json), cancellationToken);

    public Task<JsonNode> DeleteAsync(string path, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, path, null, cancellationToken);

    public Task<JsonNode> GetAsync(string path, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, path, null, cancellationToken);

    /// <summary>A text response (CSV) as is.</summary>
    public async Task<string> GetTextAsync(string path, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode
            ? text
            : throw new InventoryApiException(response.StatusCode, response.ReasonPhrase ?? "error", new Dictionary<string, string[]>(), text);
    }

    /// <summary>The Tianjin sample divisions shipped in data/tianjin: districts, then townships. The inventory's answer for each file, in that order.</summary>
    public async Task<IReadOnlyList<(string File, JsonNode Result)>> ImportSampleDivisionsAsync(CancellationToken cancellationToken = default)
    {
        var results = new List<(string, JsonNode)>();
        foreach (var file in new[] { "districts.geojson", "townships.geojson" })
        {
            var path = Path.Combine(DevStack.RepoPaths.Root, "data", "tianjin", file);
            results.Add((file, await UploadFileAsync("api/divisions/import", path, "application/geo+json", cancellationToken)));
        }

        return results;
    }

    public async Task<JsonNode> UploadFileAsync(string path, string file, string mediaType, CancellationToken cancellationToken = default, Action<long>? sent = null)
    {
        await using var stream = File.OpenRead(file);
        var content = new StreamContent(sent is null ? stream : new CountingStream(stream, sent), 1 << 16);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return await SendAsync(HttpMethod.Post, path, content, cancellationToken);
    }

    /// <summary>Reports how much of a file has been read (uploaded), for progress bars.</summary>
    private sealed class CountingStream(Stream inner, Action<long> report) : Stream
    {
        private long _total;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken));

        private int Counted(int read)
        {
            _total += read;
            report(_total);
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/')) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return string.IsNullOrEmpty(text) ? new JsonObject() : JsonNode.Parse(text) ?? new JsonObject();
        }

        var problem = string.IsNullOrEmpty(text) ? null : TryParse(text);
        var errors = new Dictionary<string, string[]>();
        if (problem?["errors"] is JsonObject fieldErrors)
        {
            foreach (var (field, messages) in fieldErrors)
            {
                errors[field] = messages is JsonArray array ? array.Select(m => m?.GetValue<string>() ?? string.Empty).ToArray() : [messages?.ToString() ?? string.Empty];
            }
        }

        throw new InventoryApiException(
            response.StatusCode,
            problem?["title"]?.GetValue<string>() ?? response.ReasonPhrase ?? "error",
            errors,
            problem?["detail"]?.GetValue<string>(),
            problem);
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}
