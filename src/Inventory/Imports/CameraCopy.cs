using System.Buffers.Binary;
using System.Text;
using CameraNet.Inventory.Cameras;
using CameraNet.Inventory.Data;
using Npgsql;

namespace CameraNet.Inventory.Imports;

/// <summary>
/// A binary COPY of register rows into <c>cameras</c> (or a table like it), encoded here in
/// PostgreSQL's binary COPY format and sent through a raw COPY stream. Nothing reaches the table
/// unless <see cref="CompleteAsync"/> is called; disposing without it cancels the COPY.
/// </summary>
/// <remarks>
/// Npgsql's <see cref="NpgsqlBinaryImporter"/> resolves a parameter and a converter for every value
/// and runs a state machine per write: a profile of a 1.1 M-camera import put 19 such writes per row
/// at about 2 s of client CPU, as much as the validation itself, on two cores shared with Postgres.
/// The register's columns are few and fixed, so each row is written straight into a buffer.
/// Format (PostgreSQL docs, "COPY", binary format): a signature and two zero words, then per row a
/// 16-bit field count and, per field, a 32-bit length (−1 for NULL) and the value in the type's
/// binary form, big-endian; a −1 field count ends the data.
/// </remarks>
public sealed class CameraCopy : IAsyncDisposable
{
    public const string Columns =
        "id, name, kind, district_code, township_code, location, azimuth_deg, fov_deg, range_m, main_stream_url, sub_stream_url, " +
        "credentials, credentials_hash, decode_mode, analysis_fps, install_date, owner_unit, content_hash, updated_by";

    private const short FieldCount = 19;
    private const int FlushAt = 1 << 16;

    // "PGCOPY\n\377\r\n\0", flags, header extension length.
    private static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static readonly int PostgresEpochDay = new DateOnly(2000, 1, 1).DayNumber;

    // Like Npgsql's: a string that is not valid UTF-16 (a lone surrogate) is an error, not silently replaced.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly NpgsqlRawCopyStream _stream;
    private byte[] _buffer = new byte[FlushAt * 2];
    private int _length;
    private bool _ended;

    private CameraCopy(NpgsqlRawCopyStream stream)
    {
        _stream = stream;
        Header.CopyTo(_buffer);
        _length = Header.Length;
    }

    public static async Task<CameraCopy> BeginAsync(NpgsqlConnection connection, string table, CancellationToken cancellationToken) =>
        new(await connection.BeginRawBinaryCopyAsync($"COPY {table} ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken));

    /// <summary>Appends one row (synchronous: the stream only touches the socket when a buffer fills).</summary>
    public void Write(ValidCamera c, string township, long contentHash, byte[]? credentials, long? credentialsHash, string updatedBy)
    {
        Int16(FieldCount);
        Text(c.Id.Value);
        Text(c.Name);
        Text(Db.Text(c.Kind));
        Text(c.District.Value);
        Text(township);
        Point(c.Longitude, c.Latitude);
        Float8(c.Azimuth);
        Float8(c.FieldOfView);
        Float8(c.Range);
        Text(c.MainStreamUrl);
        Text(c.SubStreamUrl);
        Bytes(credentials);
        Int8(credentialsHash);
        Text(Db.Text(c.DecodeMode));
        Float4(c.AnalysisFps is { } fps ? (float)fps : null);
        Date(c.InstallDate);
        Text(c.OwnerUnit);
        Int8(contentHash);
        Text(updatedBy);
        if (_length >= FlushAt)
        {
            _stream.Write(_buffer, 0, _length);
            _length = 0;
        }
    }

    /// <summary>Ends the data and the COPY; a server-side error (a repeated key, say) is thrown here.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        Int16(-1);
        await _stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken);
        _length = 0;
        _ended = true;
        await _stream.DisposeAsync(); // sends CopyDone and reads the outcome
    }

    public async ValueTask DisposeAsync()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        try
        {
            await _stream.CancelAsync(); // CopyFail: the server discards every row of this COPY
        }
        catch (Exception e) when (e is NpgsqlException or ObjectDisposedException or InvalidOperationException)
        {
            // The COPY already failed (or the connection broke): nothing of it was applied.
        }
    }

    private Span<byte> Room(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }

        return _buffer.AsSpan(_length);
    }

    private void Null()
    {
        BinaryPrimitives.WriteInt32BigEndian(Room(4), -1);
        _length += 4;
    }

    private void Int16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(Room(2), value);
        _length += 2;
    }

    private void Text(string? text)
    {
        if (text is null)
        {
            Null();
            return;
        }

        var room = Room(4 + Utf8.GetMaxByteCount(text.Length));
        var written = Utf8.GetBytes(text, room[4..]);
        BinaryPrimitives.WriteInt32BigEndian(room, written);
        _length += 4 + written;
    }

    private void Bytes(byte[]? bytes)
    {
        if (bytes is null)
        {
            Null();
            return;
        }

        bytes.CopyTo(Value(bytes.Length));
    }

    /// <summary>Writes a value's length and returns the room for its bytes.</summary>
    private Span<byte> Value(int bytes)
    {
        var room = Room(4 + bytes);
        BinaryPrimitives.WriteInt32BigEndian(room, bytes);
        _length += 4 + bytes;
        return room.Slice(4, bytes);
    }

    private void Float8(double value) => BinaryPrimitives.WriteDoubleBigEndian(Value(8), value);

    private void Float4(float? value)
    {
        if (value is { } v)
        {
            BinaryPrimitives.WriteSingleBigEndian(Value(4), v);
        }
        else
        {
            Null();
        }
    }

    private void Int8(long? value)
    {
        if (value is { } v)
        {
            BinaryPrimitives.WriteInt64BigEndian(Value(8), v);
        }
        else
        {
            Null();
        }
    }

    /// <summary>A date is its day count from 2000-01-01.</summary>
    private void Date(DateOnly? value)
    {
        if (value is { } v)
        {
            BinaryPrimitives.WriteInt32BigEndian(Value(4), v.DayNumber - PostgresEpochDay);
        }
        else
        {
            Null();
        }
    }

    /// <summary>A geometry column takes extended WKB: a WGS-84 point (see <see cref="Ewkb"/>).</summary>
    private void Point(double lon, double lat) => Ewkb.Point(lon, lat, Value(Ewkb.PointBytes));
}
