using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CameraNet.Contracts;
using CameraNet.Messaging;
using NATS.Client.Core;

namespace CameraNet.Cli.Analyst;

/// <summary>What an analyst asked to watch.</summary>
public sealed record WatchRequest(
    string? District, string? Township, string? Camera, PlatePattern? Plate, DateTimeOffset? Since, string Purpose, string? Name, bool Alerts);

/// <summary>The grant the inventory returned for a watch (see the inventory's <c>POST /api/plates/access</c>).</summary>
public sealed record WatchGrant(string NatsUser, string NatsPassword, string Stream, string Filter, string DeliverPrefix, string InboxPrefix);

/// <summary>
/// Live plate captures (or watchlist hits) of an area, with replay from a time, through a durable JetStream
/// push consumer of the analyst's own: a watcher started again with the same area (or <c>--name</c>) resumes
/// where the last one stopped. Access is granted, scoped and audited by the inventory; the NATS connection uses
/// the analyst's own NATS user, so nats-server refuses anything outside their districts whatever this code does.
/// The JetStream API is spoken directly (create with the filter in the subject, as nats-server 2.9's permissions need).
/// </summary>
public sealed class PlateWatcher(string natsUrl, WatchGrant grant)
{
    private static readonly TimeSpan ApiTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Durable name: given, or derived from user and filter so the same watch resumes.</summary>
    public string ConsumerName(WatchRequest request) => request.Name ??
        "w-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(grant.NatsUser + "|" + grant.Filter)))[..12];

    public async Task<int> RunAsync(WatchRequest request, Func<byte[], string, ValueTask<bool>> onMessage, Action<string> note, CancellationToken cancellationToken)
    {
        if (request.Name is { } given && (given.Length is 0 or > 64 || !given.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new CliException($"--name '{given}' must be 1–64 ASCII letters, digits, '-' or '_'", 2);
        }

        var name = ConsumerName(request);
        var deliver = $"{grant.DeliverPrefix}.{name}";
        await using var connection = new NatsSettings(natsUrl, grant.NatsUser, grant.NatsPassword, "cameranet-watch", grant.InboxPrefix, RetryFirstConnect: false).Connect();
        try
        {
            await connection.ConnectAsync();
        }
        catch (NatsException e)
        {
            throw new CliException($"cannot connect to NATS at {natsUrl} as {grant.NatsUser}: {e.Message}");
        }

        var subscription = await connection.SubscribeCoreAsync<byte[]>(deliver, serializer: NatsRawSerializer<byte[]>.Default, cancellationToken: cancellationToken);
        var existing = await ApiAsync(connection, $"$JS.API.CONSUMER.INFO.{grant.Stream}.{name}", null, cancellationToken);
        if (existing["error"] is null)
        {
            note(request.Since is null
                ? $"resuming watch '{name}' where it stopped"
                : $"resuming watch '{name}' where it stopped (--since applies to a new watch: give --name for another)");
        }
        else if (existing["error"]?["code"]?.GetValue<int>() == 404)
        {
            var config = new JsonObject
            {
                ["name"] = name,
                ["durable_name"] = name,
                ["description"] = $"{grant.NatsUser}: {request.Purpose}",
                ["deliver_subject"] = deliver,
                ["filter_subject"] = grant.Filter,
                ["ack_policy"] = "explicit",
                ["ack_wait"] = 30_000_000_000L,
                ["max_ack_pending"] = 1000,
                ["deliver_policy"] = request.Since is null ? "new" : "by_start_time",
            };
            if (request.Since is { } since)
            {
                config["opt_start_time"] = since.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            }

            var body = new JsonObject { ["stream_name"] = grant.Stream, ["config"] = config };
            var created = await ApiAsync(connection, $"$JS.API.CONSUMER.CREATE.{grant.Stream}.{name}.{grant.Filter}", body, cancellationToken);
            if (created["error"] is { } error)
            {
                throw new CliException($"NATS refused the watch: {error["description"]}");
            }

            note(request.Since is { } from ? $"watch '{name}' created: replaying from {from.ToLocalTime():yyyy-MM-dd HH:mm:ss}, then live" : $"watch '{name}' created: live from now");
        }
        else
        {
            throw new CliException($"NATS refused the watch: {existing["error"]?["description"]}");
        }

        var count = 0;
        try
        {
            await foreach (var message in subscription.Msgs.ReadAllAsync(cancellationToken))
            {
                if (message.Data is { } data && await onMessage(data, message.Subject))
                {
                    count++;
                }

                if (message.ReplyTo is { } reply)
                {
                    await connection.PublishAsync(reply, "+ACK"u8.ToArray(), cancellationToken: CancellationToken.None);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        try
        {
            await connection.PingAsync(CancellationToken.None); // the last acks have reached the server
        }
        catch (NatsException)
        {
        }

        return count;
    }

    /// <summary>A JetStream API request; a refusal by nats-server's permissions shows as a timeout, named as such.</summary>
    private static async Task<JsonNode> ApiAsync(NatsConnection connection, string subject, JsonNode? body, CancellationToken cancellationToken)
    {
        var payload = body is null ? [] : Encoding.UTF8.GetBytes(body.ToJsonString());
        try
        {
            var reply = await connection.RequestAsync<byte[], byte[]>(subject, payload,
                requestSerializer: NatsRawSerializer<byte[]>.Default, replySerializer: NatsRawSerializer<byte[]>.Default,
                replyOpts: new NatsSubOpts { Timeout = ApiTimeout }, cancellationToken: cancellationToken);
            return JsonNode.Parse(reply.Data ?? "{}"u8.ToArray()) ?? new JsonObject();
        }
        catch (Exception e) when (e is NatsNoReplyException or NatsNoRespondersException or TimeoutException or NatsException)
        {
            throw new CliException($"NATS did not answer {subject.Split('.')[3].ToLowerInvariant()} for the watch ({e.Message}): the server is away or refuses it to your NATS user");
        }
    }

    /// <summary>Parses <c>--since</c>: a duration back from now (<c>90s</c>, <c>15m</c>, <c>2h</c>, <c>3d</c>) or a time (ISO 8601, local when no offset).</summary>
    public static DateTimeOffset ParseSince(string text, DateTimeOffset now)
    {
        var t = text.Trim();
        if (t.Length >= 2 && char.IsAsciiLetter(t[^1]) && double.TryParse(t[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
        {
            var span = char.ToLowerInvariant(t[^1]) switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => throw new CliException($"--since '{text}': the unit must be s, m, h or d", 2),
            };
            return now - span;
        }

        if (DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var time))
        {
            return time <= now ? time : throw new CliException($"--since '{text}' is in the future", 2);
        }

        throw new CliException($"--since '{text}' is neither a duration (90s, 15m, 2h, 3d) nor a time (2026-11-23T08:00)", 2);
    }

    /// <summary>One readable line: time, place, camera, plate, colour, confidence.</summary>
    public static string Line(PlateCaptured c, Func<string, string> place, Func<string, string> camera) =>
        $"{c.FirstSeenAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}  {place(c.DistrictCode)}/{place(c.TownshipCode)}  {camera(c.CameraId)}  " +
        $"{c.Plate}  {c.Colour.ToString().ToLowerInvariant()}  {c.Confidence:0.00}";
}
