namespace CameraNet.CameraSim.Rtsp;

/// <summary>One coded picture: its NAL units (without start codes) and whether it starts a GOP.</summary>
public sealed record AccessUnit(IReadOnlyList<ReadOnlyMemory<byte>> Nals, bool IsKeyFrame);

/// <summary>An Annex-B H.264 elementary stream split into access units, with its parameter sets.</summary>
public sealed class H264Stream
{
    public const int NalAud = 9;
    public const int NalSps = 7;
    public const int NalPps = 8;
    public const int NalIdr = 5;

    private H264Stream(IReadOnlyList<AccessUnit> units, byte[] sps, byte[] pps)
    {
        Units = units;
        Sps = sps;
        Pps = pps;
    }

    public IReadOnlyList<AccessUnit> Units { get; }
    public byte[] Sps { get; }
    public byte[] Pps { get; }

    /// <summary>Profile, constraint flags and level from the SPS, as SDP's profile-level-id wants them.</summary>
    public string ProfileLevelId => Convert.ToHexString(Sps.AsSpan(1, 3));

    /// <summary>
    /// Parses an Annex-B stream whose access units are separated by access-unit delimiters (x264 aud=1).
    /// </summary>
    public static H264Stream Parse(byte[] data)
    {
        var units = new List<AccessUnit>();
        var current = new List<ReadOnlyMemory<byte>>();
        var key = false;
        byte[]? sps = null;
        byte[]? pps = null;
        foreach (var nal in SplitNals(data))
        {
            var type = nal.Span[0] & 0x1F;
            if (type == NalAud)
            {
                Flush();
                continue;
            }

            if (type == NalSps)
            {
                sps ??= nal.ToArray();
            }
            else if (type == NalPps)
            {
                pps ??= nal.ToArray();
            }
            else if (type == NalIdr)
            {
                key = true;
            }

            current.Add(nal);
        }

        Flush();
        if (sps is null || pps is null || units.Count == 0)
        {
            throw new InvalidDataException("not an H.264 Annex-B stream with SPS, PPS and access-unit delimiters");
        }

        if (!units[0].IsKeyFrame)
        {
            throw new InvalidDataException("the stream must start with an IDR frame so that it can loop");
        }

        return new H264Stream(units, sps, pps);

        void Flush()
        {
            if (current.Count > 0)
            {
                units.Add(new AccessUnit(current, key));
                current = [];
                key = false;
            }
        }
    }

    private static IEnumerable<ReadOnlyMemory<byte>> SplitNals(byte[] data)
    {
        var start = -1;
        var i = 0;
        while (i + 3 <= data.Length)
        {
            if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1)
            {
                if (start >= 0)
                {
                    var end = i;
                    if (end > start && data[end - 1] == 0)
                    {
                        end--; // 4-byte start code: the zero belongs to it, not to the previous NAL
                    }

                    yield return data.AsMemory(start, end - start);
                }

                i += 3;
                start = i;
            }
            else
            {
                i++;
            }
        }

        if (start >= 0 && start < data.Length)
        {
            yield return data.AsMemory(start);
        }
    }
}
