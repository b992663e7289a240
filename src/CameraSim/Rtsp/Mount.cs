namespace CameraNet.CameraSim.Rtsp;

/// <summary>A camera as the RTSP server plays it: frames, where its loop stands, and how it misbehaves.</summary>
/// <remarks>A camera that refuses connections has no frames.</remarks>
public sealed class Mount(SimulatedCamera camera, RtpFrameSet? frames, long offsetFrames)
{
    public string Name => camera.Name;
    public SimulatedCamera Camera => camera;
    public RtpFrameSet Frames => frames ?? throw new InvalidOperationException($"camera {camera.Name} refuses connections and has no frames");

    public int FrameCount => frames?.Frames.Count ?? 0;
    public long OffsetFrames => offsetFrames;
    public int Fps => camera.Scene.Fps;

    /// <summary>Loop frame index for an absolute frame number (frames since the server started).</summary>
    public int LoopFrame(long absolute)
    {
        var count = Frames.Frames.Count;
        return (int)(((absolute + offsetFrames) % count + count) % count);
    }

    public bool RequiresAuth => camera.Username is not null;
}
