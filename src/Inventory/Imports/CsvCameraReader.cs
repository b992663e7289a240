using System.Runtime.CompilerServices;
using System.Text;
using CsvHelper;

namespace CameraNet.Inventory.Imports;

/// <summary>
/// Reads cameras from CSV (UTF-8, comma-separated, a header row with the API's field names in any
/// order) one row at a time: memory stays flat whatever the file size.
/// </summary>
public static class CsvCameraReader
{
    public static async IAsyncEnumerable<CameraRow> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = new CsvReaderOptions
        {
            HasHeader = true,
            Separator = ',',
            TrimWhitespace = true,
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            AllowLineBreaksInQuotes = true,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            Encoding = new UTF8Encoding(false),
            BufferSize = 1 << 20,
        };
        await using var csv = CsvReader.Create(stream, options, leaveOpen: true);
        try
        {
            await csv.ReadHeaderAsync(cancellationToken);
        }
        catch (Exception e) when (e is CsvFormatException or InvalidOperationException)
        {
            throw new ImportFormatException("the file has no CSV header row; it needs: " + string.Join(',', CameraFields.Required));
        }

        var columns = Header(csv.Headers);
        var columnOfSlot = CameraFields.All.Select(f => columns.TryGetValue(f, out var c) ? c : -1).ToArray();
        var values = new string?[CameraFields.All.Length];
        var numbers = new double?[CameraFields.All.Length];
        var scratch = new FieldErrors();
        long row = 0;
        while (await ReadRowAsync(csv, cancellationToken))
        {
            row++;
            if (csv.FieldCount != csv.Headers.Count)
            {
                scratch.Add("row", "row.columns", $"the row has {csv.FieldCount} values; the header has {csv.Headers.Count} columns");
            }

            for (var slot = 0; slot < values.Length; slot++)
            {
                var column = columnOfSlot[slot];
                var present = column >= 0 && column < csv.FieldCount;
                if (CameraFields.IsNumber(slot))
                {
                    // Numbers from the UTF-8 bytes: no string per value (a million-row file has six million of them).
                    numbers[slot] = present ? CameraFields.ParseNumber(csv.GetSpan(column).Trim((byte)' '), CameraFields.All[slot], scratch) : null;
                }
                else
                {
                    values[slot] = present && csv.GetStringOrNull(column) is { Length: > 0 } s ? s : null;
                }
            }

            var registration = CameraFields.Parse(values, scratch, numbers);
            yield return new CameraRow(row, csv.LineNumber, registration, CameraRow.Take(scratch));
        }
    }

    private static async ValueTask<bool> ReadRowAsync(CsvReader csv, CancellationToken cancellationToken)
    {
        try
        {
            return await csv.ReadAsync(cancellationToken);
        }
        catch (CsvFormatException e)
        {
            throw new ImportFormatException($"the CSV is malformed near line {csv.LineNumber}: {e.Message}");
        }
    }

    private static Dictionary<string, int> Header(IReadOnlyList<string> header)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var problems = new List<string>();
        for (var i = 0; i < header.Count; i++)
        {
            var name = header[i].Trim().TrimStart('\uFEFF');
            var known = CameraFields.All.FirstOrDefault(f => string.Equals(f, name, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                problems.Add($"unknown column '{name}'");
            }
            else if (!columns.TryAdd(known, i))
            {
                problems.Add($"column '{name}' appears twice");
            }
        }

        var missing = CameraFields.Required.Where(f => !columns.ContainsKey(f)).ToList();
        if (missing.Count > 0)
        {
            problems.Add("missing columns: " + string.Join(", ", missing));
        }

        return problems.Count == 0
            ? columns
            : throw new ImportFormatException("the CSV header is not usable: " + string.Join("; ", problems) + $". Columns are: {string.Join(',', CameraFields.All)}");
    }
}
