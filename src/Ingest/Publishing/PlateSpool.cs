using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace CameraNet.Ingest.Publishing;

/// <summary>One spooled event: its subject, message ID and JSON body.</summary>
public sealed record SpooledEvent(string Subject, string MessageId, byte[] Body);

/// <summary>
/// A bounded, append-only disk log of plate events waiting for NATS, in one directory.
/// Each record is <c>[length:4][crc32:4][subject\nmsgid\nbody]</c> and is fsync'd before
/// <see cref="Append"/> returns, so what was appended survives a crash of the worker or the machine.
/// Reading advances a separately stored position; a torn last record (crash during a write) fails its
/// checksum and is cut off at open. When everything is read the log is emptied. Not thread-safe: the
/// publisher's single loop owns it. The directory is locked while open, so a second worker cannot
/// share it, and a worker that starts later can tell an abandoned spool (lock free) from a live one.
/// </summary>
public sealed class PlateSpool : IDisposable
{
    private const string LogName = "plates.log";
    private const string PositionName = "plates.pos";
    private const string LockName = "lock";
    private const int HeaderBytes = 8;

    private readonly FileStream _lock;
    private readonly FileStream _log;
    private readonly string _positionPath;
    private long _position;
    private int _unsyncedPositions;

    private PlateSpool(string directory, FileStream lockFile, FileStream log, long position)
    {
        Directory = directory;
        _lock = lockFile;
        _log = log;
        _positionPath = Path.Combine(directory, PositionName);
        _position = position;
    }

    public string Directory { get; }

    /// <summary>Bytes waiting (appended, not yet read).</summary>
    public long PendingBytes => _log.Length - _position;

    public bool IsEmpty => PendingBytes == 0;

    public long Count { get; private set; }

    /// <summary>Opens (or creates) the spool in <paramref name="directory"/>; null when another process holds it.</summary>
    public static PlateSpool? TryOpen(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        FileStream lockFile;
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Linux; it goes with the process, even on kill -9.
            lockFile = new FileStream(Path.Combine(directory, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }

        var log = new FileStream(Path.Combine(directory, LogName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.None);
        var positionPath = Path.Combine(directory, PositionName);
        long position = 0;
        if (File.Exists(positionPath))
        {
            var bytes = File.ReadAllBytes(positionPath);
            position = bytes.Length == 8 ? BinaryPrimitives.ReadInt64LittleEndian(bytes) : 0;
        }

        var spool = new PlateSpool(directory, lockFile, log, Math.Clamp(position, 0, log.Length));
        spool.Recover();
        return spool;
    }

    /// <summary>Walks the records after the read position: counts them and cuts off a torn tail.</summary>
    private void Recover()
    {
        var offset = _position;
        var header = new byte[HeaderBytes];
        long count = 0;
        while (offset < _log.Length)
        {
            _log.Position = offset;
            if (_log.Length - offset < HeaderBytes || _log.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes)
            {
                break;
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(header);
            if (length <= 0 || offset + HeaderBytes + length > _log.Length)
            {
                break;
            }

            var body = new byte[length];
            _log.ReadExactly(body);
            if (Crc32.HashToUInt32(body) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4)))
            {
                break;
            }

            offset += HeaderBytes + length;
            count++;
        }

        if (offset < _log.Length)
        {
            _log.SetLength(offset);
            _log.Flush(flushToDisk: true);
        }

        Count = count;
        _log.Position = _log.Length;
    }

    /// <summary>Appends and fsyncs one event; false when the spool would grow past <paramref name="maxBytes"/>.</summary>
    public bool Append(SpooledEvent item, long maxBytes)
    {
        var subject = Encoding.UTF8.GetBytes(item.Subject);
        var id = Encoding.UTF8.GetBytes(item.MessageId);
        var length = subject.Length + 1 + id.Length + 1 + item.Body.Length;
        if (PendingBytes + HeaderBytes + length > maxBytes)
        {
            return false;
        }

        var record = new byte[HeaderBytes + length];
        var body = record.AsSpan(HeaderBytes);
        subject.CopyTo(body);
        body[subject.Length] = (byte)'\n';
        id.CopyTo(body[(subject.Length + 1)..]);
        body[subject.Length + 1 + id.Length] = (byte)'\n';
        item.Body.CopyTo(body[(subject.Length + id.Length + 2)..]);
        BinaryPrimitives.WriteInt32LittleEndian(record, length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), Crc32.HashToUInt32(body));
        _log.Position = _log.Length;
        _log.Write(record);
        _log.Flush(flushToDisk: true);
        Count++;
        return true;
    }

    /// <summary>The oldest unread event, without consuming it; null when the spool is empty.</summary>
    public SpooledEvent? Peek()
    {
        if (IsEmpty)
        {
            return null;
        }

        var header = new byte[HeaderBytes];
        _log.Position = _position;
        _log.ReadExactly(header);
        var body = new byte[BinaryPrimitives.ReadInt32LittleEndian(header)];
        _log.ReadExactly(body);
        _log.Position = _log.Length;
        var first = Array.IndexOf(body, (byte)'\n');
        var second = Array.IndexOf(body, (byte)'\n', first + 1);
        return new SpooledEvent(
            Encoding.UTF8.GetString(body, 0, first),
            Encoding.UTF8.GetString(body, first + 1, second - first - 1),
            body[(second + 1)..]);
    }

    /// <summary>
    /// Marks the oldest event as delivered. The position is written every time but fsync'd only every few
    /// events: after a crash a few delivered events may be sent again, which their message IDs make harmless.
    /// When the last event is consumed the log is emptied.
    /// </summary>
    public void Consume()
    {
        if (IsEmpty)
        {
            throw new InvalidOperationException("the spool is empty");
        }

        var header = new byte[HeaderBytes];
        _log.Position = _position;
        _log.ReadExactly(header);
        _position += HeaderBytes + BinaryPrimitives.ReadInt32LittleEndian(header);
        _log.Position = _log.Length;
        Count--;
        if (IsEmpty)
        {
            _log.SetLength(0);
            _log.Flush(flushToDisk: true);
            _position = 0;
            WritePosition(sync: true);
            return;
        }

        WritePosition(sync: ++_unsyncedPositions >= 16);
    }

    private void WritePosition(bool sync)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, _position);
        using var file = new FileStream(_positionPath, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        file.Write(bytes);
        if (sync)
        {
            file.Flush(flushToDisk: true);
            _unsyncedPositions = 0;
        }
    }

    public void Dispose()
    {
        _log.Dispose();
        _lock.Dispose();
    }
}
