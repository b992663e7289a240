using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CameraNet.Cli;
using CameraNet.Contracts;
using CameraNet.DevStack;
using CameraNet.Messaging;
using CameraNet.TestKit;
using NATS.Client.JetStream;

namespace CameraNet.EndToEnd.Tests;

/// <summary>
/// Analysts' access to plate captures: NATS accounts derived from the inventory's users and roles, enforced by
/// nats-server itself (checked on the wire, not through our client), and `plates watch` as an analyst runs it:
/// scoped, replayed, resumed, audited.
/// </summary>
public sealed class AnalystAccessTests(PostgresFixture postgres)
{
    private const string Password = "Kx9-plates-watch-2026!";
    private const string Purpose = "case 2026-1123: hit-and-run on 南京路";

    [Fact]
    public async Task An_analyst_of_one_district_is_refused_another_by_nats_and_by_the_cli_which_audits_it_and_replays_and_resumes_their_own()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var stack = await InventoryWithNats.StartAsync(postgres, "analyst-access", ct, authenticated: true);
        var (ops, nats, inventory, admin) = (stack.Ops!, stack.Nats, stack.Inventory, stack.Admin);
        await stack.AddUserAsync("ana", "analyst", Password, ct);
        var token = await stack.SignInAsync("ana", Password, Purpose, ct);

        // The inventory derives NATS accounts from its users; the server is reconfigured with them.
        var accounts = (await admin.GetAsync("api/nats/accounts", ct)).AsArray()
            .Select(a => new NatsUser(a!["user"]!.GetValue<string>(), a["password"]!.GetValue<string>(),
                [.. a["publish"]!.AsArray().Select(s => s!.GetValue<string>())], [.. a["subscribe"]!.AsArray().Select(s => s!.GetValue<string>())]))
            .ToList();
        var ana = accounts.ShouldHaveSingleItem();
        ana.Name.ShouldBe("analyst-ana");
        await nats.ReloadAsync([ops, .. accounts], ct);

