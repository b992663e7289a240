using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CameraNet.Contracts;
using Microsoft.Extensions.Options;

namespace CameraNet.Ingest.Fleet;

/// <summary>The worker's authenticated view of the inventory: which cameras exist and how to pull them.</summary>
public sealed class InventoryClient(HttpClient http, IOptions<IngestOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private EntityTagHeaderValue? _etag;
    private IReadOnlyList<IngestCamera>? _cameras;
    private int _conditionalReads;

    /// <summary>
    /// The active cameras this worker's pool may pull (Ingest:Districts, or all). The list is kept with
    /// its ETag and asked for again with If-None-Match, so an unchanged register of a million cameras
    /// costs a 304; every tenth call reads it in full regardless, as a safety net for changes the
    /// ETag could not see.
    /// </summary>
    public async Task<IReadOnlyList<IngestCamera>> CamerasAsync(CancellationToken cancellationToken)
    {
        var query = options.Value.Districts is { Length: > 0 } districts ? "?districts=" + Uri.EscapeDataString(string.Join(',', districts)) : string.Empty;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(options.Value.InventoryUrl), "/api/ingest/cameras" + query));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.ApiKey);
        if (_etag is not null && ++_conditionalReads % 10 != 0)
        {
            request.Headers.IfNoneMatch.Add(_etag);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotModified && _cameras is not null)
        {
            return _cameras;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET /api/ingest/cameras answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }

        _cameras = await response.Content.ReadFromJsonAsync<List<IngestCamera>>(Json, cancellationToken)
            ?? throw new JsonException("the inventory sent an empty camera list");
        _etag = response.Headers.ETag;
        return _cameras;
    }

    /// <summary>One camera's RTSP credentials (the inventory audits every such read).</summary>
    public async Task<IngestCredentials> CredentialsAsync(string cameraId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(options.Value.InventoryUrl), $"/api/ingest/cameras/{Uri.EscapeDataString(cameraId)}/credentials"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.ApiKey);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"credentials of camera {cameraId}: the inventory answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }

        return await response.Content.ReadFromJsonAsync<IngestCredentials>(Json, cancellationToken)
            ?? throw new JsonException($"the inventory sent no credentials for camera {cameraId}");
    }
}
