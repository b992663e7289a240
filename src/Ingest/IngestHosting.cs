using CameraNet.Ingest.Decode;
using CameraNet.Ingest.Fleet;
using CameraNet.Ingest.Publishing;
using CameraNet.Ingest.Recognition;
using Microsoft.Extensions.Options;
using Prometheus;

namespace CameraNet.Ingest;

public static class IngestHosting
{
    public static HostApplicationBuilder AddIngest(this HostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<IngestOptions>()
            .BindConfiguration(IngestOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<IngestOptions>>(sp => new RetiredSettingsCheck(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<EventPublisher>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<IngestOptions>>().Value;
            return new DecoderLanes(o.KeyframeDecoderThreads > 0 ? o.KeyframeDecoderThreads : Environment.ProcessorCount, o.KeyframeQueue);
        });
        services.AddHttpClient<InventoryClient>(c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<FleetView>();
        services.AddHostedService(sp => sp.GetRequiredService<FleetView>());
        // Registered before the cameras: hosted services stop in reverse order, so cameras flush their open passes into it first.
        services.AddSingleton<PlateServices>();
        services.AddHostedService(sp => sp.GetRequiredService<PlateServices>());
        services.AddSingleton<AssignmentService>();
        services.AddHostedService(sp => sp.GetRequiredService<AssignmentService>());
        services.AddHostedService<HeartbeatService>();
        services.AddHostedService<MetricsEndpoint>();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        return builder;
    }

    /// <summary>
    /// Settings that were renamed or removed, with what to do instead: binding ignores an unknown key, so
    /// an old configuration would otherwise run silently on the default.
    /// </summary>
    private static readonly (string Key, string Instead)[] Retired =
    [
        ("PlateMinConfidence", "renamed Ingest:PlateMinEvidence on 2026-12-01 (it now judges the second-weakest character's probability, not the weakest's); rename the key"),
    ];

    private static List<string> RetiredSettings(IConfiguration configuration)
    {
        var section = configuration.GetSection(IngestOptions.Section);
        return [.. Retired.Where(r => section[r.Key] is not null).Select(r => $"{IngestOptions.Section}:{r.Key} is {r.Instead}")];
    }

    private sealed class RetiredSettingsCheck(IConfiguration configuration) : IValidateOptions<IngestOptions>
    {
        public ValidateOptionsResult Validate(string? name, IngestOptions options) =>
            RetiredSettings(configuration) is { Count: > 0 } found ? ValidateOptionsResult.Fail(found) : ValidateOptionsResult.Success;
    }
}

/// <summary>Serves /metrics for Prometheus when Ingest:MetricsPort is set.</summary>
internal sealed class MetricsEndpoint(IOptions<IngestOptions> options, ILogger<MetricsEndpoint> logger) : IHostedService, IDisposable
{
    private MetricServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        Log.WorkerStarted(logger, o.WorkerId, o.InventoryUrl, o.NatsUrl);
        if (o.MetricsPort > 0)
        {
            _server = new MetricServer("127.0.0.1", o.MetricsPort);
            _server.Start();
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync();
        }
    }

    public void Dispose() => _server?.Dispose();
}
