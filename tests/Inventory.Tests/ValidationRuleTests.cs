using System.Net;

namespace CameraNet.Inventory.Tests;

/// <summary>Every validation rule of a camera registration, one case each: 400, the field named, the rule's code.</summary>
public sealed class ValidationRuleTests(TianjinInventory inventory) : IClassFixture<TianjinInventory>
{
    private readonly InventoryApp _app = inventory.App;

    public static TheoryData<string, string, string, string, object?> Cases() => new()
    {
        // rule, field, what is changed, expected words in the message, new value (null removes the field)
        { "id.required", "id", "id", "required", null },
        { "id.length", "id", "id", "exactly 20 digits", "1201010000131000001" },
        { "id.digits", "id", "id", "only digits", "1201010000131000000A" },
        { "id.centre", "id", "id", "not a county-level division code", "00000000001310000001" },
        { "id.type", "id", "id", "type code", "12010100002150000001" },
        { "id.network", "id", "id", "reserved", "12010100001319000001" },
        { "name.required", "name", "name", "required", "  " },
        { "name.length", "name", "name", "at most 200", new string('路', 201) },
        { "kind.required", "kind", "kind", "required", null },
        { "districtCode.required", "districtCode", "districtCode", "required", null },
        { "districtCode.format", "districtCode", "districtCode", "6-digit", "120101001" },
        { "districtCode.unknown", "districtCode", "districtCode", "does not exist", "120199" },
        { "townshipCode.format", "townshipCode", "townshipCode", "9-digit township", "120101" },
        { "townshipCode.district", "townshipCode", "townshipCode", "not in district", "120102001" },
        { "townshipCode.unknown", "townshipCode", "townshipCode", "does not exist", "120101099" },
        { "longitude.required", "longitude", "longitude", "required", null },
        { "longitude.range", "longitude", "longitude", "outside", 181.0 },
        { "latitude.required", "latitude", "latitude", "required", null },
        { "latitude.range", "latitude", "latitude", "outside", -91.0 },
        { "azimuth.required", "azimuth", "azimuth", "required", null },
        { "azimuth.range", "azimuth", "azimuth", "0–360", 361.0 },
        { "fieldOfView.required", "fieldOfView", "fieldOfView", "required", null },
        { "fieldOfView.range", "fieldOfView", "fieldOfView", "1–360", 0.5 },
        { "range.required", "range", "range", "required", null },
        { "range.positive", "range", "range", "greater than 0", 0.0 },
        { "range.plausible", "range", "range", "not plausible", 5000.0 },
        { "url.required", "mainStreamUrl", "mainStreamUrl", "required", null },
        { "url.absolute", "mainStreamUrl", "mainStreamUrl", "absolute URL", "/Streaming/Channels/101" },
        { "url.scheme", "mainStreamUrl", "mainStreamUrl", "rtsp://", "http://10.0.0.5/stream" },
        { "url.credentials", "subStreamUrl", "subStreamUrl", "contains credentials", "rtsp://admin:pw@10.0.0.5/102" },
        { "decodeMode.required", "decodeMode", "decodeMode", "required", null },
        { "analysisFps.range", "analysisFps", "analysisFps", "at most 60", 120.0 },
        { "installDate.future", "installDate", "installDate", "in the future", "2099-01-01" },
        { "ownerUnit.length", "ownerUnit", "ownerUnit", "at most 200", new string('局', 201) },
        { "credentials.pair", "password", "username", "both username and password", "admin" },
        { "credentials.length", "password", "password", "longer than", new string('x', 201) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_registration_breaking_a_rule_is_refused_naming_the_field(string rule, string field, string change, string words, object? value)
    {
        using var client = _app.Client(InventoryApp.AdminKey);
        var camera = Samples.Camera("12010100001310000777", c =>
        {
            if (value is null)
            {
                c.Remove(change);
            }
            else
            {
                c[change] = value;
            }

            if (rule == "credentials.length")
            {
                c["username"] = "admin";
            }
        });

        var (response, problem) = await client.PostAsync("/api/cameras", camera);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, problem?.ToJsonString());
        problem.Rules(field).ShouldContain(rule, problem?.ToJsonString());
        problem.FieldErrors(field).ShouldContain(m => m.Contains(words, StringComparison.Ordinal), problem?.ToJsonString());
    }

    [Fact]
    public async Task A_keyframe_camera_cannot_have_an_analysis_rate()
    {
        using var client = _app.Client(InventoryApp.AdminKey);
        var (response, problem) = await client.PostAsync("/api/cameras", Samples.Camera(change: c => c["analysisFps"] = 10.0));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        problem.Rules("analysisFps").ShouldContain("analysisFps.mode");
    }

    [Fact]
    public async Task An_unknown_kind_is_a_400_naming_kind()
    {
        using var client = _app.Client(InventoryApp.AdminKey);
        var (response, problem) = await client.PostAsync("/api/cameras", Samples.Camera(change: c => c["kind"] = "satellite"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        problem.FieldErrors("kind").ShouldNotBeEmpty();
    }

    [Fact]
    public async Task A_location_in_another_township_is_refused_with_where_it_lies()
    {
        using var client = _app.Client(InventoryApp.AdminKey);
        var (_, derived) = await client.PostAsync("/api/cameras", Samples.Camera("12010100001310000901"));
        var actual = derived!["townshipCode"]!.GetValue<string>();
        var other = actual == "120101001" ? "120101002" : "120101001";

        var (response, problem) = await client.PostAsync("/api/cameras", Samples.Camera("12010100001310000902", c => c["townshipCode"] = other));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        problem.Rules("location").ShouldContain("location.township");
        problem.FieldErrors("location").ShouldContain(m => m.Contains(actual, StringComparison.Ordinal) && m.Contains(other, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_location_outside_every_district_is_refused()
    {
        using var client = _app.Client(InventoryApp.AdminKey);
        var (response, problem) = await client.PostAsync("/api/cameras", Samples.Camera(change: c =>
        {
            c["longitude"] = 121.47; // Shanghai
            c["latitude"] = 31.23;
        }));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        problem.Rules("location").ShouldContain("location.district");
        problem.FieldErrors("location").ShouldContain(m => m.Contains("outside every known district", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_id_whose_centre_code_is_no_known_district_is_refused()
    {
        using var client = _app.Client(InventoryApp.AdminKey);
        var (response, problem) = await client.PostAsync("/api/cameras", Samples.Camera("11010100001310000001"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        problem.Rules("id").ShouldContain("id.centre");
    }

    [Fact]
    public async Task An_azimuth_of_360_is_north_and_stored_as_0()
    {
        using var client = _app.Client(InventoryApp.AdminKey);
        var (response, camera) = await client.PostAsync("/api/cameras", Samples.Camera("12010100001310000903", c => c["azimuth"] = 360.0));
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        camera!["azimuth"]!.GetValue<double>().ShouldBe(0);
    }
}
