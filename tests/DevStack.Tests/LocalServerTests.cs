using CameraNet.DevStack;
using CameraNet.TestKit;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Npgsql;

namespace CameraNet.DevStack.Tests;

public sealed class LocalServerTests
{
    [Fact]
    public async Task Postgres_runs_unprivileged_with_postgis_and_stops_with_its_run()
    {
        var ct = TestContext.Current.CancellationToken;
        var run = await TestRuns.CreateAsync("devstack-pg");
        int pid;
        await using (run)
        {
            var postgres = await LocalPostgres.StartAsync(run, cancellationToken: ct);
            pid = postgres.Process.Pid;
            var uid = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            uid.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1].ShouldNotBe("0", "postgres must not run as root");

            var cs = await postgres.CreateDatabaseAsync("devstack_check", ct);
            await using var connection = new NpgsqlConnection(cs);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT postgis_lib_version()", connection);
            ((string)(await command.ExecuteScalarAsync(ct))!).ShouldStartWith("3.");
        }

        Directory.Exists($"/proc/{pid}").ShouldBeFalse("the server stops when its run directory is disposed");
    }

    [Fact]
    public async Task Nats_runs_with_jetstream_and_can_be_stopped_and_started_on_the_same_port()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await TestRuns.CreateAsync("devstack-nats");
        var nats = await LocalNats.StartAsync(run, cancellationToken: ct);
        await using var connection = new Messaging.NatsSettings(nats.Url).Connect();
        var js = new NatsJSContext(connection);
        await js.CreateStreamAsync(new StreamConfig("CHECK", ["check.>"]) { Storage = StreamConfigStorage.File }, ct);
        (await js.PublishAsync("check.one", "hello"u8.ToArray(), cancellationToken: ct)).EnsureSuccess();

        await nats.StopAsync();
        await nats.StartAgainAsync(ct);

        // File storage survives the restart: the message is still there.
        await Eventually.UntilAsync(async () => (await js.GetStreamAsync("CHECK", cancellationToken: ct)).Info.State.Messages == 1, TimeSpan.FromSeconds(20), "the stream after restart");
    }
}
