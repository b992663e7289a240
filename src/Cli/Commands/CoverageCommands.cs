using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace CameraNet.Cli.Commands;

/// <summary><c>coverage report</c>: coverage per district, or per township of one district.</summary>
public static class CoverageCommands
{
    public static Command Create(Option<string?> inventory)
    {
        var district = new Option<string?>("--district") { Description = "6-digit district code: report its townships" };
        var format = new Option<string>("--format") { Description = "table, csv or json", DefaultValueFactory = _ => "table" };
        var report = new Command("report", "Coverage per district (or per township of --district): cameras, density, online ratio, covered area") { district, format, inventory };
        report.SetAction(async (parse, cancellationToken) =>
        {
            var kind = parse.GetValue(format)!.ToLowerInvariant();
            if (kind is not ("table" or "csv" or "json"))
            {
                throw new CliException($"--format must be table, csv or json, not {kind}", 2);
            }

            var code = parse.GetValue(district);
            var path = code is null ? "api/coverage/districts" : $"api/coverage/districts/{Uri.EscapeDataString(code)}/townships";
            using var api = CliSession.Resolve(parse.GetValue(inventory)).Api();
            if (kind == "csv")
            {
                Console.Write(await api.GetTextAsync(path + "?format=csv", cancellationToken));
                return 0;
            }

            var result = await api.GetAsync(path, cancellationToken);
            if (kind == "json")
            {
                Console.WriteLine(result.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }

            Render(result, AnsiConsole.Console);
            return 0;
        });
        return new Command("coverage", "Camera coverage of districts and townships") { report };
    }

    /// <summary>A readable table; Spectre measures CJK characters as double width, so names line up.</summary>
    public static void Render(JsonNode report, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]摄像机覆盖 camera coverage[/]");
        table.AddColumn("code");
        table.AddColumn("名称 name");
        foreach (var heading in new[] { "km²", "cameras", "/km²", "checkpoints", "online", "coverage %", "effective %" })
        {
            table.AddColumn(new TableColumn(heading).RightAligned());
        }

        foreach (var row in report["divisions"]!.AsArray())
        {
            double D(string name) => row![name]!.GetValue<double>();
            table.AddRow(
                row!["code"]!.GetValue<string>(),
                Markup.Escape(row["name"]!.GetValue<string>()),
                D("areaKm2").ToString("N1", CultureInfo.InvariantCulture),
                row["cameras"]!.GetValue<int>().ToString("N0", CultureInfo.InvariantCulture),
                D("camerasPerKm2").ToString("N1", CultureInfo.InvariantCulture),
                row["camerasByKind"]!["checkpoint"]!.GetValue<int>().ToString("N0", CultureInfo.InvariantCulture),
                (D("onlineRatio") * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%",
                D("coveragePct").ToString("0.00", CultureInfo.InvariantCulture),
                D("effectiveCoveragePct").ToString("0.00", CultureInfo.InvariantCulture));
        }

        table.Caption(Markup.Escape(report["method"]!.GetValue<string>()));
        console.Write(table);
    }
}
