using Xunit;
using CameraNet.CameraSim;
using CameraNet.CameraSim.Scenes;
using CameraNet.DevStack;
using CameraNet.Messaging;
using NATS.Client.Core;

namespace CameraNet.TestKit;

/// <summary>A throwaway Postgres/PostGIS cluster; each test class takes its own database from it.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private RunDirectory? _run;
    private int _databases;

    public LocalPostgres Server { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _run = await TestRuns.CreateAsync("postgres");
        Server = await LocalPostgres.StartAsync(_run);
    }

    /// <summary>A new empty database with PostGIS; returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync(string prefix = "test") =>
        Server.CreateDatabaseAsync($"{prefix}_{Interlocked.Increment(ref _databases)}");

    public async ValueTask DisposeAsync()
    {
        if (_run is not null)
        {
            await _run.DisposeAsync();
        }
    }
}

/// <summary>A JetStream-enabled nats-server.</summary>
public sealed class NatsFixture : IAsyncLifetime
{
    private RunDirectory? _run;

    public LocalNats Server { get; private set; } = null!;

    public string Url => Server.Url;

    public async ValueTask InitializeAsync()
    {
        _run = await TestRuns.CreateAsync("nats");
        Server = await LocalNats.StartAsync(_run);
    }

    public NatsConnection Connect(string name = "test") => new NatsSettings(Url, Name: name).Connect();

    public async ValueTask DisposeAsync()
    {
        if (_run is not null)
        {
            await _run.DisposeAsync();
        }
    }
}

/// <summary>
/// The camera simulator with a standard set of cameras: two checkpoints, two street views, and one
/// camera for each fault (refusing, stalling after 4 s, corrupt stream, password-protected).
/// </summary>
public sealed class CameraSimFixture : IAsyncLifetime
{
    public const string SecuredUser = "admin";
    public const string SecuredPassword = "Cam3ra!pass";

    private RunDirectory? _run;

    public LocalCameraSim Simulator { get; private set; } = null!;

    public static SimulatorConfig StandardConfig() => new()
    {
        Cameras =
        [
            new SimulatedCamera { Name = "checkpoint-1", Scene = new SceneSpec { Kind = SceneKind.Checkpoint, Variant = 0 } },
            new SimulatedCamera { Name = "checkpoint-2", Scene = new SceneSpec { Kind = SceneKind.Checkpoint, Variant = 1 } },
            new SimulatedCamera { Name = "street-1", Scene = new SceneSpec { Kind = SceneKind.Street, Variant = 0 } },
            new SimulatedCamera { Name = "street-2", Scene = new SceneSpec { Kind = SceneKind.Street, Variant = 0 }, OffsetSeconds = 20 },
            new SimulatedCamera { Name = "refusing", Fault = CameraFault.Refuse },
            new SimulatedCamera { Name = "stalling", Scene = new SceneSpec { Kind = SceneKind.Street, Variant = 0 }, Fault = CameraFault.Stall, StallAfterSeconds = 4 },
            new SimulatedCamera { Name = "corrupt", Scene = new SceneSpec { Kind = SceneKind.Street, Variant = 0 }, Fault = CameraFault.Corrupt },
            new SimulatedCamera { Name = "secured", Scene = new SceneSpec { Kind = SceneKind.Street, Variant = 0 }, Username = SecuredUser, Password = SecuredPassword },
        ],
    };

    public async ValueTask InitializeAsync()
    {
        _run = await TestRuns.CreateAsync("camsim");
        Simulator = await LocalCameraSim.StartAsync(_run, StandardConfig());
    }

    public string Url(string camera) => Simulator.Url(camera);

    /// <summary>The URL with credentials embedded, as ffmpeg takes them.</summary>
    public string UrlWithCredentials(string camera, string user, string password)
    {
        var builder = new UriBuilder(Url(camera)) { UserName = Uri.EscapeDataString(user), Password = Uri.EscapeDataString(password) };
        return builder.Uri.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (_run is not null)
        {
            await _run.DisposeAsync();
        }
    }
}
