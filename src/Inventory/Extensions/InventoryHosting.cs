using System.Text.Json;
using CameraNet.Inventory.Api;
using CameraNet.Inventory.Auth;
using CameraNet.Inventory.Cameras;
using Microsoft.AspNetCore.Authorization;
using CameraNet.Inventory.Data;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Prometheus;

namespace CameraNet.Inventory.Extensions;

public static class InventoryHosting
{
    public static WebApplicationBuilder AddInventory(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<InventoryOptions>()
            .BindConfiguration(InventoryOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.ApiKeys.TrueForAll(k => Roles.All.Contains(k.Role)), $"Inventory:ApiKeys: every Role must be one of {string.Join(", ", Roles.All)}")
            .Validate(o => !CredentialProtector.Problems(o.CredentialKeys).Any(),
                "Inventory:CredentialKeys needs at least one key of 32 random bytes in base64 (unique ids); see docs/operations.md")
            .ValidateOnStart();

        services.AddSingleton(sp => new NpgsqlDataSourceBuilder(sp.GetRequiredService<IOptions<InventoryOptions>>().Value.ConnectionString).Build());
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new CredentialProtector(sp.GetRequiredService<IOptions<InventoryOptions>>()));
        services.AddSingleton(sp => new ContentHash(
            sp.GetRequiredService<CredentialProtector>(),
            sp.GetRequiredService<IOptions<InventoryOptions>>().Value.CredentialKeys.Select(k => (k.Id, Convert.FromBase64String(k.Key)))));
        services.AddSingleton<CameraStore>();
        services.AddSingleton<DivisionStore>();
        services.AddSingleton<IdentityStore>();
        services.AddSingleton<Imports.CameraImporter>();
        services.AddSingleton<Coverage.CoverageEngine>();
        services.AddSingleton<Coverage.CoverageService>();
        services.AddHostedService(sp => sp.GetRequiredService<Coverage.CoverageService>());
        services.AddHostedService<Coverage.CameraStatusListener>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<Plates.NatsAccounts>();
        services.AddSingleton<Plates.WatchlistStore>();
        services.AddSingleton<Plates.PlateArchive>();
        services.AddSingleton<Plates.WatchlistMatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<Plates.WatchlistMatcher>());
        services.AddHttpContextAccessor();
        services.AddMemoryCache();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, DeniedAudit>();
        services.AddHostedService<MigrationService>();

        services.Configure<JsonOptions>(o => ApiJson.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestExceptionHandler>();

        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.ReadRegister, p => p.RequireRole(Roles.Admin, Roles.Operator, Roles.Analyst, Roles.Viewer))
            .AddPolicy(Policies.WriteCameras, p => p.RequireRole(Roles.Admin, Roles.Operator))
            .AddPolicy(Policies.WriteDivisions, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Ingest, p => p.RequireRole(Roles.Ingest, Roles.Admin))
            .AddPolicy(Policies.IngestOnly, p => p.RequireRole(Roles.Ingest))
            .AddPolicy(Policies.ReadPlates, p => p.RequireRole(Roles.Analyst, Roles.Admin))
            .AddPolicy(Policies.WatchPlatesLive, p => p.RequireRole(Roles.Analyst));

        services.AddHealthChecks().AddCheck<DatabaseReadyCheck>("database", tags: ["ready"]);
        if (!builder.Environment.IsDevelopment())
        {
            // Structured logs: one JSON object per line, for the log shipper.
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }

        services.AddOpenApi();
        return builder;
    }

    public static WebApplication UseInventory(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        UseDashboard(app);
        app.UseHttpMetrics();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>
    /// The dashboard's static files (Web/ next to the binary) at <c>/</c>. The API enforces every permission; the
    /// page only hides what a role cannot use. Strict CSP: everything comes from this server.
    /// </summary>
    private static void UseDashboard(WebApplication app)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Web");
        if (!Directory.Exists(folder))
        {
            return;
        }

        var files = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(folder);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";
                headers.XContentTypeOptions = "nosniff";
                headers.CacheControl = "no-cache";
            },
        });
    }

    public static WebApplication MapInventory(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.MapMetrics("/metrics");
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapDivisionsApi();
        app.MapImportApi();
        app.MapCamerasApi();
        app.MapIngestApi();
        app.MapIdentityApi();
        app.MapAdminApi();
        app.MapCoverageApi();
        app.MapPlatesApi();
        app.MapDashboardApi();
        return app;
    }
}

/// <summary>
/// Turns unreadable request bodies (bad JSON, a string where a number belongs) into a 400 problem
/// that names the offending field, instead of a bare 400 or a 500.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems, ILogger<BadRequestExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var field = "body";
        var message = bad.Message;
        if (bad.InnerException is JsonException json)
        {
            field = json.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body";
            message = field == "body"
                ? "the body is not valid JSON"
                : $"{field} has the wrong type or format";
        }

        Log.BadRequestBody(logger, $"{field}: {message}");
        context.Response.StatusCode = bad.StatusCode;
        var details = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = bad.StatusCode,
            Title = "The request body cannot be read",
        };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = details, Exception = exception });
    }
}