        // On the wire: nats-server itself refuses district 120102 to Ana, and accepts 120101.
        var errors = await RawNatsAsync(nats.Port, ana.Name, ana.Password,
            "SUB cameranet.plates.120102.> 1", "SUB cameranet.plates.> 2", "SUB cameranet.plates.120101.> 3",
            "PUB $JS.API.CONSUMER.CREATE.PLATES.sneaky.cameranet.plates.120102.> 0\r\n\r\n", "PUB $JS.API.STREAM.MSG.GET.PLATES 0\r\n\r\n").WaitAsync(TimeSpan.FromSeconds(20), ct);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join("\n", errors));
        errors.ShouldContain(e => e.Contains("Permissions Violation for Subscription to \"cameranet.plates.120102.>\"", StringComparison.Ordinal));
        errors.ShouldContain(e => e.Contains("Permissions Violation for Subscription to \"cameranet.plates.>\"", StringComparison.Ordinal));
        errors.ShouldNotContain(e => e.Contains("cameranet.plates.120101", StringComparison.Ordinal));
        errors.ShouldContain(e => e.Contains("Permissions Violation for Publish to \"$JS.API.CONSUMER.CREATE.PLATES.sneaky.cameranet.plates.120102.>\"", StringComparison.Ordinal));
        errors.ShouldContain(e => e.Contains("Permissions Violation for Publish to \"$JS.API.STREAM.MSG.GET.PLATES\"", StringComparison.Ordinal));

        // Captures in both districts, published before the analyst looks (replay).
        await using var publisher = new NatsSettings(nats.Url, ops.Name, ops.Password, "test-publisher").Connect();
        var js = new NatsJSContext(publisher);
        await PlateStreams.EnsurePlatesAsync(js, TimeSpan.FromDays(30), TimeSpan.FromMinutes(10), ct).WaitAsync(TimeSpan.FromSeconds(20), ct);
        await PublishAsync(js, Capture("津A11111", "120101", "120101001"), ct).WaitAsync(TimeSpan.FromSeconds(20), ct);
        await PublishAsync(js, Capture("津B22222", "120102", "120102001"), ct);

        var env = new Dictionary<string, string?>
        {
            ["CAMERANET_INVENTORY_URL"] = inventory.BaseUrl.ToString(),
            ["CAMERANET_API_KEY"] = token,
            ["CAMERANET_NATS_URL"] = nats.Url,
        };

        // Through the CLI: another district is refused by the inventory, and the refusal is audited with the purpose.
        var denied = await CliAsync(env, "plates", "watch", "--district", "120102", "--purpose", Purpose, "--for", "3");
        denied.ExitCode.ShouldBe(1, denied.Errors);
        denied.Errors.ShouldContain("120102");
        var refusals = await AuditAsync(admin, "plates.watch", ct);
        refusals.ShouldContain(a => a["actor"]!.GetValue<string>() == "ana" && a["outcome"]!.GetValue<string>() == "denied"
                                    && a["purpose"]!.GetValue<string>() == Purpose && a["target"]!.GetValue<string>() == "cameranet.plates.120102.>");

        // Their own district: replayed from 10 minutes ago, nothing of 120102.
        var first = await CliAsync(env, "plates", "watch", "--district", "120101", "--since", "10m", "--purpose", Purpose, "--json", "--for", "6");
        first.ExitCode.ShouldBe(0, first.Errors);
        Plates(first.Output).ShouldBe(["津A11111"]);

        // Started again, the same watch resumes: only what came since.
        await PublishAsync(js, Capture("津C33333", "120101", "120101002"), ct);
        var second = await CliAsync(env, "plates", "watch", "--district", "120101", "--since", "10m", "--purpose", Purpose, "--json", "--for", "6");
        second.ExitCode.ShouldBe(0, second.Errors);
        Plates(second.Output).ShouldBe(["津C33333"]);
        second.Errors.ShouldContain("resuming");

        // A readable line names the place.
        await PublishAsync(js, Capture("津D44444", "120101", "120101001"), ct);
        var readable = await CliAsync(env, "plates", "watch", "--district", "120101", "--purpose", Purpose, "--name", "readable", "--since", "1m", "--plate", "津D*", "--for", "6");
        readable.Output.ShouldContain("津D44444");
        readable.Output.ShouldContain("和平区");
        readable.Output.ShouldNotContain("津A11111", customMessage: "--plate filters");

        // Search: past captures of their district by pattern; another district refused and audited.
        var search = await CliAsync(env, "plates", "search", "--plate", "津?1111*", "--from", "1h", "--purpose", Purpose, "--json");
        search.ExitCode.ShouldBe(0, search.Errors);
        Plates(search.Output).ShouldBe(["津A11111"]);
        var searchDenied = await CliAsync(env, "plates", "search", "--plate", "津B*", "--district", "120102", "--purpose", Purpose);
        searchDenied.ExitCode.ShouldBe(1);
        var searches = await AuditAsync(admin, "plates.search", ct);
        searches.Select(a => a["outcome"]!.GetValue<string>()).Order().ShouldBe(["denied", "ok"]);
        searches.ShouldAllBe(a => a["purpose"]!.GetValue<string>() == Purpose);

        (await AuditAsync(admin, "plates.replay", ct)).Count(a => a["actor"]!.GetValue<string>() == "ana" && a["outcome"]!.GetValue<string>() == "ok").ShouldBe(3);
    }

    private static string[] Plates(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!["plate"]!.GetValue<string>())];

    private static async Task<List<JsonNode>> AuditAsync(InventoryApi admin, string action, CancellationToken ct) =>
        [.. (await admin.GetAsync($"api/audit?action={action}&limit=100", ct)).AsArray().Select(a => a!)];

    private static Task<(int ExitCode, string Output, string Errors)> CliAsync(IReadOnlyDictionary<string, string?> env, params string[] arguments) =>
        Processes.RunAsync(Path.Combine(RepoPaths.Root, "cameranet"), arguments, RepoPaths.Root, env);

    internal static PlateCaptured Capture(string plate, string district, string township, string camera = "12010100001210000001") => new()
    {
        CaptureId = Guid.NewGuid().ToString("N"),
        CameraId = camera,
        DistrictCode = district,
        TownshipCode = township,
        WorkerId = "test",
        FirstSeenAt = DateTimeOffset.UtcNow,
        LastSeenAt = DateTimeOffset.UtcNow,
        PublishedAt = DateTimeOffset.UtcNow,
        Plate = plate,
        Colour = PlateColour.Blue,
        Kind = PlateKind.SmallVehicle,
        CharacterConfidence = [.. plate.Select(_ => 1.0)],
        Confidence = 1,
        Readings = 10,
        Box = new PlateBox(1, 2, 100, 30),
        FrameWidth = 1280,
        FrameHeight = 720,
    };

    internal static async Task PublishAsync(NatsJSContext js, PlateCaptured capture, CancellationToken ct)
    {
        var subject = Subjects.Plates(DivisionCode.Parse(capture.DistrictCode), DivisionCode.Parse(capture.TownshipCode), GbDeviceId.Parse(capture.CameraId));
        (await js.PublishAsync(subject, capture, opts: new NatsJSPubOpts { MsgId = capture.CaptureId }, cancellationToken: ct)).EnsureSuccess();
    }

    /// <summary>Speaks the NATS protocol directly (no client library in between) and returns the server's -ERR lines.</summary>
    private static async Task<List<string>> RawNatsAsync(int port, string user, string password, params string[] commands)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var stream = tcp.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        (await reader.ReadLineAsync())!.ShouldStartWith("INFO");
        var connect = JsonSerializer.Serialize(new { user, pass = password, verbose = false, pedantic = false, protocol = 1, headers = true });
        var text = new StringBuilder($"CONNECT {connect}\r\n");
        foreach (var command in commands)
        {
            text.Append(command.EndsWith("\r\n", StringComparison.Ordinal) ? command : command + "\r\n");
        }

        text.Append("PING\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()));
        var errors = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("-ERR", StringComparison.Ordinal))
            {
                errors.Add(line);
                line.ShouldNotContain("Authorization Violation", customMessage: "the analyst's derived account must be accepted");
            }
            else if (line == "PONG")
            {
                break;
            }
        }

        return errors;
    }
}
