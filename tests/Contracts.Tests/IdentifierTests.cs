using CameraNet.Contracts;

namespace CameraNet.Contracts.Tests;

public sealed class DivisionCodeTests
{
    [Theory]
    [InlineData("120101", DivisionLevel.District)]
    [InlineData("120101001", DivisionLevel.Township)]
    [InlineData("120116401", DivisionLevel.Township)]
    public void Valid_codes_parse_with_their_level(string text, DivisionLevel level)
    {
        var code = DivisionCode.Parse(text);
        code.Level.ShouldBe(level);
        code.District.Value.ShouldBe(text[..6]);
    }

    [Theory]
    [InlineData(null, "required")]
    [InlineData("", "required")]
    [InlineData("12010", "6 digits")]
    [InlineData("1201010011", "6 digits")]
    [InlineData("12010A", "only digits")]
    [InlineData("020101", "county-level")]
    [InlineData("120000", "county-level")]
    public void Invalid_codes_are_refused_with_a_reason(string? text, string reason)
    {
        DivisionCode.TryParse(text, out _, out var error).ShouldBeFalse();
        error.ShouldContain(reason);
    }

    [Fact]
    public void A_district_contains_its_townships_and_not_its_neighbours()
    {
        var district = DivisionCode.Parse("120101");
        district.Contains(DivisionCode.Parse("120101003")).ShouldBeTrue();
        district.Contains(DivisionCode.Parse("120102003")).ShouldBeFalse();
    }
}

public sealed class GbDeviceIdTests
{
    [Fact]
    public void A_well_formed_id_exposes_its_parts()
    {
        var id = GbDeviceId.Parse("12010100001210000001");
        id.CentreCode.ShouldBe("12010100");
        id.DistrictCode.ShouldBe("120101");
        id.IndustryCode.ShouldBe("00");
        id.TypeCode.ShouldBe(121);
        id.NetworkDigit.ShouldBe(0);
        id.Serial.ShouldBe("000001");
    }

    [Theory]
    [InlineData("1201010000121000001", "exactly 20 digits")]
    [InlineData("120101000012100000012", "exactly 20 digits")]
    [InlineData("1201010000121000000X", "only digits")]
    [InlineData("00000000001210000001", "not a county-level division code")]
    [InlineData("12010100002000000001", "type code (digits 11–13) is 200")]
    [InlineData("12010100001100000001", "type code (digits 11–13) is 110")]
    [InlineData("12010100001319000001", "network digit (digit 14) 9 is reserved")]
    public void Malformed_ids_are_refused_naming_the_broken_part(string text, string reason)
    {
        GbDeviceId.TryParse(text, out _, out var error).ShouldBeFalse();
        error.ShouldContain(reason);
    }

    [Theory]
    [InlineData(111)]
    [InlineData(131)]
    [InlineData(132)]
    [InlineData(199)]
    public void Every_front_end_device_type_is_accepted(int type) =>
        GbDeviceId.TryParse($"1201010000{type:000}0000001", out _).ShouldBeTrue();
}

public sealed class SubjectTests
{
    private static readonly DivisionCode District = DivisionCode.Parse("120101");
    private static readonly DivisionCode Township = DivisionCode.Parse("120101002");
    private static readonly GbDeviceId Camera = GbDeviceId.Parse("12010100001310000007");

    [Fact]
    public void Frame_subjects_put_the_geography_first_so_wildcards_select_areas()
    {
        Subjects.Frames(District, Township, Camera).ShouldBe("cameranet.frames.120101.120101002.12010100001310000007");
        Subjects.FramesOf(District).ShouldBe("cameranet.frames.120101.>");
        Subjects.PlatesOf(Township).ShouldBe("cameranet.plates.120101.>");
    }

    [Fact]
    public void Camera_subjects_parse_back_into_their_parts()
    {
        Subjects.TryParseCameraSubject(Subjects.Plates(District, Township, Camera), out var plates).ShouldBeTrue();
        plates!.Kind.ShouldBe("plates");
        plates.Township.ShouldBe(Township);
        Subjects.TryParseCameraSubject(Subjects.CameraStatus(District, Township, Camera), out var status).ShouldBeTrue();
        status!.Kind.ShouldBe("status");
        status.Camera.ShouldBe(Camera);
    }

    [Theory]
    [InlineData("cameranet.frames.120101.120102002.12010100001310000007")]
    [InlineData("cameranet.frames.120101.120101002")]
    [InlineData("cameranet.videos.120101.120101002.12010100001310000007")]
    [InlineData("cameranet.frames.120101.120101002.1201010000131000000")]
    public void Subjects_that_do_not_fit_the_scheme_do_not_parse(string subject) =>
        Subjects.TryParseCameraSubject(subject, out _).ShouldBeFalse();

    [Fact]
    public void A_township_outside_its_district_cannot_build_a_subject() =>
        Should.Throw<ArgumentException>(() => Subjects.Frames(District, DivisionCode.Parse("120102002"), Camera));

    [Theory]
    [InlineData("worker.1")]
    [InlineData("a b")]
    [InlineData("w*")]
    [InlineData("")]
    public void Worker_ids_that_would_break_subjects_are_refused(string workerId) =>
        Should.Throw<ArgumentException>(() => Subjects.WorkerHeartbeat(workerId));
}
