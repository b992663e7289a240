using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CameraNet.Ingest.Tests;

/// <summary>The worker's settings as the host binds them: a retired key is an error naming what replaced it, not a silent default.</summary>
public sealed class IngestSettingsTests
{
    private static IngestOptions Bind(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ingest:InventoryUrl"] = "http://127.0.0.1:1",
            ["Ingest:ApiKey"] = "not-a-real-key",
            ["Ingest:NatsUrl"] = "nats://127.0.0.1:1",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddIngest();
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<IngestOptions>>().Value;
    }

    [Fact]
    public void The_renamed_plate_threshold_is_refused_with_its_new_name()
    {
        var e = Should.Throw<OptionsValidationException>(() => Bind(new() { ["Ingest:PlateMinConfidence"] = "0.3" }));
        e.Message.ShouldContain("Ingest:PlateMinConfidence is renamed Ingest:PlateMinEvidence");
    }

    [Fact]
    public void The_current_plate_threshold_binds()
    {
        Bind(new() { ["Ingest:PlateMinEvidence"] = "0.3" }).PlateMinEvidence.ShouldBe(0.3f);
    }
}
