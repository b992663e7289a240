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

    public async Task<IReadOnlyList<IngestCamera>> CamerasAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(options.Value.InventoryUrl), "/api/ingest/cameras"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.ApiKey);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET /api/ingest/cameras answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }

        return await response.Content.ReadFromJsonAsync<List<IngestCamera>>(Json, cancellationToken)
            ?? throw new JsonException("the inventory sent an empty camera list");
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
