using Microsoft.AspNetCore.Http.HttpResults;

using System.Text.Json;
using System.Text.Json.Serialization;

namespace CameraNet.Inventory.Api;

public static class ApiJson
{
    /// <summary>The API's JSON: camelCase names and enums, as clients see them.</summary>
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return options;
    }
}

/// <summary>An RFC 7807 body for typed results that carry one.</summary>
public sealed record ProblemDetailsBody(string Title, string Detail, int Status);

public static class Problems
{
    public static ProblemHttpResult Forbidden(string detail, string title = "Not allowed") =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: title);

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem($"no {what}", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Conflict(string detail, string field, string title = "Conflict") =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: title,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } });

    /// <summary>400 with messages per field, plus <c>rules</c>: the stable code of each broken rule, for clients.</summary>
    public static ValidationProblem Invalid(FieldErrors errors, string title = "The request is invalid") =>
        TypedResults.ValidationProblem(errors.ToProblem(), title: title,
            extensions: new Dictionary<string, object?> { ["rules"] = errors.Select(e => new { e.Field, e.Rule }).ToList() });
}
