using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CameraNet.Cli.Generate;
using CameraNet.DevStack;
using CameraNet.TestKit;

namespace CameraNet.Inventory.Tests;

/// <summary>Bulk import: a whole file or nothing, with a row-numbered report; idempotent; upsert on request.</summary>
public sealed class ImportTests(PostgresFixture postgres)
{
    private static readonly Lazy<TianjinDivisions> Divisions = new(() => TianjinDivisions.Load(Path.Combine(RepoPaths.Root, "data", "tianjin")));

    private static List<string> Generate(int count, int seed, bool credentials = false)
    {
        using var text = new StringWriter();
        new RegisterGenerator(Divisions.Value, seed).WriteCsv(text, count, credentials);
        return [.. text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static async Task<(HttpStatusCode Status, JsonNode Report)> ImportAsync(InventoryApp app, string key, IEnumerable<string> lines, string query = "format=csv", string contentType = "text/csv")
    {
        using var client = app.Client(key);
        client.Timeout = TimeSpan.FromMinutes(5);
        var content = new StringContent(string.Join('\n', lines) + "\n", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await client.PostAsync(new Uri($"/api/cameras/import?{query}", UriKind.Relative), content, TestContext.Current.CancellationToken);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        return (response.StatusCode, body["report"] ?? body);
    }

    private static async Task<int> CountAsync(InventoryApp app)
    {
        using var client = app.Client(InventoryApp.AdminKey);
        var (_, divisions) = await client.GetJsonAsync("/api/divisions?level=district");
        return divisions!.AsArray().Sum(d => d!["cameras"]!.GetValue<int>());
    }

    private static string Replace(string line, int column, string value)
    {
        var cells = line.Split(',');
        cells[column] = value;
        return string.Join(',', cells);
    }

    [Fact]
    public async Task One_bad_row_among_100000_imports_nothing_and_is_reported_by_its_row_number()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        var lines = Generate(100_000, seed: 7);
        const int badRow = 73_219;
        lines[badRow] = Replace(lines[badRow], 7, "400"); // azimuth out of range

        var (status, report) = await ImportAsync(app, InventoryApp.AdminKey, lines);

        status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        report["applied"]!.GetValue<bool>().ShouldBeFalse();
        report["rows"]!.GetValue<long>().ShouldBe(100_000);
        report["rejected"]!.GetValue<long>().ShouldBe(1);
        var error = report["errors"]!.AsArray().Single()!;
        error["row"]!.GetValue<long>().ShouldBe(badRow);
        error["line"]!.GetValue<long>().ShouldBe(badRow + 1, "line 1 is the header");
        error["rule"]!.GetValue<string>().ShouldBe("azimuth.range");
        (await CountAsync(app)).ShouldBe(0, "nothing of the file was stored");
    }

    [Fact]
    public async Task Importing_the_same_file_twice_changes_nothing_the_second_time()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        var lines = Generate(3_000, seed: 8, credentials: true);

        var (first, report) = await ImportAsync(app, InventoryApp.AdminKey, lines);
        first.ShouldBe(HttpStatusCode.OK, report.ToJsonString());
        report["inserted"]!.GetValue<long>().ShouldBe(3_000);

        var (second, again) = await ImportAsync(app, InventoryApp.AdminKey, lines);
        second.ShouldBe(HttpStatusCode.OK, again.ToJsonString());
        again["unchanged"]!.GetValue<long>().ShouldBe(3_000);
        (again["inserted"]!.GetValue<long>() + again["updated"]!.GetValue<long>()).ShouldBe(0);

        using var client = app.Client(InventoryApp.AdminKey);
        var id = lines[1].Split(',')[0];
        (await client.GetJsonAsync($"/api/cameras/{id}")).Body!["version"]!.GetValue<int>().ShouldBe(1);
        (await CountAsync(app)).ShouldBe(3_000);
    }

    [Fact]
    public async Task Changed_rows_are_errors_unless_upsert_is_asked_for_then_they_replace_and_keep_history()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        var lines = Generate(500, seed: 9);
        (await ImportAsync(app, InventoryApp.AdminKey, lines)).Status.ShouldBe(HttpStatusCode.OK);
        var changed = lines.ToList();
        changed[10] = Replace(changed[10], 9, "77");  // range
        changed[20] = Replace(changed[20], 1, "新名字 北门"); // name

        var (refused, report) = await ImportAsync(app, InventoryApp.AdminKey, changed);
        refused.ShouldBe(HttpStatusCode.UnprocessableEntity);
        report["errorsByRule"]!["id.exists"]!.GetValue<long>().ShouldBe(2);
        report["errors"]!.AsArray().Select(e => e!["row"]!.GetValue<long>()).ShouldBe([10L, 20L]);

        var (accepted, upserted) = await ImportAsync(app, InventoryApp.AdminKey, changed, "format=csv&upsert=true");
        accepted.ShouldBe(HttpStatusCode.OK, upserted.ToJsonString());
        upserted["updated"]!.GetValue<long>().ShouldBe(2);
        upserted["unchanged"]!.GetValue<long>().ShouldBe(498);

        using var client = app.Client(InventoryApp.AdminKey);
        var id = changed[10].Split(',')[0];
        var camera = (await client.GetJsonAsync($"/api/cameras/{id}")).Body!;
        camera["range"]!.GetValue<double>().ShouldBe(77);
        camera["version"]!.GetValue<int>().ShouldBe(2);
        (await client.GetJsonAsync($"/api/cameras/{id}/history")).Body!.AsArray().Single()!["change"]!.GetValue<string>().ShouldBe("imported");
    }

