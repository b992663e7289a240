using System.Runtime.InteropServices;
using OpenCvSharp;

namespace CameraNet.Ingest.Decode;

/// <summary>
/// A decoded frame in I420 (planar YUV 4:2:0: the Y plane, then U and V at half size), the decoders'
/// native layout, in a pinned buffer owned by a <see cref="FramePool"/>. Analysis reads the Y plane
/// directly; colour is converted only where and when a stage needs it. Frames are reused: a stage that
/// receives one returns it to its pool when done.
/// </summary>
public sealed class Frame
{
    internal Frame(FramePool pool, int width, int height)
    {
        Pool = pool;
        Width = width;
        Height = height;

        // Pinned once for the frame's life: native code (decoders, OpenCV) writes and reads it without copying or pinning per frame.
        Pixels = GC.AllocateArray<byte>(FramePool.BytesFor(width, height), pinned: true);
        Address = Marshal.UnsafeAddrOfPinnedArrayElement(Pixels, 0);
        Planar = Mat.FromPixelData(height * 3 / 2, width, MatType.CV_8UC1, Address);
        Luma = Mat.FromPixelData(height, width, MatType.CV_8UC1, Address);
    }

    public FramePool Pool { get; }
    public int Width { get; }
    public int Height { get; }
    public byte[] Pixels { get; }
    public nint Address { get; }

    /// <summary>The Y (brightness) plane: <see cref="Width"/> × <see cref="Height"/> bytes.</summary>
    public ReadOnlySpan<byte> Y => Pixels.AsSpan(0, Width * Height);

    /// <summary>An OpenCV view (no copy) of the whole I420 buffer, (height·3/2) × width, one channel.</summary>
    public Mat Planar { get; }

    /// <summary>An OpenCV view (no copy) of the Y plane.</summary>
    public Mat Luma { get; }

    /// <summary>Number of this frame among those decoded since the stream was opened.</summary>
    public long Sequence { get; set; }

    /// <summary>When the worker had the decoded frame.</summary>
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>When the camera took it, from the stream's RTCP clock mapping; null when the stream does not say.</summary>
    public DateTimeOffset? CapturedAt { get; set; }

    /// <summary>The frame in BGR (allocates the result; for stages that need colour at a capped rate).</summary>
    public Mat ToBgr()
    {
        var bgr = new Mat();
        Cv2.CvtColor(Planar, bgr, ColorConversionCodes.YUV2BGR_I420);
        return bgr;
    }

    /// <summary>Fills the frame from a BGR or BGRA picture of the same size (tests, still images).</summary>
    public void CopyFrom(Mat picture)
    {
        if (picture.Cols != Width || picture.Rows != Height)
        {
            throw new ArgumentException($"a {picture.Cols}x{picture.Rows} picture does not fit a {Width}x{Height} frame");
        }

        Cv2.CvtColor(picture, Planar, picture.Channels() == 4 ? ColorConversionCodes.BGRA2YUV_I420 : ColorConversionCodes.BGR2YUV_I420);
    }

    public void Release() => Pool.Return(this);
}

/// <summary>
/// A fixed set of frame buffers for one camera. Steady state allocates nothing; when every buffer
/// is in use the capture stage drops the newest frame instead of allocating more.
/// </summary>
public sealed class FramePool : IDisposable
{
    private readonly Frame[] _all;
    private readonly Stack<Frame> _free;
    private readonly Lock _gate = new();

    public FramePool(int width, int height, int count)
    {
        if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0)
        {
            throw new ArgumentException($"frame size {width}x{height} must be positive and even (I420 halves both)");
        }

        Width = width;
        Height = height;
        _all = new Frame[count];
        _free = new Stack<Frame>(count);
        for (var i = 0; i < count; i++)
        {
            _all[i] = new Frame(this, width, height);
            _free.Push(_all[i]);
        }
    }

    public int Width { get; }
    public int Height { get; }
    public int FrameBytes => BytesFor(Width, Height);

    public static int BytesFor(int width, int height) => width * height * 3 / 2;

    public void Dispose()
    {
        foreach (var frame in _all)
        {
            frame.Planar.Dispose();
            frame.Luma.Dispose();
        }
    }

    public bool TryRent(out Frame frame)
    {
        lock (_gate)
        {
            return _free.TryPop(out frame!);
        }
    }

    public void Return(Frame frame)
    {
        if (!ReferenceEquals(frame.Pool, this))
        {
            throw new ArgumentException("the frame belongs to another pool", nameof(frame));
        }

        lock (_gate)
        {
            _free.Push(frame);
        }
    }
}
