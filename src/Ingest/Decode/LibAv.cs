using System.Reflection;
using System.Runtime.InteropServices;

namespace CameraNet.Ingest.Decode;

/// <summary>
/// The few libavcodec/libswscale entry points the in-process key-frame decoder needs, bound to the
/// system's FFmpeg libraries (Debian 12: libavcodec59, libswscale6, libavutil57; later majors are
/// accepted). Struct fields are never read except AVFrame's leading data[8]/linesize[8]/width/height/
/// format, whose layout has been the same in every FFmpeg major since 1.0; codec settings go through
/// the AVOptions API, so nothing else depends on struct layouts.
/// </summary>
internal static unsafe partial class LibAv
{
    private const string AvCodec = "avcodec";
    private const string AvUtil = "avutil";
    private const string SwScale = "swscale";

    public const int CodecIdH264 = 27;
    public const int PixelFormatYuv420P = 0;
    public const int PixelFormatYuvJ420P = 12;
    public const int ScaleArea = 0x20;
    public const int ErrorEof = -0x20464F45;   // AVERROR_EOF = FFERRTAG('E','O','F',' ')
    public const int ErrorAgain = -11;         // AVERROR(EAGAIN) on Linux
    public const int PacketPadding = 64;       // AV_INPUT_BUFFER_PADDING_SIZE

    private static readonly Dictionary<string, string[]> Candidates = new(StringComparer.Ordinal)
    {
        [AvCodec] = ["libavcodec.so.59", "libavcodec.so.60", "libavcodec.so.61", "libavcodec.so.62"],
        [AvUtil] = ["libavutil.so.57", "libavutil.so.58", "libavutil.so.59", "libavutil.so.60"],
        [SwScale] = ["libswscale.so.6", "libswscale.so.7", "libswscale.so.8", "libswscale.so.9"],
    };

    static LibAv() => NativeLibrary.SetDllImportResolver(typeof(LibAv).Assembly, Resolve);

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (!Candidates.TryGetValue(name, out var files))
        {
            return 0;
        }

        foreach (var file in files)
        {
            if (NativeLibrary.TryLoad(file, out var handle))
            {
                return handle;
            }
        }

        throw new DllNotFoundException($"FFmpeg's {name} library is not installed (tried {string.Join(", ", files)}); install the ffmpeg package");
    }

    /// <summary>Offsets in AVFrame (stable since FFmpeg 1.0): uint8_t *data[8]; int linesize[8]; uint8_t **extended_data; int width, height, nb_samples, format.</summary>
    public const int FrameLinesize = 64;
    public const int FrameWidth = 104;
    public const int FrameHeight = 108;
    public const int FrameFormat = 116;

    [LibraryImport(AvCodec)]
    public static partial nint avcodec_find_decoder(int id);

    [LibraryImport(AvCodec)]
    public static partial nint avcodec_alloc_context3(nint codec);

    [LibraryImport(AvCodec)]
    public static partial int avcodec_open2(nint context, nint codec, nint options);

    [LibraryImport(AvCodec)]
    public static partial void avcodec_free_context(ref nint context);

    [LibraryImport(AvCodec)]
    public static partial void avcodec_flush_buffers(nint context);

    [LibraryImport(AvCodec)]
    public static partial int avcodec_send_packet(nint context, nint packet);

    [LibraryImport(AvCodec)]
    public static partial int avcodec_receive_frame(nint context, nint frame);

    [LibraryImport(AvCodec)]
    public static partial nint av_packet_alloc();

    [LibraryImport(AvCodec)]
    public static partial void av_packet_free(ref nint packet);

    [LibraryImport(AvCodec)]
    public static partial int av_packet_from_data(nint packet, nint data, int size);

    [LibraryImport(AvCodec)]
    public static partial void av_packet_unref(nint packet);

    [LibraryImport(AvUtil)]
    public static partial nint av_malloc(nuint size);

    [LibraryImport(AvUtil)]
    public static partial void av_free(nint pointer);

    [LibraryImport(AvUtil)]
    public static partial nint av_frame_alloc();

    [LibraryImport(AvUtil)]
    public static partial void av_frame_free(ref nint frame);

    [LibraryImport(AvUtil)]
    public static partial void av_frame_unref(nint frame);

    [LibraryImport(AvUtil, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int av_opt_set_int(nint target, string name, long value, int searchFlags);

    [LibraryImport(AvUtil)]
    public static partial void av_log_set_level(int level);

    [LibraryImport(SwScale)]
    public static partial nint sws_getCachedContext(nint context, int srcWidth, int srcHeight, int srcFormat, int dstWidth, int dstHeight, int dstFormat, int flags, nint srcFilter, nint dstFilter, nint param);

    [LibraryImport(SwScale)]
    public static partial int sws_scale(nint context, nint srcSlices, nint srcStrides, int sliceY, int sliceHeight, nint dstSlices, nint dstStrides);

    [LibraryImport(SwScale)]
    public static partial void sws_freeContext(nint context);

    public const int SearchChildren = 1; // AV_OPT_SEARCH_CHILDREN
    public const int LogQuiet = -8;
}