    [Fact]
    public async Task The_report_lists_the_first_100_problems_and_counts_every_one_by_rule()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        var lines = Generate(2_000, seed: 10);
        for (var row = 1; row <= 300; row++)
        {
            lines[row] = Replace(lines[row], 12, "every-frame"); // decodeMode
        }

        lines[1500] = Replace(lines[1500], 10, "http://10.1.1.1/stream");
        lines[1600] = lines[1601]; // a duplicate ID

        var (status, report) = await ImportAsync(app, InventoryApp.AdminKey, lines);

        status.ShouldBe(HttpStatusCode.UnprocessableEntity, app.Logs.FirstError);
        report["errors"]!.AsArray().Count.ShouldBe(100);
        report["errors"]!.AsArray().Select(e => e!["row"]!.GetValue<long>()).ShouldBe(Enumerable.Range(1, 100).Select(i => (long)i));
        report["errorsByRule"]!["decodeMode.invalid"]!.GetValue<long>().ShouldBe(300);
        report["errorsByRule"]!["url.scheme"]!.GetValue<long>().ShouldBe(1);
        report["errorsByRule"]!["id.duplicate"]!.GetValue<long>().ShouldBe(1);
        report["rejected"]!.GetValue<long>().ShouldBe(302);
    }

    private static async Task<Npgsql.NpgsqlConnection> DatabaseAsync(InventoryApp app)
    {
        var connection = new Npgsql.NpgsqlConnection(app.Services.GetRequiredServiceFromProvider<Microsoft.Extensions.Options.IOptions<InventoryOptions>>().Value.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    private static async Task<List<string>> RegisterIndexesAsync(InventoryApp app)
    {
        await using var connection = await DatabaseAsync(app);
        await using var command = new Npgsql.NpgsqlCommand("SELECT indexdef FROM pg_indexes WHERE tablename = 'cameras' ORDER BY indexname", connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var indexes = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            indexes.Add(reader.GetString(0));
        }

        return indexes;
    }

    [Fact]
    public async Task A_repeated_device_id_names_both_rows_whether_the_register_is_empty_or_not()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        var lines = Generate(1_200, seed: 12);

        // Empty register: the first load runs without the register's indexes, so the database would not notice.
        var first = lines.Take(601).ToList();
        first[450] = Replace(first[450], 0, first[7].Split(',')[0]);
        var (refused, report) = await ImportAsync(app, InventoryApp.AdminKey, first);
        refused.ShouldBe(HttpStatusCode.UnprocessableEntity, report.ToJsonString());
        var error = report["errors"]!.AsArray().Single()!;
        error["row"]!.GetValue<long>().ShouldBe(450);
        error["line"]!.GetValue<long>().ShouldBe(451);
        error["rule"]!.GetValue<string>().ShouldBe("id.duplicate");
        error["message"]!.GetValue<string>().ShouldContain("rows 7 and 450");
        (await CountAsync(app)).ShouldBe(0);

        first[450] = lines[450];
        (await ImportAsync(app, InventoryApp.AdminKey, first)).Status.ShouldBe(HttpStatusCode.OK);

        // Register with cameras: its primary key is live while the rows stream in; the report is the same.
        var second = new List<string> { lines[0] };
        second.AddRange(lines.Skip(601));
        second[300] = Replace(second[300], 0, second[299].Split(',')[0]);
        (refused, report) = await ImportAsync(app, InventoryApp.AdminKey, second);
        refused.ShouldBe(HttpStatusCode.UnprocessableEntity, report.ToJsonString());
        report["errors"]!.AsArray().Single()!["message"]!.GetValue<string>().ShouldContain("rows 299 and 300");
        (await CountAsync(app)).ShouldBe(600);
    }

    [Fact]
    public async Task A_first_load_leaves_the_register_indexes_as_the_migrations_made_them()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        var before = await RegisterIndexesAsync(app);
        before.ShouldContain(d => d.Contains("cameras_pkey", StringComparison.Ordinal));
        before.ShouldContain(d => d.Contains("USING brin", StringComparison.Ordinal));

        var lines = Generate(2_000, seed: 13);
        var broken = lines.ToList();
        broken[1_999] = Replace(broken[1_999], 8, "0"); // field of view
        (await ImportAsync(app, InventoryApp.AdminKey, broken)).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await RegisterIndexesAsync(app)).ShouldBe(before, "a refused first load rolls its index changes back");

        (await ImportAsync(app, InventoryApp.AdminKey, lines)).Status.ShouldBe(HttpStatusCode.OK);
        (await RegisterIndexesAsync(app)).ShouldBe(before, "a first load builds the same indexes again");
        (await CountAsync(app)).ShouldBe(2_000);

        await using var connection = await DatabaseAsync(app);
        await using var copy = new Npgsql.NpgsqlCommand("INSERT INTO cameras SELECT * FROM cameras LIMIT 1", connection);
        var refused = await Should.ThrowAsync<Npgsql.PostgresException>(() => copy.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        refused.SqlState.ShouldBe("23505", "the primary key holds after the load");
    }

    [Fact]
    public async Task A_file_with_unusable_columns_is_refused_before_any_row()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        var (status, report) = await ImportAsync(app, InventoryApp.AdminKey, ["id,name,colour", "12010100001310000001,x,red"]);
        status.ShouldBe(HttpStatusCode.BadRequest);
        var error = report["fileError"]!.GetValue<string>();
        error.ShouldContain("unknown column 'colour'");
        error.ShouldContain("missing columns: kind, districtCode");
    }

    [Fact]
    public async Task Operators_import_only_into_their_districts()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        var lines = Generate(2_000, seed: 11);
        var (status, report) = await ImportAsync(app, InventoryApp.OperatorKey, lines);
        status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        report["errorsByRule"]!["districtCode.not-assigned"]!.GetValue<long>().ShouldBe(lines.Skip(1).Count(l => l.Split(',')[3] != "120101"));

        var own = lines.Take(1).Concat(lines.Skip(1).Where(l => l.Split(',')[3] == "120101")).ToList();
        var (ok, imported) = await ImportAsync(app, InventoryApp.OperatorKey, own);
        ok.ShouldBe(HttpStatusCode.OK, imported.ToJsonString());
        imported["inserted"]!.GetValue<long>().ShouldBe(own.Count - 1);
    }

    [Fact]
    public async Task GeoJson_features_import_like_csv_rows()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        var rows = Generate(50, seed: 12).Skip(1).Select(l => l.Split(',')).ToList();
        var header = RegisterGenerator.Header.Split(',');
        var features = new JsonArray();
        foreach (var cells in rows)
        {
            var properties = new JsonObject();
            for (var i = 0; i < header.Length; i++)
            {
                if (header[i] is not ("longitude" or "latitude") && cells[i].Length > 0)
                {
                    properties[header[i]] = header[i] is "azimuth" or "fieldOfView" or "range" or "analysisFps" ? JsonValue.Create(double.Parse(cells[i], System.Globalization.CultureInfo.InvariantCulture)) : cells[i];
                }
            }

            features.Add(new JsonObject
            {
                ["type"] = "Feature",
                ["geometry"] = new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(double.Parse(cells[5], System.Globalization.CultureInfo.InvariantCulture), double.Parse(cells[6], System.Globalization.CultureInfo.InvariantCulture)) },
                ["properties"] = properties,
            });
        }

        var document = new JsonObject { ["type"] = "FeatureCollection", ["features"] = features }.ToJsonString();
        var (status, report) = await ImportAsync(app, InventoryApp.AdminKey, [document], "format=geojson", "application/geo+json");
        status.ShouldBe(HttpStatusCode.OK, report.ToJsonString());
        report["inserted"]!.GetValue<long>().ShouldBe(50);
    }

    [Fact]
    public async Task Broken_geojson_is_a_file_error()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        var (status, report) = await ImportAsync(app, InventoryApp.AdminKey, ["{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":"], "format=geojson", "application/geo+json");
        status.ShouldBe(HttpStatusCode.BadRequest);
        report["fileError"]!.GetValue<string>().ShouldContain("not valid JSON");
    }

    [Fact]
    public async Task Credentials_fingerprinted_before_siphash_still_count_as_unchanged_on_reimport()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        var lines = Generate(20, seed: 17, credentials: true);
        (await ImportAsync(app, InventoryApp.AdminKey, lines)).Status.ShouldBe(HttpStatusCode.OK);

        // Store the fingerprints an older release wrote (HMAC-SHA256 truncated to 64 bits, its own
        // derived key); one row gets a fingerprint of other credentials.
        var legacyKey = System.Security.Cryptography.HKDF.DeriveKey(System.Security.Cryptography.HashAlgorithmName.SHA256,
            Convert.FromBase64String(InventoryApp.CredentialKey), 32, info: Encoding.ASCII.GetBytes("cameranet credentials fingerprint test"));
        static long Legacy(byte[] key, string id, string user, string password)
        {
            var mac = System.Security.Cryptography.HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}\u001F{user}\u001F{password}\u001F"));
            return System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(mac);
        }

        await using (var connection = new Npgsql.NpgsqlConnection(app.Services.GetRequiredServiceFromProvider<Microsoft.Extensions.Options.IOptions<InventoryOptions>>().Value.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            foreach (var (line, i) in lines.Skip(1).Select((l, i) => (l, i)))
            {
                var cells = line.Split(',');
                await using var update = new Npgsql.NpgsqlCommand("UPDATE cameras SET credentials_hash = $1 WHERE id = $2", connection);
                update.Parameters.AddWithValue(Legacy(legacyKey, cells[0], cells[16], i == 4 ? "another password" : cells[17]));
                update.Parameters.AddWithValue(cells[0]);
                (await update.ExecuteNonQueryAsync(TestContext.Current.CancellationToken)).ShouldBe(1);
            }
        }

        var (status, report) = await ImportAsync(app, InventoryApp.AdminKey, lines, "format=csv&upsert=true");

        status.ShouldBe(HttpStatusCode.OK);
        report["unchanged"]!.GetValue<long>().ShouldBe(19);
        report["updated"]!.GetValue<long>().ShouldBe(1, "the row whose stored fingerprint is of other credentials");
        report["inserted"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public async Task Imported_credentials_are_encrypted_and_reach_the_ingest_worker()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        var lines = Generate(20, seed: 13, credentials: true);
        (await ImportAsync(app, InventoryApp.AdminKey, lines)).Status.ShouldBe(HttpStatusCode.OK);
        var cells = lines[5].Split(',');
        using var ingest = app.Client(InventoryApp.IngestKey);
        var credentials = (await ingest.GetJsonAsync($"/api/ingest/cameras/{cells[0]}/credentials")).Body!;
        credentials["password"]!.GetValue<string>().ShouldBe(cells[17]);
        using var admin = app.Client(InventoryApp.AdminKey);
        (await admin.GetJsonAsync("/api/cameras?limit=500")).Body!.ToJsonString().ShouldNotContain(cells[17]);
    }

    [Fact]
    public async Task Every_field_of_an_imported_row_reads_back_as_written_on_a_first_load_and_through_upsert()
    {
        await using var app = await InventoryApp.StartAsync(postgres);
        var lines = Generate(3, seed: 21, credentials: true);
        var full = lines[1].Split(',');
        (full[1], full[7], full[8], full[9], full[12], full[13], full[14], full[15], full[17]) =
            ("南京路与卫津路交口 东北角 \"一号\"", "359.5", "1", "2999.5", "full", "12.5", "2019-02-28", "天津市公安局和平分局", "Pw-甲乙-1");
        full[1] = "\"" + full[1].Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var bare = lines[2].Split(',');
        var township = bare[4];
        (bare[4], bare[11], bare[13], bare[14], bare[15], bare[16], bare[17]) = ("", "", "", "", "", "", "");
        lines[1] = string.Join(',', full);
        lines[2] = string.Join(',', bare);
        (await ImportAsync(app, InventoryApp.AdminKey, lines)).Status.ShouldBe(HttpStatusCode.OK);

        using var client = app.Client(InventoryApp.AdminKey);
        using var ingest = app.Client(InventoryApp.IngestKey);
        var a = (await client.GetJsonAsync($"/api/cameras/{full[0]}")).Body!;
        a["name"]!.GetValue<string>().ShouldBe("南京路与卫津路交口 东北角 \"一号\"");
        a["kind"]!.GetValue<string>().ShouldBe(full[2]);
        a["districtCode"]!.GetValue<string>().ShouldBe(full[3]);
        a["townshipCode"]!.GetValue<string>().ShouldBe(full[4]);
        a["longitude"]!.GetValue<double>().ShouldBe(double.Parse(full[5], System.Globalization.CultureInfo.InvariantCulture));
        a["latitude"]!.GetValue<double>().ShouldBe(double.Parse(full[6], System.Globalization.CultureInfo.InvariantCulture));
        a["azimuth"]!.GetValue<double>().ShouldBe(359.5);
        a["fieldOfView"]!.GetValue<double>().ShouldBe(1);
        a["range"]!.GetValue<double>().ShouldBe(2999.5);
        a["mainStreamUrl"]!.GetValue<string>().ShouldBe(full[10]);
        a["subStreamUrl"]!.GetValue<string>().ShouldBe(full[11]);
        a["decodeMode"]!.GetValue<string>().ShouldBe("full");
        a["analysisFps"]!.GetValue<double>().ShouldBe(12.5);
        a["installDate"]!.GetValue<string>().ShouldBe("2019-02-28");
        a["ownerUnit"]!.GetValue<string>().ShouldBe("天津市公安局和平分局");
        a["hasCredentials"]!.GetValue<bool>().ShouldBeTrue();
        a["updatedBy"]!.GetValue<string>().ShouldBe("import");
        (await ingest.GetJsonAsync($"/api/ingest/cameras/{full[0]}/credentials")).Body!["password"]!.GetValue<string>().ShouldBe("Pw-甲乙-1");

        var b = (await client.GetJsonAsync($"/api/cameras/{bare[0]}")).Body!;
        b["townshipCode"]!.GetValue<string>().ShouldBe(township, "derived from the location");
        b["subStreamUrl"].ShouldBeNull();
        b["analysisFps"].ShouldBeNull();
        b["installDate"].ShouldBeNull();
        b["ownerUnit"].ShouldBeNull();
        b["hasCredentials"]!.GetValue<bool>().ShouldBeFalse();

        // The same fields through the upsert path (a filled register: changed rows go through their own COPY).
        (full[13], full[14], full[15], full[17]) = ("7.25", "2020-01-01", "天津市公安局交通警察支队", "Pw-丙丁-2");
        lines[1] = string.Join(',', full);
        var (status, report) = await ImportAsync(app, InventoryApp.AdminKey, lines, "format=csv&upsert=true");
        status.ShouldBe(HttpStatusCode.OK, report.ToJsonString());
        report["updated"]!.GetValue<long>().ShouldBe(1);
        var changed = (await client.GetJsonAsync($"/api/cameras/{full[0]}")).Body!;
        changed["analysisFps"]!.GetValue<double>().ShouldBe(7.25);
        changed["installDate"]!.GetValue<string>().ShouldBe("2020-01-01");
        changed["ownerUnit"]!.GetValue<string>().ShouldBe("天津市公安局交通警察支队");
        changed["longitude"]!.GetValue<double>().ShouldBe(a["longitude"]!.GetValue<double>());
        changed["version"]!.GetValue<int>().ShouldBe(2);
        (await ingest.GetJsonAsync($"/api/ingest/cameras/{full[0]}/credentials")).Body!["password"]!.GetValue<string>().ShouldBe("Pw-丙丁-2");
    }
}
