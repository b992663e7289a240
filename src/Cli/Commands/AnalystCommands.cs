using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using CameraNet.Cli.Analyst;
using CameraNet.Contracts;

namespace CameraNet.Cli.Commands;

/// <summary><c>plates watch</c> and <c>plates search</c>: analysts' access to plate captures, always with a stated purpose.</summary>
public static class AnalystCommands
{
    public static Command Watch()
    {
        var inventory = RegisterCommands.InventoryOption();
        var district = new Option<string?>("--district") { Description = "6-digit district code" };
        var township = new Option<string?>("--township") { Description = "9-digit township code" };
        var camera = new Option<string?>("--camera") { Description = "20-digit camera ID" };
        var plate = new Option<string?>("--plate") { Description = "only plates matching this pattern (? one character, * any), e.g. 津A*" };
        var since = new Option<string?>("--since") { Description = "replay from this long ago (90s, 15m, 2h, 3d) or this time, then go on live" };
        var purpose = new Option<string>("--purpose") { Description = "why you need these captures (required; written to the audit log)", Required = true };
        var json = new Option<bool>("--json") { Description = "one JSON object per capture instead of a readable line" };
        var name = new Option<string?>("--name") { Description = "name of the durable watch (default: derived from you and the area, so a restart resumes)" };
        var alerts = new Option<bool>("--alerts") { Description = "watch watchlist hits instead of all captures" };
        var duration = new Option<double?>("--for") { Description = "stop after this many seconds (default: until Ctrl-C)" };
        var nats = new Option<string?>("--nats") { Description = "NATS URL (default: CAMERANET_NATS_URL, or the running demo's)" };
        var watch = new Command("watch", "Plate captures of an area as they happen, optionally replayed from a time first; durable, so a restarted watch resumes where it stopped")
        {
            district, township, camera, plate, since, purpose, json, name, alerts, duration, nats, inventory,
        };
        watch.SetAction(async (parse, cancellationToken) =>
        {
            PlatePattern? pattern = null;
            if (parse.GetValue(plate) is { } text && !PlatePattern.TryParse(text, out pattern, out var error))
            {
                throw new CliException("--plate: " + error, 2);
            }

            var session = CliSession.Resolve(parse.GetValue(inventory));
            var natsUrl = parse.GetValue(nats) ?? session.NatsUrl ?? throw new CliException("no NATS URL: give --nats or set CAMERANET_NATS_URL", 2);
            var request = new WatchRequest(
                parse.GetValue(district), parse.GetValue(township), parse.GetValue(camera), pattern,
                parse.GetValue(since) is { } s ? PlateWatcher.ParseSince(s, DateTimeOffset.Now) : null,
                parse.GetValue(purpose)!, parse.GetValue(name), parse.GetValue(alerts));
            using var api = session.Api();
            var grantJson = await api.PostJsonAsync("api/plates/access", new
            {
                district = request.District,
                township = request.Township,
                camera = request.Camera,
                purpose = request.Purpose,
                mode = request.Alerts ? "alerts" : request.Since is null ? "watch" : "replay",
            }, cancellationToken);
            var grant = grantJson.Deserialize<WatchGrant>(InventoryApi.Json)!;
            var names = await NamesAsync(api, cancellationToken);
            var asJson = parse.GetValue(json);

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (parse.GetValue(duration) is { } seconds)
            {
                stop.CancelAfter(TimeSpan.FromSeconds(seconds));
            }

            var watcher = new PlateWatcher(natsUrl, grant);
            Console.Error.WriteLine($"watching {grant.Filter} as {grant.NatsUser}{(pattern is null ? string.Empty : $", plates {pattern}")} (Ctrl-C stops; the watch resumes next time)");
            var shown = await watcher.RunAsync(request, (data, _) => ValueTask.FromResult(Show(data, request.Alerts, pattern, asJson, names)), note => Console.Error.WriteLine(note), stop.Token);
            Console.Error.WriteLine($"{shown} shown");
            return 0;
        });
        return watch;
    }

