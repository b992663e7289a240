using System.CommandLine;
using System.Text.Json.Nodes;

namespace CameraNet.Cli.Commands;

/// <summary>Divisions and cameras: the register as operators use it from a terminal.</summary>
public static class RegisterCommands
{
    public static Option<string?> InventoryOption() => new("--inventory") { Description = "Inventory base URL (default: CAMERANET_INVENTORY_URL, or the running demo)" };

    public static Command Divisions()
    {
        var inventory = InventoryOption();
        var files = new Argument<FileInfo[]>("files") { Description = "GeoJSON FeatureCollections (properties: code, name) or CSV files (columns: code, name, wkt)", Arity = ArgumentArity.OneOrMore };
        var import = new Command("import", "Upload division boundaries (districts before townships); each file is applied whole or not at all") { files, inventory };
        import.SetAction(async (parse, cancellationToken) =>
        {
            using var api = CliSession.Resolve(parse.GetValue(inventory)).Api();
            foreach (var file in parse.GetRequiredValue(files))
            {
                if (!file.Exists)
                {
                    throw new CliException($"{file.FullName}: no such file");
                }

                var mediaType = file.Extension.Equals(".csv", StringComparison.OrdinalIgnoreCase) ? "text/csv" : "application/geo+json";
                var result = await api.UploadFileAsync("api/divisions/import", file.FullName, mediaType, cancellationToken);
                Console.WriteLine($"{file.Name}: {result["districts"]} districts, {result["townships"]} townships; {result["created"]} new, {result["updated"]} replaced");
                foreach (var repaired in result["madeValid"]?.AsArray() ?? [])
                {
                    Console.WriteLine($"  repaired invalid polygon {repaired}");
                }
            }

            return 0;
        });

        var level = new Option<string?>("--level") { Description = "district or township" };
        var list = new Command("list", "List divisions with their camera counts") { level, inventory };
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var api = CliSession.Resolve(parse.GetValue(inventory)).Api();
            var query = parse.GetValue(level) is { } l ? $"?level={Uri.EscapeDataString(l)}" : string.Empty;
            foreach (var d in (await api.GetAsync("api/divisions" + query, cancellationToken)).AsArray())
            {
                Console.WriteLine($"{d!["code"],-10} {d["level"],-9} {d["cameras"],7} cameras  {d["areaKm2"]!.GetValue<double>(),10:0.0} km²  {d["name"]}");
            }

            return 0;
        });
        return new Command("divisions", "Districts and townships") { import, list };
    }

    public static Command Cameras()
    {
        var inventory = InventoryOption();
        var district = new Option<string?>("--district") { Description = "6-digit district code" };
        var township = new Option<string?>("--township") { Description = "9-digit township code" };
        var search = new Option<string?>("--search") { Description = "Text in the name, or the start of the ID" };
        var limit = new Option<int>("--limit") { Description = "Rows per page (1–500)", DefaultValueFactory = _ => 50 };
        var all = new Option<bool>("--all") { Description = "Follow pages to the end" };
        var list = new Command("list", "List registered cameras") { district, township, search, limit, all, inventory };
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var api = CliSession.Resolve(parse.GetValue(inventory)).Api();
            string? after = null;
            do
            {
                var query = new List<string> { $"limit={parse.GetValue(limit)}" };
                void Add(string name, string? value)
                {
                    if (!string.IsNullOrEmpty(value))
                    {
                        query.Add($"{name}={Uri.EscapeDataString(value)}");
                    }
                }

                Add("district", parse.GetValue(district));
                Add("township", parse.GetValue(township));
                Add("q", parse.GetValue(search));
                Add("after", after);
                var page = await api.GetAsync("api/cameras?" + string.Join('&', query), cancellationToken);
                foreach (var c in page["items"]!.AsArray())
                {
                    Console.WriteLine($"{c!["id"]}  {c["kind"],-17} {c["districtCode"]}/{c["townshipCode"]}  {c["decodeMode"],-8} {c["status"],-7} {c["name"]}");
                }

                after = page["next"]?.GetValue<string>();
            }
            while (after is not null && parse.GetValue(all));

            return 0;
        });

        var file = new Argument<FileInfo>("file") { Description = "JSON file with one camera registration (see the API's CameraRegistration)" };
        var register = new Command("register", "Register one camera from a JSON file") { file, inventory };
        register.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetRequiredValue(file);
            if (!path.Exists)
            {
                throw new CliException($"{path.FullName}: no such file");
            }

            JsonNode body;
            try
            {
                body = JsonNode.Parse(await File.ReadAllTextAsync(path.FullName, cancellationToken)) ?? throw new CliException($"{path.Name} is empty");
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new CliException($"{path.Name} is not valid JSON: {e.Message}");
            }

            using var api = CliSession.Resolve(parse.GetValue(inventory)).Api();
            var camera = await api.PostJsonAsync("api/cameras", body, cancellationToken);
            Console.WriteLine($"registered {camera["id"]} in {camera["districtCode"]}/{camera["townshipCode"]}");
            return 0;
        });

        return new Command("cameras", "The camera register") { list, register, ImportCommands.Import(inventory), ImportCommands.Generate() };
    }
}
