using System.Buffers;
using System.Buffers.Binary;

namespace CameraNet.Ingest.Rtsp;

/// <summary>
/// Rebuilds H.264 access units from RTP (RFC 6184: single NAL units, STAP-A aggregates and FU-A
/// fragments) as Annex-B byte streams. With <see cref="KeyFramesOnly"/> (key-frame mode) it keeps only
/// those that start a picture by themselves: IDR frames, with the stream's parameter sets in front.
/// Everything else is looked at (a NAL header per packet) and thrown away without being copied, which
/// is what makes key-frame-only capture cheap. Without it (full mode) every picture is handed on in
/// order; after a loss, pictures are skipped until the next IDR frame, since they would be decoded
/// against references the decoder never got.
/// </summary>
/// <remarks>Not thread-safe: one per stream, fed by its reader. The buffer is pooled and reused.</remarks>
public sealed class H264Depacketizer : IDisposable
{
    public const int NalSlice = 1;
    public const int NalIdr = 5;
    public const int NalSps = 7;
    public const int NalPps = 8;
    private const int StapA = 24;
    private const int FuA = 28;
    private const int MaxAccessUnit = 8 << 20;
    private static readonly byte[] StartCode = [0, 0, 0, 1];

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
    private int _length;
    private uint _timestamp;
    private bool _open;
    private bool _keyFrame;
    private bool _skip;
    private bool _broken;
    private bool _inFragment;
    private bool _withSps;
    private bool _withPps;
    private bool _hasSequence;
    private bool _slice;
    private bool _awaitingKey = true;
    private ushort _expected;
    private byte[]? _sps;
    private byte[]? _pps;

    /// <summary>Called with a complete access unit (Annex-B) and its RTP timestamp.</summary>
    public delegate void AccessUnitHandler(ReadOnlySpan<byte> accessUnit, uint rtpTimestamp);

    /// <summary>True (the default): only IDR frames are rebuilt; false: every picture is.</summary>
    public bool KeyFramesOnly { get; init; } = true;

    /// <summary>Each complete IDR access unit, parameter sets first.</summary>
    public AccessUnitHandler? OnKeyFrame { get; set; }

    /// <summary>Each complete picture that is not an IDR frame (only without <see cref="KeyFramesOnly"/>).</summary>
    public AccessUnitHandler? OnInterFrame { get; set; }

    public long KeyFrames { get; private set; }

    /// <summary>Pictures that could not be used: data missing, or (IDR frames) no parameter sets known yet.</summary>
    public long Discarded { get; private set; }

    /// <summary>Full mode: pictures passed over while waiting for an IDR frame to restart decoding from.</summary>
    public long Skipped { get; private set; }

    /// <summary>Full mode: pass over pictures until the next IDR frame (the consumer lost one, e.g. it was too slow).</summary>
    public void AwaitKeyFrame() => _awaitingKey = true;

    public bool HasParameterSets => _sps is not null && _pps is not null;

    /// <summary>Parameter sets from the SDP (<c>sprop-parameter-sets</c>); in-band ones replace them.</summary>
    public void SetParameterSets(byte[]? sps, byte[]? pps)
    {
        _sps = sps ?? _sps;
        _pps = pps ?? _pps;
    }

    /// <summary>One RTP packet (header included).</summary>
    public void Push(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 12 || packet[0] >> 6 != 2)
        {
            return;
        }