    public static Command Search()
    {
        var inventory = RegisterCommands.InventoryOption();
        var plate = new Option<string>("--plate") { Description = "plate or pattern (? one character, * any), e.g. 津A12345 or 津A*", Required = true };
        var from = new Option<string?>("--from") { Description = "start: a time or a duration back from now (2h, 3d); default 24 h before --to" };
        var to = new Option<string?>("--to") { Description = "end: a time or a duration back from now; default now" };
        var district = new Option<string?>("--district") { Description = "6-digit district code" };
        var township = new Option<string?>("--township") { Description = "9-digit township code" };
        var camera = new Option<string?>("--camera") { Description = "20-digit camera ID" };
        var purpose = new Option<string>("--purpose") { Description = "why you search (required; written to the audit log)", Required = true };
        var limit = new Option<int>("--limit") { Description = "at most this many captures", DefaultValueFactory = _ => 200 };
        var json = new Option<bool>("--json") { Description = "one JSON object per capture" };
        var search = new Command("search", "Past plate captures of an area by plate pattern and time range (kept for the retention period only)")
        {
            plate, from, to, district, township, camera, purpose, limit, json, inventory,
        };
        search.SetAction(async (parse, cancellationToken) =>
        {
            if (!PlatePattern.TryParse(parse.GetValue(plate), out var pattern, out var error))
            {
                throw new CliException("--plate: " + error, 2);
            }

            var now = DateTimeOffset.Now;
            var query = new List<string> { "plate=" + Uri.EscapeDataString(pattern.ToString()), "purpose=" + Uri.EscapeDataString(parse.GetValue(purpose)!), $"limit={parse.GetValue(limit)}" };
            void Add(string name, string? value)
            {
                if (value is not null)
                {
                    query.Add($"{name}={Uri.EscapeDataString(value)}");
                }
            }

            Add("from", parse.GetValue(from) is { } f ? PlateWatcher.ParseSince(f, now).ToString("O") : null);
            Add("to", parse.GetValue(to) is { } t ? PlateWatcher.ParseSince(t, now).ToString("O") : null);
            Add("district", parse.GetValue(district));
            Add("township", parse.GetValue(township));
            Add("camera", parse.GetValue(camera));
            using var api = CliSession.Resolve(parse.GetValue(inventory)).Api();
            var result = await api.GetAsync("api/plates/search?" + string.Join('&', query), cancellationToken);
            var names = parse.GetValue(json) ? [] : await NamesAsync(api, cancellationToken);
            foreach (var node in result["captures"]!.AsArray())
            {
                if (parse.GetValue(json))
                {
                    Console.WriteLine(node!.ToJsonString());
                    continue;
                }

                var capture = node.Deserialize(ContractsJsonContext.Default.PlateCaptured)!;
                Console.WriteLine(PlateWatcher.Line(capture, code => names.GetValueOrDefault(code, code), id => id));
            }

            Console.Error.WriteLine($"{result["captures"]!.AsArray().Count} found among {result["scanned"]} captures{(result["truncated"]!.GetValue<bool>() ? " (stopped early: narrow the search)" : string.Empty)}");
            return 0;
        });
        return search;
    }

    private static bool Show(byte[] data, bool alerts, PlatePattern? pattern, bool asJson, Dictionary<string, string> names)
    {
        PlateCaptured capture;
        PlateWatchlistHit? hit = null;
        if (alerts)
        {
            hit = JsonSerializer.Deserialize(data, ContractsJsonContext.Default.PlateWatchlistHit);
            if (hit is null)
            {
                return false;
            }

            capture = hit.Capture;
        }
        else
        {
            capture = JsonSerializer.Deserialize(data, ContractsJsonContext.Default.PlateCaptured)!;
        }

        if (pattern is not null && !pattern.IsMatch(capture.Plate))
        {
            return false;
        }

        if (asJson)
        {
            Console.WriteLine(System.Text.Encoding.UTF8.GetString(data));
        }
        else
        {
            var line = PlateWatcher.Line(capture, code => names.GetValueOrDefault(code, code), id => names.GetValueOrDefault(id, id));
            Console.WriteLine(hit is null ? line : $"{line}  WATCHLIST {hit.Pattern} ({hit.Reason}, {hit.Owner})");
        }

        return true;
    }

    /// <summary>Division and camera names for readable lines (what the caller may read of the register).</summary>
    private static async Task<Dictionary<string, string>> NamesAsync(InventoryApi api, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var d in (await api.GetAsync("api/divisions", cancellationToken)).AsArray())
            {
                names[d!["code"]!.GetValue<string>()] = d["name"]!.GetValue<string>();
            }
        }
        catch (InventoryApiException)
        {
            // Names are a courtesy: codes are shown instead.
        }

        return names;
    }
}
