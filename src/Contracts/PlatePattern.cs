using System.Diagnostics.CodeAnalysis;

namespace CameraNet.Contracts;

/// <summary>
/// A plate number or a pattern of one: <c>?</c> stands for one character, <c>*</c> for any number (also none).
/// Letters match regardless of case. E.g. <c>津A*</c>, <c>津A1234?</c>, <c>*88</c>.
/// </summary>
public sealed class PlatePattern
{
    public const int MaxLength = 12;

    private readonly string _pattern;

    private PlatePattern(string pattern) => _pattern = pattern;

    public bool IsExact => !_pattern.Contains('?') && !_pattern.Contains('*');

    public override string ToString() => _pattern;

    public static bool TryParse(string? text, [NotNullWhen(true)] out PlatePattern? pattern, [NotNullWhen(false)] out string? error)
    {
        pattern = null;
        var trimmed = text?.Trim().ToUpperInvariant() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            error = "a plate pattern cannot be empty";
            return false;
        }

        if (trimmed.Length > MaxLength)
        {
            error = $"plate pattern '{text}' is longer than {MaxLength} characters";
            return false;
        }

        foreach (var c in trimmed)
        {
            if (c is not ('?' or '*') && !PlateGrammar.IsProvince(c) && !PlateGrammar.SerialCharacters.Contains(c, StringComparison.Ordinal)
                && !PlateGrammar.SpecialSuffixes.Contains(c, StringComparison.Ordinal) && c is not ('I' or 'O'))
            {
                error = $"plate pattern '{text}' has '{c}', which is not a plate character, '?' (one character) or '*' (any)";
                return false;
            }
        }

        if (trimmed.All(c => c == '*'))
        {
            error = $"plate pattern '{text}' matches every plate: name at least one character";
            return false;
        }

        if (!trimmed.Contains('?') && !trimmed.Contains('*') && !PlateGrammar.IsValid(trimmed))
        {
            PlateGrammar.TryValidate(trimmed, out _, out var why);
            error = $"'{text}' is not a valid plate number ({why}); use ? or * for unknown characters";
            return false;
        }

        pattern = new PlatePattern(trimmed);
        error = null;
        return true;
    }

    public static PlatePattern Parse(string text) =>
        TryParse(text, out var pattern, out var error) ? pattern : throw new FormatException(error);

    public bool IsMatch(string plate) => Match(_pattern.AsSpan(), plate.ToUpperInvariant().AsSpan());

    private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        // Iterative wildcard match with one backtrack point for the last '*'.
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
