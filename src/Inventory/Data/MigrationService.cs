using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CameraNet.Inventory.Data;

/// <summary>
/// Applies migrations before the server starts listening (hosted services start first), retrying
/// while the database is still coming up, so the service never answers requests with an old schema.
/// </summary>
public sealed class MigrationService(IOptions<InventoryOptions> options, ILogger<MigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                DatabaseMigrator.Migrate(options.Value.ConnectionString, logger);
                Log.MigrationsApplied(logger);
                Db.Configure();
                return;
            }
            catch (Exception e) when (attempt < 30 && e is NpgsqlException or InvalidOperationException { InnerException: NpgsqlException })
            {
                Log.DatabaseNotReady(logger, attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Ready = Postgres answers and every embedded migration has been applied.</summary>
public sealed class DatabaseReadyCheck(IOptions<InventoryOptions> options, NpgsqlDataSource db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            var pending = DatabaseMigrator.Pending(options.Value.ConnectionString);
            return pending.Count == 0
                ? HealthCheckResult.Healthy("postgres reachable, schema up to date")
                : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied: {string.Join(", ", pending)}");
        }
        catch (NpgsqlException e)
        {
            return HealthCheckResult.Unhealthy("postgres not reachable: " + e.Message);
        }
    }
}
