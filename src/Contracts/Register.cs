using System.Text.Json.Serialization;

namespace CameraNet.Contracts;

/// <summary>What kind of monitoring point a camera is (GB/T classification of 一/二/三类监控点, checkpoints, PTZ).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<CameraKind>))]
public enum CameraKind
{
    MonitoringClass1,
    MonitoringClass2,
    MonitoringClass3,
    Checkpoint,
    Ptz,
}

/// <summary>What an ingest worker needs to pull a camera.</summary>
public sealed record IngestCamera(
    string Id,
    string Name,
    string DistrictCode,
    string TownshipCode,
    CameraKind Kind,
    string MainStreamUrl,
    string? SubStreamUrl,
    DecodeMode DecodeMode,
    double? AnalysisFps,
    int Version,
    bool HasCredentials);

/// <summary>A camera's RTSP credentials, as the inventory hands them to an ingest worker over an authenticated call.</summary>
public sealed record IngestCredentials(string Username, string Password)
{
    /// <summary>Never print the password.</summary>
    public override string ToString() => $"IngestCredentials {{ Username = {Username}, Password = *** }}";
}
