using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CameraNet.Cli.Generate;
using CameraNet.DevStack;
using Spectre.Console;

namespace CameraNet.Cli.Commands;

/// <summary><c>cameras import</c> and <c>cameras generate</c>: the register in bulk.</summary>
public static class ImportCommands
{
    public static Command Import(Option<string?> inventory)
    {
        var file = new Argument<FileInfo>("file") { Description = "CSV (header with the API's field names) or GeoJSON FeatureCollection of Point features" };
        var upsert = new Option<bool>("--upsert") { Description = "Replace cameras already registered with different data (otherwise they are errors)" };
        var format = new Option<string?>("--format") { Description = "csv or geojson (default: from the file extension)" };
        var command = new Command("import", "Import cameras from a file: all rows are applied, or none (with a row-numbered error report)") { file, upsert, format, inventory };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetRequiredValue(file);
            if (!path.Exists)
            {
                throw new CliException($"{path.FullName}: no such file");
            }

            var kind = parse.GetValue(format)?.ToLowerInvariant() ?? (path.Extension.ToLowerInvariant() is ".geojson" or ".json" ? "geojson" : "csv");
            if (kind is not ("csv" or "geojson"))
            {
                throw new CliException($"--format must be csv or geojson, not {kind}", 2);
            }

            using var api = CliSession.Resolve(parse.GetValue(inventory)).Api();
            var query = $"api/cameras/import?format={kind}&upsert={(parse.GetValue(upsert) ? "true" : "false")}&fileName={Uri.EscapeDataString(path.Name)}";
            JsonNode report;
            try
            {
                report = await WithProgressAsync(path, (sent, ct) => api.UploadFileAsync(query, path.FullName, kind == "csv" ? "text/csv" : "application/geo+json", ct, sent), cancellationToken);
            }
            catch (InventoryApiException e) when (e.Problem?["report"] is JsonNode rejected)
            {
                PrintReport(rejected, Console.Error);
                Console.Error.WriteLine($"cameranet: {e.Problem["title"]}: {e.Problem["detail"]}");
                return 1;
            }

            PrintReport(report, Console.Out);
            return 0;
        });
        return command;
    }

    private static async Task<JsonNode> WithProgressAsync(FileInfo file, Func<Action<long>, CancellationToken, Task<JsonNode>> upload, CancellationToken cancellationToken)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            Console.Error.WriteLine($"importing {file.Name} ({file.Length / 1024 / 1024.0:0.0} MiB) …");
            return await upload(_ => { }, cancellationToken);
        }

        JsonNode? result = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"importing {file.Name}", maxValue: file.Length);
                result = await upload(sent =>
                {
                    task.Value = sent;
                    if (sent >= file.Length)
                    {
                        task.Description = "checking and committing";
                    }
                }, cancellationToken);
                task.Value = file.Length;
            });
        return result!;
    }

    private static void PrintReport(JsonNode report, TextWriter output)
    {
        var applied = report["applied"]?.GetValue<bool>() == true;
        output.WriteLine(applied
            ? $"imported {report["rows"]} rows in {report["seconds"]} s: {report["inserted"]} new, {report["updated"]} updated, {report["unchanged"]} unchanged"
            : $"nothing imported: {report["rejected"]} of {report["rows"]} rows break a rule");
        if (report["fileError"]?.GetValue<string>() is { } fileError)
        {
            output.WriteLine($"  the file: {fileError}");
        }

        foreach (var error in report["errors"]?.AsArray() ?? [])
        {
            var line = error!["line"]?.GetValue<long>() is > 0 and var l ? $" (line {l})" : string.Empty;
            output.WriteLine($"  row {error["row"]}{line}: {error["field"]}: {error["message"]}");
        }

        if (report["errorsByRule"] is JsonObject byRule && byRule.Count > 0)
        {
            output.WriteLine("  broken rules: " + string.Join(", ", byRule.OrderByDescending(r => r.Value!.GetValue<long>()).Select(r => $"{r.Key} ×{r.Value}")));
        }
    }

    public static Command Generate()
    {
        var count = new Option<int>("--count") { Description = "How many cameras", DefaultValueFactory = _ => 1_100_000 };
        var output = new Option<FileInfo>("--out") { Description = "CSV file to write", Required = true };
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same file)", DefaultValueFactory = _ => 20261123 };
        var noCredentials = new Option<bool>("--no-credentials") { Description = "Leave username/password empty" };
        var divisions = new Option<DirectoryInfo?>("--divisions") { Description = "Folder with districts/townships GeoJSON and CSV (default: data/tianjin)" };
        var command = new Command("generate", "Write a realistic Tianjin camera register (CSV) for demos and benchmarks") { count, output, seed, noCredentials, divisions };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(count);
            if (n < 1)
            {
                throw new CliException("--count must be at least 1", 2);
            }

            var directory = parse.GetValue(divisions)?.FullName ?? Path.Combine(RepoPaths.Root, "data", "tianjin");
            var generator = new RegisterGenerator(TianjinDivisions.Load(directory), parse.GetValue(seed));
            var file = parse.GetRequiredValue(output);
            using (var writer = new StreamWriter(file.FullName, false, new UTF8Encoding(false), 1 << 16))
            {
                generator.WriteCsv(writer, n, !parse.GetValue(noCredentials), written =>
                {
                    if (written % 100_000 == 0 || written == n)
                    {
                        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {written:N0} / {n:N0}"));
                    }
                });
            }

            Console.WriteLine($"wrote {n:N0} cameras to {file.FullName} ({new FileInfo(file.FullName).Length / 1024 / 1024.0:0.0} MiB)");
            return 0;
        });
        return command;
    }
}
