using System.Runtime.InteropServices;
using OpenCvSharp;

namespace CameraNet.Ingest.Decode;

/// <summary>
/// A decoded frame: raw BGR24 pixels in a pinned buffer owned by a <see cref="FramePool"/>.
/// Frames are reused; a stage that receives one returns it to its pool when done.
/// </summary>
public sealed class Frame
{
    internal Frame(FramePool pool, int width, int height)
    {
        Pool = pool;
        Width = width;
        Height = height;

        // Pinned once for the frame's life: native code (OpenCV) reads it without copying or pinning per frame.
        Pixels = GC.AllocateArray<byte>(width * height * 3, pinned: true);
        Address = Marshal.UnsafeAddrOfPinnedArrayElement(Pixels, 0);
        Image = Mat.FromPixelData(height, width, MatType.CV_8UC3, Address);
    }

    public FramePool Pool { get; }
    public int Width { get; }
    public int Height { get; }
    public byte[] Pixels { get; }
    public nint Address { get; }
    public int Stride => Width * 3;

    /// <summary>An OpenCV view of <see cref="Pixels"/> (no copy), made once with the buffer.</summary>
    public Mat Image { get; }

    /// <summary>Number of this frame among those decoded since the stream was opened.</summary>
    public long Sequence { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

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
    public int FrameBytes => Width * Height * 3;

    public void Dispose()
    {
        foreach (var frame in _all)
        {
            frame.Image.Dispose();
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
