using System.Runtime.CompilerServices;
using System.Text.Json;

namespace CameraNet.Inventory.Imports;

/// <summary>
/// Reads cameras from a GeoJSON FeatureCollection of Point features (properties: the API's field
/// names; the point gives longitude and latitude) one feature at a time, without loading the file.
/// </summary>
public static class GeoJsonCameraReader
{
    private const int MaxFeatureBytes = 1 << 20;

    private enum Phase
    {
        BeforeRoot,
        InRoot,
        InFeatures,
        AfterFeatures,
        Done,
    }

    private sealed class Cursor
    {
        public JsonReaderState State = new(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        public Phase Phase = Phase.BeforeRoot;
        public bool SawFeatures;
        public string? PendingProperty;
        public long Features;
    }

    public static async IAsyncEnumerable<CameraRow> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        var filled = 0;
        var eof = false;
        var cursor = new Cursor();
        var batch = new List<CameraRow>();
        while (cursor.Phase != Phase.Done)
        {
            if (!eof && filled < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                eof = read == 0;
                filled += read;
            }

            int consumed;
            try
            {
                consumed = Step(buffer.AsSpan(0, filled), eof, cursor, batch);
            }
            catch (JsonException e)
            {
                throw new ImportFormatException($"the file is not valid JSON near feature {cursor.Features + 1}: {e.Message}");
            }

            foreach (var row in batch)
            {
                yield return row;
            }

            batch.Clear();
            if (consumed == 0 && filled == buffer.Length)
            {
                if (buffer.Length >= MaxFeatureBytes)
                {
                    throw new ImportFormatException($"feature {cursor.Features + 1} is larger than {MaxFeatureBytes / 1024} KiB");
                }

                Array.Resize(ref buffer, buffer.Length * 2);
            }

            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
            if (eof && consumed == 0 && cursor.Phase != Phase.Done)
            {
                throw new ImportFormatException(cursor.SawFeatures
                    ? "the file ends before the FeatureCollection is closed"
                    : "the file is not a GeoJSON FeatureCollection with a 'features' array");
            }
        }
    }

    /// <summary>Parses what is complete in <paramref name="data"/>; returns the bytes consumed.</summary>
    private static int Step(ReadOnlySpan<byte> data, bool final, Cursor cursor, List<CameraRow> output)
    {
        var reader = new Utf8JsonReader(data, final, cursor.State);
        var consumed = 0;
        while (true)
        {
            var stateBefore = reader.CurrentState;
            var positionBefore = (int)reader.BytesConsumed;
            if (!reader.Read())
            {
                cursor.State = reader.CurrentState;
                consumed = (int)reader.BytesConsumed;
                if (final && cursor.Phase != Phase.Done && reader.BytesConsumed == data.Length)
                {
                    cursor.Phase = cursor.SawFeatures ? Phase.Done : cursor.Phase;
                }

                return consumed;
            }

            switch (cursor.Phase)
            {
                case Phase.BeforeRoot:
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw new ImportFormatException("the file is not a GeoJSON FeatureCollection (it does not start with '{')");
                    }

                    cursor.Phase = Phase.InRoot;
                    break;

                case Phase.InRoot or Phase.AfterFeatures:
                    if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
                    {
                        if (!cursor.SawFeatures)
                        {
                            throw new ImportFormatException("the FeatureCollection has no 'features' array");
                        }

                        cursor.Phase = Phase.Done;
                        cursor.State = reader.CurrentState;
                        return (int)reader.BytesConsumed;
                    }

                    if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                    {
                        cursor.PendingProperty = reader.GetString();
                        break;
                    }

                    if (cursor.PendingProperty == "features" && reader.TokenType == JsonTokenType.StartArray && reader.CurrentDepth == 1)
                    {
                        cursor.SawFeatures = true;
                        cursor.Phase = Phase.InFeatures;
                    }
                    else if (cursor.PendingProperty == "type" && reader.TokenType == JsonTokenType.String && reader.GetString() != "FeatureCollection")
                    {
                        throw new ImportFormatException($"the GeoJSON type is '{reader.GetString()}'; a FeatureCollection is needed");
                    }
                    else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        if (!reader.TrySkip())
                        {
                            cursor.State = stateBefore;
                            return positionBefore;
                        }
                    }

                    cursor.PendingProperty = null;
                    break;

                case Phase.InFeatures:
                    if (reader.TokenType == JsonTokenType.EndArray)
                    {
                        cursor.Phase = Phase.AfterFeatures;
                        break;
                    }

                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw new ImportFormatException($"feature {cursor.Features + 1} is not a JSON object");
                    }

                    var probe = reader;
                    if (!probe.TrySkip())
                    {
                        // The feature is not all here yet: resume from its start once more data is read.
                        cursor.State = stateBefore;
                        return positionBefore;
                    }

                    using (var feature = JsonDocument.ParseValue(ref reader))
                    {
                        output.Add(ToRow(++cursor.Features, feature.RootElement));
                    }

                    break;
            }
        }
    }

    private static CameraRow ToRow(long row, JsonElement feature)
    {
        var errors = new FieldErrors();
        var properties = feature.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        string? Text(string field)
        {
            if (properties.ValueKind != JsonValueKind.Object || !properties.TryGetProperty(field, out var value))
            {
                return null;
            }

            return value.ValueKind switch
            {
                JsonValueKind.String => value.GetString() is { Length: > 0 } s ? s.Trim() : null,
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
        }

        string? lon = null, lat = null;
        if (feature.TryGetProperty("geometry", out var geometry) && geometry.ValueKind == JsonValueKind.Object
            && geometry.TryGetProperty("type", out var type) && type.GetString() == "Point"
            && geometry.TryGetProperty("coordinates", out var coordinates) && coordinates.ValueKind == JsonValueKind.Array
            && coordinates.GetArrayLength() >= 2 && coordinates[0].ValueKind == JsonValueKind.Number && coordinates[1].ValueKind == JsonValueKind.Number)
        {
            lon = coordinates[0].GetRawText();
            lat = coordinates[1].GetRawText();
        }
        else
        {
            errors.Add("geometry", "geometry.point", "geometry must be a Point with [longitude, latitude]");
        }

        var values = CameraFields.All.Select(field => field switch
        {
            "longitude" => lon,
            "latitude" => lat,
            _ => Text(field),
        }).ToArray();
        var registration = CameraFields.Parse(values, errors);
        return new CameraRow(row, 0, registration, CameraRow.Take(errors));
    }
}
