using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CameraNet.Cli;
using CameraNet.Messaging;
using CameraNet.TestKit;
using NATS.Client.JetStream;

namespace CameraNet.EndToEnd.Tests;

/// <summary>The inventory's live feed of plate captures (server-sent events), as the dashboard reads it.</summary>
public sealed class LiveFeedTests(PostgresFixture postgres)
{
    private const string Password = "Kx9-live-feed-2026!";

    /// <summary>
    /// The dashboard says "live" as soon as the response's headers arrive; a capture published at that
    /// moment must be delivered. The feed once subscribed to NATS only after it had started the
    /// response, and the dashboard's browser test lost a capture published right after "live".
    /// </summary>
    [Fact]
    public async Task A_capture_published_as_soon_as_the_feed_answers_is_delivered()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var stack = await InventoryWithNats.StartAsync(postgres, "live-feed", ct, authenticated: true);
        var ops = stack.Ops!;
        await stack.AddUserAsync("lin", "analyst", Password, ct);
        var token = await stack.SignInAsync("lin", Password, "case 2026-1203 live check", ct);

        await using var publisher = new NatsSettings(stack.Nats.Url, ops.Name, ops.Password, "live-feed-test").Connect();
        var js = new NatsJSContext(publisher);
        await PlateStreams.EnsurePlatesAsync(js, TimeSpan.FromDays(30), TimeSpan.FromMinutes(10), ct);

        using var http = new HttpClient { BaseAddress = stack.Inventory.BaseUrl, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        for (var i = 0; i < 10; i++)
        {
            var plate = $"津A{i:0}D8K7";
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/plates/live?district=120101");
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            await AnalystAccessTests.PublishAsync(js, AnalystAccessTests.Capture(plate, "120101", "120101001"), ct);

            using var within = CancellationTokenSource.CreateLinkedTokenSource(ct);
            within.CancelAfter(TimeSpan.FromSeconds(10));
            using var stream = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            string? received = null;
            try
            {
                while (received != plate && await stream.ReadLineAsync(within.Token) is { } line)
                {
                    received = line.StartsWith("data: ", StringComparison.Ordinal) ? JsonNode.Parse(line[6..])!["plate"]!.GetValue<string>() : received;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            received.ShouldBe(plate, $"round {i}: the capture published when the feed answered did not come within 10 s");
        }
    }

    [Fact]
    public async Task A_feed_that_cannot_reach_NATS_answers_503_and_says_why()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var stack = await InventoryWithNats.StartAsync(postgres, "live-feed-down", ct);
        await stack.AddUserAsync("lin", "analyst", Password, ct);
        var token = await stack.SignInAsync("lin", Password, "case 2026-1203 live check", ct);
        await stack.Nats.DisposeAsync();

        using var analyst = new InventoryApi(stack.Inventory.BaseUrl, token);
        var refused = await Should.ThrowAsync<InventoryApiException>(() => analyst.GetTextAsync("api/plates/live?district=120101", ct).WaitAsync(TimeSpan.FromSeconds(60), ct));
        refused.Status.ShouldBe(System.Net.HttpStatusCode.ServiceUnavailable);
        refused.Message.ShouldContain("NATS did not answer within 10 s");
    }
}
