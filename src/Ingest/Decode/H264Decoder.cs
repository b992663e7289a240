using System.Runtime.InteropServices;

namespace CameraNet.Ingest.Decode;

/// <summary>What became of one access unit.</summary>
public enum DecodeStatus
{
    Picture,

    /// <summary>The decoder took the data but produced no picture (e.g. it references pictures it never saw).</summary>
    NoPicture,

    /// <summary>The decoder rejected the data.</summary>
    Invalid,
}

/// <summary>
/// An H.264 decoder (the system's libavcodec, one thread) that scales pictures into pooled I420 frames
/// with libswscale. Two ways to use it:
/// <list type="bullet">
/// <item><see cref="DecodeKeyFrame"/>: self-contained IDR access units from any number of cameras in
/// turn. Each is decoded in full and the decoder is drained and flushed after it, so nothing of one
/// camera's stream is left for the next (the shared key-frame lanes).</item>
/// <item><see cref="DecodeNext"/>: one camera's stream, every access unit in order (full mode). A
/// picture is converted only when the caller wants it, so frames skipped by the analysis rate cost
/// the decode alone.</item>
/// </list>
/// One thread at a time.
/// </summary>
public sealed unsafe class H264Decoder : IDisposable
{
    private readonly nint _codec;
    private nint _context;
    private nint _packet;
    private nint _frame;
    private nint _scaler;

    static H264Decoder() => LibAv.av_log_set_level(LibAv.LogQuiet); // outcomes are reported per frame instead

    public H264Decoder()
    {
        _codec = LibAv.avcodec_find_decoder(LibAv.CodecIdH264);
        if (_codec == 0)
        {
            throw new InvalidOperationException("this FFmpeg build has no H.264 decoder");
        }

        _context = LibAv.avcodec_alloc_context3(_codec);
        LibAv.av_opt_set_int(_context, "threads", 1, LibAv.SearchChildren);
        var opened = LibAv.avcodec_open2(_context, _codec, 0);
        if (opened < 0)
        {
            LibAv.avcodec_free_context(ref _context);
            throw new InvalidOperationException($"cannot open the H.264 decoder (error {opened})");
        }

        _packet = LibAv.av_packet_alloc();
        _frame = LibAv.av_frame_alloc();
    }

    /// <summary>Decodes one self-contained key frame (Annex-B, parameter sets first) into <paramref name="target"/>, scaled to its size, and resets.</summary>
    public DecodeStatus DecodeKeyFrame(ReadOnlySpan<byte> accessUnit, Frame target)
    {
        try
        {
            if (!Send(accessUnit))
            {
                return DecodeStatus.Invalid;
            }

            LibAv.avcodec_send_packet(_context, 0); // drain: the picture must come out now, not with the next camera's data
            return Receive(target);
        }
        finally
        {
            LibAv.avcodec_flush_buffers(_context);
        }
    }

    /// <summary>
    /// Decodes the next access unit of a stream. A picture that comes out is scaled into
    /// <paramref name="target"/> when one is given; without one it is decoded (later pictures need
    /// it) and let go. <see cref="DecodeStatus.Picture"/> means a picture came out, converted or not.
    /// </summary>
    public DecodeStatus DecodeNext(ReadOnlySpan<byte> accessUnit, Frame? target) =>
        Send(accessUnit) ? Receive(target) : DecodeStatus.Invalid;

    /// <summary>Forgets the stream: the next access unit must be a key frame.</summary>
    public void Reset()
    {
        ObjectDisposedException.ThrowIf(_context == 0, this);
        LibAv.avcodec_flush_buffers(_context);
    }

    private bool Send(ReadOnlySpan<byte> accessUnit)
    {
        ObjectDisposedException.ThrowIf(_context == 0, this);
        var data = LibAv.av_malloc((nuint)(accessUnit.Length + LibAv.PacketPadding));
        if (data == 0)
        {
            throw new OutOfMemoryException("av_malloc failed");
        }

        var span = new Span<byte>((void*)data, accessUnit.Length + LibAv.PacketPadding);
        accessUnit.CopyTo(span);
        span[accessUnit.Length..].Clear();
        if (LibAv.av_packet_from_data(_packet, data, accessUnit.Length) < 0)
        {
            LibAv.av_free(data);
            throw new OutOfMemoryException("av_packet_from_data failed");
        }

        var sent = LibAv.avcodec_send_packet(_context, _packet);
        LibAv.av_packet_unref(_packet);
        return sent >= 0;
    }

    private DecodeStatus Receive(Frame? target)
    {
        var status = DecodeStatus.NoPicture;
        while (LibAv.avcodec_receive_frame(_context, _frame) == 0)
        {
            if (target is null)
            {
                status = DecodeStatus.Picture;
            }
            else if (status != DecodeStatus.Picture && Scale(target))
            {
                status = DecodeStatus.Picture;
            }

            LibAv.av_frame_unref(_frame);
        }

        return status;
    }

    private bool Scale(Frame target)
    {
        var p = (byte*)_frame;
        var width = *(int*)(p + LibAv.FrameWidth);
        var height = *(int*)(p + LibAv.FrameHeight);
        var format = *(int*)(p + LibAv.FrameFormat);
        if (width <= 0 || height <= 0 || format < 0)
        {
            return false;
        }

        _scaler = LibAv.sws_getCachedContext(_scaler, width, height, format, target.Width, target.Height, LibAv.PixelFormatYuv420P, LibAv.ScaleArea, 0, 0, 0);
        if (_scaler == 0)
        {
            return false;
        }

        var lumaBytes = target.Width * target.Height;
        var planes = stackalloc nint[4] { target.Address, target.Address + lumaBytes, target.Address + lumaBytes + lumaBytes / 4, 0 };
        var strides = stackalloc int[4] { target.Width, target.Width / 2, target.Width / 2, 0 };
        return LibAv.sws_scale(_scaler, (nint)p, (nint)(p + LibAv.FrameLinesize), 0, height, (nint)planes, (nint)strides) == target.Height;
    }

    public void Dispose()
    {
        if (_context == 0)
        {
            return;
        }

        LibAv.sws_freeContext(_scaler);
        LibAv.av_frame_free(ref _frame);
        LibAv.av_packet_free(ref _packet);
        LibAv.avcodec_free_context(ref _context);
        _scaler = 0;
        GC.KeepAlive(this);
    }
}
