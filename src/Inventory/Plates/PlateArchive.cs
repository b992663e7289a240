using CameraNet.Contracts;
using CameraNet.Messaging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace CameraNet.Inventory.Plates;

/// <summary>What a search found, and whether it stopped before the end of the time range.</summary>
public sealed record PlateSearchResult(IReadOnlyList<PlateCaptured> Captures, long Scanned, bool Truncated);

/// <summary>
/// Past plate captures, read from the PLATES stream itself (the only place they are kept, so they expire with its
/// retention): an ordered consumer from the start time over the area's subjects, filtered by plate pattern.
/// </summary>
public sealed class PlateArchive(IOptions<InventoryOptions> options, ILoggerFactory loggers) : IAsyncDisposable
{
    public const int MaxScanned = 500_000;
    private readonly Lazy<NatsConnection>? _nats = string.IsNullOrWhiteSpace(options.Value.NatsUrl) ? null
        : new(() => new NatsSettings(options.Value.NatsUrl!, options.Value.NatsUser, options.Value.NatsPassword, "inventory-search").Connect(loggers));

    public bool Available => _nats is not null;

    /// <summary>The inventory's NATS connection for reading captures (live feed, search).</summary>
    public NatsConnection Connection => _nats?.Value ?? throw new InvalidOperationException("Inventory:NatsUrl is not set");

    public async Task<PlateSearchResult> SearchAsync(string filter, PlatePattern pattern, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        var js = new NatsJSContext(_nats?.Value ?? throw new InvalidOperationException("Inventory:NatsUrl is not set"));
        INatsJSConsumer consumer;
        try
        {
            consumer = await js.CreateOrderedConsumerAsync(Subjects.PlatesStream, new NatsJSOrderedConsumerOpts
            {
                FilterSubjects = [filter],
                DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartTime,
                OptStartTime = from,
            }, cancellationToken);
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            return new PlateSearchResult([], 0, false); // no stream yet: nothing was ever captured
        }

        var found = new List<PlateCaptured>();
        long scanned = 0;
        while (true)
        {
            var batch = 0;
            await foreach (var message in consumer.FetchNoWaitAsync<PlateCaptured>(new NatsJSFetchOpts { MaxMsgs = 1000 }, cancellationToken: cancellationToken))
            {
                batch++;
                scanned++;
                if (message.Metadata is { } meta && meta.Timestamp > to)
                {
                    return new PlateSearchResult(found, scanned, false);
                }

                if (message.Data is { } capture && pattern.IsMatch(capture.Plate))
                {
                    found.Add(capture);
                    if (found.Count >= limit)
                    {
                        return new PlateSearchResult(found, scanned, true);
                    }
                }

                if (scanned >= MaxScanned)
                {
                    return new PlateSearchResult(found, scanned, true);
                }
            }

            if (batch == 0)
            {
                return new PlateSearchResult(found, scanned, false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_nats is { IsValueCreated: true })
        {
            await _nats.Value.DisposeAsync();
        }
    }
}
