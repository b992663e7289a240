using DbUp;
using DbUp.Engine.Output;

namespace CameraNet.Inventory.Data;

/// <summary>Applies the numbered scripts in Migrations/ (embedded) with DbUp, each in its own transaction.</summary>
public static class DatabaseMigrator
{
    public static void Migrate(string connectionString, ILogger logger)
    {
        var engine = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly, name => name.Contains(".Migrations.", StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogTo(new UpgradeLog(logger))
            .Build();
        var result = engine.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"database migration failed at script {result.ErrorScript?.Name}: {result.Error.Message}", result.Error);
        }
    }

    /// <summary>Scripts embedded in this build that the database has not applied yet.</summary>
    public static IReadOnlyList<string> Pending(string connectionString) =>
        DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly, name => name.Contains(".Migrations.", StringComparison.Ordinal))
            .LogToNowhere()
            .Build()
            .GetScriptsToExecute()
            .Select(s => s.Name)
            .ToList();

    private sealed class UpgradeLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => logger.LogTrace(format, args);
        public void LogDebug(string format, params object[] args) => logger.LogDebug(format, args);
        public void LogInformation(string format, params object[] args) => logger.LogInformation(format, args);
        public void LogWarning(string format, params object[] args) => logger.LogWarning(format, args);
        public void LogError(string format, params object[] args) => logger.LogError(format, args);
        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, format, args);
    }
}
