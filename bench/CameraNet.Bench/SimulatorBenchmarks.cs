using BenchmarkDotNet.Attributes;
using CameraNet.CameraSim.Rtsp;
using CameraNet.CameraSim.Scenes;

namespace CameraNet.Bench;

/// <summary>
/// What one simulated camera costs per frame and client: copying a pre-packetised frame and patching
/// its RTP headers, against a plain memory copy of the same bytes.
/// </summary>
[MemoryDiagnoser]
public class SimulatorBenchmarks
{
    private RtpFrameSet _frames = null!;
    private byte[] _buffer = null!;
    private int _next;
    private ushort _sequence;

    [GlobalSetup]
    public async Task Setup()
    {
        var cache = new SceneCache(Path.Combine(DevStack.RepoPaths.CacheDirectory, "sim"));
        var scene = await cache.GetAsync(new SceneSpec { Kind = SceneKind.Checkpoint, Variant = 0 });
        _frames = RtpFrameSet.FromStream(H264Stream.Parse(await File.ReadAllBytesAsync(scene.VideoPath)), 25);
        _buffer = new byte[_frames.MaxFrameBytes];
    }

    [Benchmark(Baseline = true, Description = "memcpy of the frame (baseline)")]
    public void CopyOnly()
    {
        var frame = _frames.Frames[_next++ % _frames.Frames.Count];
        frame.Data.CopyTo(_buffer, 0);
    }

    [Benchmark(Description = "copy + patch RTP headers")]
    public void CopyAndPatch()
    {
        var frame = _frames.Frames[_next++ % _frames.Frames.Count];
        _sequence = frame.CopyTo(_buffer, _sequence, (uint)_next * 3600, 0x1234);
    }
}
