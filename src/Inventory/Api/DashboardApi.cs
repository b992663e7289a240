using CameraNet.Contracts;
using CameraNet.Inventory.Auth;
using Dapper;
using Npgsql;

namespace CameraNet.Inventory.Api;

/// <summary>Aggregates the dashboard needs that the register API does not give in one call.</summary>
public static class DashboardApi
{
    public sealed class CameraCluster
    {
        public double Longitude { get; init; }
        public double Latitude { get; init; }
        public int Cameras { get; init; }
        public string? Id { get; init; }
        public string? Name { get; init; }

        /// <summary>For a single camera: its view (degrees from north, degrees, metres), drawn as a wedge.</summary>
        public double? Azimuth { get; init; }
        public double? FieldOfView { get; init; }
        public double? Range { get; init; }
    }

    public sealed class WorkerHealth
    {
        public string WorkerId { get; init; } = string.Empty;
        public string Health { get; init; } = string.Empty;
        public int Cameras { get; init; }
        public DateTimeOffset LastReport { get; init; }
    }

    private const string Clusters = """
        SELECT round(ST_X(location) / @cell) * @cell AS longitude, round(ST_Y(location) / @cell) * @cell AS latitude,
               count(*)::int AS cameras,
               CASE WHEN count(*) = 1 THEN min(id) END AS id,
               CASE WHEN count(*) = 1 THEN min(name) END AS name,
               CASE WHEN count(*) = 1 THEN min(azimuth_deg) END AS azimuth,
               CASE WHEN count(*) = 1 THEN min(fov_deg) END AS fieldOfView,
               CASE WHEN count(*) = 1 THEN min(range_m) END AS range
          FROM cameras
         WHERE district_code = @district AND status = 'active'
         GROUP BY 1, 2
        """;

    private const string Workers = """
        SELECT worker_id AS workerId, health, count(*)::int AS cameras, max(received_at) AS lastReport
          FROM camera_status
         GROUP BY worker_id, health
         ORDER BY worker_id, health
        """;

    public static RouteGroupBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/dashboard").WithTags("Dashboard").RequireAuthorization(Policies.ReadRegister);

        // Cameras of a district on a grid (cell in degrees): one point per camera when zoomed in, counts when many.
        group.MapGet("/clusters", async (NpgsqlDataSource db, CancellationToken ct, string? district, double cell = 0.002) =>
        {
            if (!DivisionCode.TryParse(district ?? string.Empty, out var code) || code.Level != DivisionLevel.District)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["district"] = [$"'{district}' is not a 6-digit district code"] });
            }

            if (cell is < 0.00001 or > 1)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["cell"] = ["cell must be 0.00001–1 degrees"] });
            }

            await using var connection = await db.OpenConnectionAsync(ct);
            return Results.Ok(await connection.QueryAsync<CameraCluster>(new CommandDefinition(Clusters, new { district = code.Value, cell }, cancellationToken: ct)));
        });

        // Cameras per worker and health, from what workers last reported.
        group.MapGet("/workers", async (NpgsqlDataSource db, CancellationToken ct) =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            return Results.Ok(await connection.QueryAsync<WorkerHealth>(new CommandDefinition(Workers, cancellationToken: ct)));
        });
        return group;
    }
}
