using CameraNet.Ingest.Publishing;
using CameraNet.Plates.Recognition;
using Microsoft.Extensions.Options;

namespace CameraNet.Ingest.Recognition;

/// <summary>
/// What full-mode cameras share for plates: the reader (loaded on first use; thread-safe) and the publisher
/// with its disk spool. Started before the cameras and stopped after them, so passes still open when the
/// worker stops are delivered (or spooled).
/// </summary>
public sealed class PlateServices : IHostedService, IAsyncDisposable
{
    private readonly Lazy<PlateReader> _reader;
    private readonly IngestOptions _options;
    private bool _stopped;

    public PlateServices(IOptions<IngestOptions> options, EventPublisher events, ILoggerFactory loggers)
    {
        _options = options.Value;
        _reader = new Lazy<PlateReader>(() => PlateReader.CreateDefault(_options.PlateMinEvidence), LazyThreadSafetyMode.ExecutionAndPublication);
        Publisher = new PlatePublisher(events.Connection, new PlatePublishingOptions
        {
            WorkerId = _options.WorkerId,
            SpoolRoot = Path.GetFullPath(_options.SpoolDirectory),
            SpoolMaxBytes = _options.SpoolMaxBytes,
            Retention = _options.PlateRetention,
            DuplicateWindow = _options.PlateDuplicateWindow,
        }, loggers.CreateLogger<PlatePublisher>());
    }

    public PlateReader Reader => _reader.Value;
    public PlatePublisher Publisher { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Publisher.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await Publisher.DisposeAsync();
        if (_reader.IsValueCreated)
        {
            _reader.Value.Dispose();
        }
    }
}
