using System.Buffers.Binary;

namespace CameraNet.CameraSim.Rtsp;

/// <summary>
/// One access unit already cut into RTP packets (RFC 6184, packetization-mode 1) and framed for
/// RTSP-interleaved TCP ('$', channel, length). Only sequence number, timestamp and SSRC differ per
/// session; they are patched into a copy at send time.
/// </summary>
public sealed class RtpFrame(byte[] data, int[] packetOffsets, bool isKeyFrame)
{
    public byte[] Data { get; } = data;

    /// <summary>Offsets of each RTP header inside <see cref="Data"/>.</summary>
    public int[] PacketOffsets { get; } = packetOffsets;

    public bool IsKeyFrame { get; } = isKeyFrame;

    /// <summary>Copies the frame into <paramref name="destination"/> with this session's numbers; returns the next sequence number.</summary>
    public ushort CopyTo(Span<byte> destination, ushort sequence, uint timestamp, uint ssrc)
    {
        Data.CopyTo(destination);
        foreach (var offset in PacketOffsets)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], sequence++);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 4)..], timestamp);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 8)..], ssrc);
        }

        return sequence;
    }
}

/// <summary>A whole loop of pre-packetised frames plus what the SDP needs to describe it.</summary>
public sealed class RtpFrameSet
{
    public const int PayloadType = 96;
    public const int RtpChannel = 0;
    public const int MaxPayload = 1400;

    private RtpFrameSet(IReadOnlyList<RtpFrame> frames, int fps, string fmtp)
    {
        Frames = frames;
        Fps = fps;
        Fmtp = fmtp;
        var keys = new List<int>();
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames[i].IsKeyFrame)
            {
                keys.Add(i);
            }
        }

        KeyFrames = keys;
    }

    public IReadOnlyList<RtpFrame> Frames { get; }
    public IReadOnlyList<int> KeyFrames { get; }
    public int Fps { get; }

    /// <summary>The a=fmtp line's parameters.</summary>
    public string Fmtp { get; }

    public int MaxFrameBytes => Frames.Max(f => f.Data.Length);

    /// <summary>The last key frame at or before loop frame <paramref name="frame"/>.</summary>
    public int KeyFrameAtOrBefore(int frame)
    {
        var best = KeyFrames[0];
        foreach (var k in KeyFrames)
        {
            if (k > frame)
            {
                break;
            }

            best = k;
        }

        return best;
    }

    public static RtpFrameSet FromStream(H264Stream stream, int fps) =>
        new(
            stream.Units.Select(u => Packetise(u.Nals, u.IsKeyFrame)).ToList(),
            fps,
            $"packetization-mode=1;profile-level-id={stream.ProfileLevelId};" +
            $"sprop-parameter-sets={Convert.ToBase64String(stream.Sps)},{Convert.ToBase64String(stream.Pps)}");

    /// <summary>
    /// A stream no decoder can use: parameter sets are withheld (in-band and in the SDP) and slice data is
    /// scrambled, as from a camera whose encoder is broken or a stream in a codec variant the client cannot read.
    /// </summary>
    public static RtpFrameSet Corrupted(H264Stream stream, int fps, int seed)
    {
        var random = new Random(seed);
        var frames = new List<RtpFrame>(stream.Units.Count);
        foreach (var unit in stream.Units)
        {
            var nals = new List<ReadOnlyMemory<byte>>();
            foreach (var nal in unit.Nals)
            {
                var type = nal.Span[0] & 0x1F;
                if (type is H264Stream.NalSps or H264Stream.NalPps)
                {
                    continue;
                }

                var scrambled = nal.ToArray();
                for (var i = 1; i < scrambled.Length; i++)
                {
                    scrambled[i] ^= (byte)random.Next(256);
                }

                nals.Add(scrambled);
            }

            frames.Add(Packetise(nals, unit.IsKeyFrame));
        }

        return new RtpFrameSet(frames, fps, $"packetization-mode=1;profile-level-id={stream.ProfileLevelId}");
    }

    private static RtpFrame Packetise(IReadOnlyList<ReadOnlyMemory<byte>> nals, bool key)
    {
        var buffer = new MemoryStream();
        var offsets = new List<int>();
        for (var n = 0; n < nals.Count; n++)
        {
            var nal = nals[n].Span;
            var lastNal = n == nals.Count - 1;
            if (nal.Length <= MaxPayload)
            {
                WritePacket(buffer, offsets, lastNal, [], nal);
                continue;
            }

            // FU-A: the NAL header is spread over the FU indicator and the FU header of each fragment.
            var indicator = (byte)((nal[0] & 0xE0) | 28);
            var type = (byte)(nal[0] & 0x1F);
            var payload = nal[1..];
            var first = true;
            while (payload.Length > 0)
            {
                var size = Math.Min(payload.Length, MaxPayload - 2);
                var end = size == payload.Length;
                var header = (byte)((first ? 0x80 : 0) | (end ? 0x40 : 0) | type);
                WritePacket(buffer, offsets, lastNal && end, [indicator, header], payload[..size]);
                payload = payload[size..];
                first = false;
            }
        }

        return new RtpFrame(buffer.ToArray(), [.. offsets], key);
    }

    private static void WritePacket(MemoryStream buffer, List<int> offsets, bool marker, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload)
    {
        var rtpLength = 12 + prefix.Length + payload.Length;
        Span<byte> head = stackalloc byte[4 + 12];
        head[0] = (byte)'$';
        head[1] = RtpChannel;
        BinaryPrimitives.WriteUInt16BigEndian(head[2..], (ushort)rtpLength);
        head[4] = 0x80; // version 2, no padding, no extension, no CSRC
        head[5] = (byte)((marker ? 0x80 : 0) | PayloadType);
        offsets.Add((int)buffer.Position + 4);
        buffer.Write(head);
        buffer.Write(prefix);
        buffer.Write(payload);
    }
}
