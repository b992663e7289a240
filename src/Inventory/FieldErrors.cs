namespace CameraNet.Inventory;

/// <summary>One broken rule: the field (camelCase, as in the JSON), a stable rule code, and a message for people.</summary>
public sealed record FieldError(string Field, string Rule, string Message);

/// <summary>Broken rules per field, for RFC 7807 validation problems and import reports.</summary>
public sealed class FieldErrors : List<FieldError>
{
    /// <summary>Adds a broken rule; the rule code defaults to the field name.</summary>
    public void Add(string field, string message) => Add(new FieldError(field, field, message));

    public void Add(string field, string rule, string message) => Add(new FieldError(field, rule, message));

    public Dictionary<string, string[]> ToProblem() =>
        this.GroupBy(e => e.Field, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal);
}
