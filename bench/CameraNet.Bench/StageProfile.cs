using System.Diagnostics;
using CameraNet.Inventory;
using CameraNet.Inventory.Cameras;
using CameraNet.Inventory.Imports;

namespace CameraNet.Bench;

/// <summary>Where the client side of an import spends its time: reading rows, then the field rules (no database).</summary>
public static class StageProfile
{
    public static async Task<int> RunAsync(string[] args)
    {
        var file = args[0];
        var stopwatch = Stopwatch.StartNew();
        long rows = 0;
        await using (var input = File.OpenRead(file))
        {
            await foreach (var _ in CsvCameraReader.ReadAsync(input, CancellationToken.None))
            {
                rows++;
            }
        }

        Harness.Say($"read {rows:N0} rows: {stopwatch.Elapsed.TotalSeconds:0.00} s");
        stopwatch.Restart();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        long valid = 0;
        long hash = 0;
        await using (var input = File.OpenRead(file))
        {
            await foreach (var row in CsvCameraReader.ReadAsync(input, CancellationToken.None))
            {
                var camera = CameraValidator.Validate(row.Registration, row.Errors ?? [], today);
                if (camera is not null)
                {
                    valid++;
                    hash ^= ContentHash.Of(camera, "120101001");
                }
            }
        }

        Harness.Say($"read + field rules + content hash for {valid:N0} rows: {stopwatch.Elapsed.TotalSeconds:0.00} s ({hash})");
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var protector = new CredentialProtector([("k", key)]);
        var hashes = new ContentHash(protector, [("k", key)]);
        var credentials = new CameraCredentials("admin", "muBxxdb8pnMuV8");
        for (var round = 0; round < 2; round++)
        {
            stopwatch.Restart();
            for (var i = 0; i < 1_100_000; i++)
            {
                protector.Protect("12010102001320000001", credentials);
            }

            Harness.Say($"protect x1.1M: {stopwatch.Elapsed.TotalSeconds:0.00} s");
            stopwatch.Restart();
            for (var i = 0; i < 1_100_000; i++)
            {
                hash ^= hashes.OfCredentials("12010102001320000001", credentials);
            }

            Harness.Say($"fingerprint x1.1M: {stopwatch.Elapsed.TotalSeconds:0.00} s");
        }
        return 0;
    }
}