        var csrc = packet[0] & 0x0F;
        var offset = 12 + 4 * csrc;
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < offset + 4)
            {
                return;
            }

            offset += 4 + 4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
        }

        var end = packet.Length;
        if ((packet[0] & 0x20) != 0 && end > offset)
        {
            end -= packet[end - 1];
        }

        if (end <= offset)
        {
            return;
        }

        var marker = (packet[1] & 0x80) != 0;
        var sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        var timestamp = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        // Lost packets: the open picture cannot be trusted, and neither can the one this packet starts
        // (what was lost may have been its beginning).
        var lost = _hasSequence && sequence != _expected;
        _broken |= lost;
        _hasSequence = true;
        _expected = (ushort)(sequence + 1);
        if (_open && timestamp != _timestamp)
        {
            Complete();
        }

        if (!_open)
        {
            Begin(timestamp);
            _broken = lost;
        }

        Payload(packet[offset..end]);
        if (marker)
        {
            Complete();
        }
    }

    private void Begin(uint timestamp)
    {
        _open = true;
        _timestamp = timestamp;
        _length = 0;
        _keyFrame = false;
        _skip = false;
        _broken = false;
        _inFragment = false;
        _withSps = false;
        _withPps = false;
        _slice = false;
    }

    private void Payload(ReadOnlySpan<byte> payload)
    {
        var type = payload[0] & 0x1F;
        switch (type)
        {
            case >= 1 and <= 23:
                Nal(payload);
                break;
            case StapA:
                var rest = payload[1..];
                while (rest.Length >= 2)
                {
                    var size = BinaryPrimitives.ReadUInt16BigEndian(rest);
                    if (size == 0 || size > rest.Length - 2)
                    {
                        _broken = true;
                        return;
                    }

                    Nal(rest.Slice(2, size));
                    rest = rest[(2 + size)..];
                }

                break;
            case FuA when payload.Length >= 2:
                var header = payload[1];
                var start = (header & 0x80) != 0;
                if (start)
                {
                    var nalHeader = (byte)((payload[0] & 0xE0) | (header & 0x1F));
                    _inFragment = StartNal(nalHeader);
                    if (_inFragment)
                    {
                        Append(payload[2..]);
                    }
                }
                else if (_inFragment)
                {
                    Append(payload[2..]);
                }
                else if (!_skip)
                {
                    _broken = true; // a fragment whose start we never saw
                }

                if ((header & 0x40) != 0)
                {
                    _inFragment = false;
                }

                break;
        }
    }

    private void Nal(ReadOnlySpan<byte> nal)
    {
        var type = nal[0] & 0x1F;
        if (type is NalSps or NalPps)
        {
            // In-band parameter sets win over the SDP's (cameras change them on reconfiguration).
            ref var slot = ref type == NalSps ? ref _sps : ref _pps;
            if (slot is null || !nal.SequenceEqual(slot))
            {
                slot = nal.ToArray();
            }
        }

        if (StartNal(nal[0]))
        {
            Append(nal[1..]);
        }
    }

    /// <summary>Starts a NAL unit in the buffer; false when the access unit is being skipped.</summary>
    private bool StartNal(byte header)
    {
        if (_skip)
        {
            return false;
        }

        var type = header & 0x1F;
        if (type == NalIdr)
        {
            _keyFrame = true;
        }
        else if (type is >= NalSlice and <= 4 && !_keyFrame && (KeyFramesOnly || _awaitingKey))
        {
            // The picture's first slice is not an IDR slice: nothing here is worth copying.
            _skip = true;
            _length = 0;
            if (!KeyFramesOnly)
            {
                Skipped++;
            }

            return false;
        }

        _slice |= type is >= NalSlice and <= NalIdr;
        _withSps |= type == NalSps;
        _withPps |= type == NalPps;
        Append(StartCode);
        Append([header]);
        return true;
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_length + data.Length > _buffer.Length)
        {
            if (_length + data.Length > MaxAccessUnit)
            {
                _broken = true;
                _skip = true;
                return;
            }

            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + data.Length));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    private void Complete()
    {
        _open = false;
        if (KeyFramesOnly ? !_keyFrame || _skip : _skip && (!_broken || _length == 0))
        {
            return;
        }

        if (_broken || (_keyFrame && (_sps is null || _pps is null)))
        {
            Discarded++;
            _awaitingKey = true;
            return;
        }

        if (!_keyFrame)
        {
            if (_slice)
            {
                OnInterFrame?.Invoke(_buffer.AsSpan(0, _length), _timestamp);
            }

            return;
        }

        KeyFrames++;
        _awaitingKey = false;
        if ((!_withSps || !_withPps) && _sps is not null && _pps is not null)
        {
            // Put the parameter sets in front: a decoder that starts here needs them.
            var sets = 8 + _sps.Length + _pps.Length;
            if (_length + sets > _buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(_length + sets);
                _buffer.AsSpan(0, _length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }

            _buffer.AsSpan(0, _length).CopyTo(_buffer.AsSpan(sets));
            StartCode.CopyTo(_buffer, 0);
            _sps.CopyTo(_buffer, 4);
            StartCode.CopyTo(_buffer, 4 + _sps.Length);
            _pps.CopyTo(_buffer, 8 + _sps.Length);
            _length += sets;
        }

        OnKeyFrame?.Invoke(_buffer.AsSpan(0, _length), _timestamp);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
