using System.Text.Json;
using System.Text.Json.Serialization;

namespace CameraNet.Contracts;

/// <summary>Enums cross process boundaries as camelCase names (<c>keyframe</c>, <c>monitoringClass1</c>), everywhere alike.</summary>
public sealed class CamelCaseEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.CamelCase)
    where T : struct, Enum;
