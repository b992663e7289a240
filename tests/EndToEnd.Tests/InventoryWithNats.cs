using CameraNet.Cli;
using CameraNet.DevStack;
using CameraNet.TestKit;

namespace CameraNet.EndToEnd.Tests;

/// <summary>
/// Where the tests of people's access to plate captures start: a run directory, nats-server, the
/// inventory connected to it with its own database, Tianjin's divisions imported, and the
/// administrator's client.
/// </summary>
internal sealed class InventoryWithNats : IAsyncDisposable
{
    private InventoryWithNats(RunDirectory run, LocalNats nats, NatsUser? ops, string database, LocalInventory inventory, InventoryApi admin)
    {
        (Run, Nats, Ops, Database, Inventory, Admin) = (run, nats, ops, database, inventory, admin);
    }

    public RunDirectory Run { get; }
    public LocalNats Nats { get; }

    /// <summary>With <c>authenticated</c>: the NATS user the inventory connects as (all subjects), for the test's own publishing too.</summary>
    public NatsUser? Ops { get; }

    /// <summary>The inventory database's connection string.</summary>
    public string Database { get; }

    public LocalInventory Inventory { get; }
    public InventoryApi Admin { get; }

    /// <param name="name">Names the run directory and the database.</param>
    /// <param name="authenticated">nats-server requires users (the inventory connects as <see cref="Ops"/>); otherwise it is open.</param>
    /// <param name="settings">The inventory's extra settings (environment variables).</param>
    public static async Task<InventoryWithNats> StartAsync(PostgresFixture postgres, string name, CancellationToken ct,
        bool authenticated = false, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var run = await TestRuns.CreateAsync(name);
        LocalInventory? inventory = null;
        try
        {
            var ops = authenticated ? new NatsUser("ops", "ops-" + Guid.NewGuid().ToString("N"), [">"], [">"]) : null;
            var server = await LocalNats.StartAsync(run, ops is null ? null : new LocalNatsOptions { Users = [ops] }, ct);
            if (ops is not null)
            {
                settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
                {
                    ["Inventory__NatsUser"] = ops.Name,
                    ["Inventory__NatsPassword"] = ops.Password,
                };
            }

            var keys = LocalKeys.Generate();
            var database = await postgres.CreateDatabaseAsync(name.Replace('-', '_'));
            inventory = await LocalInventory.StartAsync(run, database, keys, settings, ct, server.Url);
            var admin = new InventoryApi(inventory.BaseUrl, keys.Admin);
            await admin.ImportSampleDivisionsAsync(ct);
            return new InventoryWithNats(run, server, ops, database, inventory, admin);
        }
        catch
        {
            if (inventory is not null)
            {
                await inventory.DisposeAsync();
            }

            await run.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a user of district 120101 with this role.</summary>
    public Task AddUserAsync(string username, string role, string password, CancellationToken ct) =>
        Admin.PostJsonAsync("api/users", new { username, displayName = username, role, districts = new[] { "120101" }, password }, ct);

    /// <summary>Signs a user in with a stated purpose; their token.</summary>
    public async Task<string> SignInAsync(string username, string password, string purpose, CancellationToken ct) =>
        (await Admin.PostJsonAsync("api/auth/login", new { username, password, purpose }, ct))["token"]!.GetValue<string>();

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Inventory.DisposeAsync();
        await Run.DisposeAsync();
    }
}
