using CameraNet.DevStack;

namespace CameraNet.EndToEnd.Tests;

/// <summary>docker-compose.yml is checked with the docker-compose CLI itself; no Docker engine is needed for that.</summary>
public sealed class DeploymentTests
{
    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["POSTGRES_PASSWORD"] = "pg-secret",
        ["ADMIN_API_KEY"] = "admin-key",
        ["INGEST_API_KEY"] = "ingest-key",
        ["INVENTORY_NATS_PASSWORD"] = "inv-nats",
        ["INGEST_NATS_PASSWORD"] = "ingest-nats",
        ["CREDENTIAL_KEY"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        ["NATS_ACCOUNT_SECRET"] = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=",
    };

    private static Task<(int ExitCode, string Output, string Errors)> ComposeAsync(IReadOnlyDictionary<string, string> secrets, params string[] arguments)
    {
        // Only the secrets given: none leaks in from the environment running the tests.
        var environment = Secrets.Keys.ToDictionary(k => k, k => secrets.TryGetValue(k, out var v) ? v : null);
        return Processes.RunAsync("docker-compose", ["-f", "docker-compose.yml", .. arguments], RepoPaths.Root, environment);
    }

    [Fact]
    public async Task The_compose_file_is_valid_and_has_the_deployment_shape()
    {
        var (exit, output, errors) = await ComposeAsync(Secrets, "config", "--services");
        exit.ShouldBe(0, errors);
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ShouldBe(
            ["camsim", "ingest-1", "ingest-2", "inventory", "nats-1", "nats-2", "nats-3", "postgis"]);

        var (_, config, _) = await ComposeAsync(Secrets, "config");
        config.ShouldContain("nats://nats-1:4222,nats://nats-2:4222,nats://nats-3:4222");
        config.ShouldContain("Ingest__WorkerId: ingest-2");
        foreach (var service in new[] { "Inventory", "Ingest", "CameraSim" })
        {
            config.ShouldContain($"PROJECT: {service}");
        }
    }

    [Fact]
    public async Task The_nats_nodes_form_one_jetstream_cluster()
    {
        var conf = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "deploy", "nats", "cluster.conf"), TestContext.Current.CancellationToken);
        conf.ShouldContain("jetstream");
        foreach (var node in new[] { "nats-1", "nats-2", "nats-3" })
        {
            conf.ShouldContain($"nats://{node}:6222");
        }
    }

    [Fact]
    public async Task Deploying_without_the_secrets_fails_and_names_the_missing_one()
    {
        var withoutPostgres = Secrets.Where(s => s.Key != "POSTGRES_PASSWORD").ToDictionary();
        var (exit, _, errors) = await ComposeAsync(withoutPostgres, "config", "-q");
        exit.ShouldNotBe(0);
        errors.ShouldContain("POSTGRES_PASSWORD");
    }

    [Fact]
    public async Task No_secret_is_written_in_the_compose_file()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "docker-compose.yml"), TestContext.Current.CancellationToken);
        foreach (var line in text.Split('\n').Where(l => l.Contains("PASSWORD", StringComparison.Ordinal) || l.Contains("KEY:", StringComparison.Ordinal)))
        {
            line.ShouldContain("${", customMessage: $"secrets come from the environment: {line.Trim()}");
        }
    }
}
