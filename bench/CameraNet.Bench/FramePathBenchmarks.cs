using System.Buffers.Binary;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using CameraNet.CameraSim.Rtsp;
using CameraNet.CameraSim.Scenes;
using CameraNet.DevStack;
using CameraNet.Ingest.Capture;
using CameraNet.Ingest.Decode;
using CameraNet.Ingest.Motion;
using CameraNet.Ingest.Rtsp;

namespace CameraNet.Bench;

/// <summary>
/// The worker's per-frame paths, against a plain copy of one frame's bytes (the least any path must
/// do), each over one 2-second GOP (50 frames) of a 720p25 camera's RTP packets. Full mode: every
/// access unit rebuilt, decoded with libavcodec into a pooled 1280×720 frame, queued to analysis,
/// scored for motion, returned (and the same without the conversion into a pooled frame, to show what
/// decoding alone costs). Full mode through ffmpeg: one 1280×720 frame read from a pipe into a pooled
/// frame, queued, scored. Key-frame mode: only the IDR kept, decoded into a pooled 640×360 frame,
/// scored. Target: 0 bytes allocated per frame.
/// </summary>
[MemoryDiagnoser]
public class FramePathBenchmarks
{
    private readonly Channel<Frame> _queue = Channel.CreateBounded<Frame>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
    private FramePool _fullPool = null!;
    private FramePool _keyPool = null!;
    private byte[] _source = null!;
    private byte[] _copy = null!;
    private FrameStream _pipe = null!;
    private MotionDetector _motion = null!;
    private MotionDetector _keyMotion = null!;
    private H264Depacketizer _depacketizer = null!;
    private H264Decoder _decoder = null!;
    private H264Depacketizer _fullDepacketizer = null!;
    private H264Decoder _fullDecoder = null!;
    private bool _convert;
    private byte[][] _gop = [];
    private double _score;
    private ushort _sequence;

    [GlobalSetup]
    public void Setup()
    {
        var spec = new SceneSpec { Kind = SceneKind.Street, Variant = 0 };
        var scene = new SceneCache(Path.Combine(RepoPaths.CacheDirectory, "sim")).GetAsync(spec).GetAwaiter().GetResult();
        var set = RtpFrameSet.FromStream(H264Stream.Parse(File.ReadAllBytes(scene.VideoPath)), spec.Fps);
        _gop = Packets(set, 0, spec.Gop).ToArray();

        _fullPool = new FramePool(1280, 720, 4);
        _keyPool = new FramePool(640, 360, 3);
        _source = new byte[_fullPool.FrameBytes];
        new Random(7).NextBytes(_source);
        _copy = new byte[_source.Length];
        _pipe = new FrameStream(_source);
        _motion = new MotionDetector();
        _keyMotion = new MotionDetector();
        _decoder = new H264Decoder();
        _depacketizer = new H264Depacketizer();
        _depacketizer.OnKeyFrame = (au, _) =>
        {
            _keyPool.TryRent(out var frame);
            _decoder.DecodeKeyFrame(au, frame);
            _score = _keyMotion.Score(frame);
            frame.Release();
        };

        _fullDecoder = new H264Decoder();
        _fullDepacketizer = new H264Depacketizer { KeyFramesOnly = false };
        _fullDepacketizer.OnKeyFrame = _fullDepacketizer.OnInterFrame = (au, _) =>
        {
            if (!_convert)
            {
                _fullDecoder.DecodeNext(au, null);
                return;
            }

            _fullPool.TryRent(out var frame);
            _fullDecoder.DecodeNext(au, frame);
            _queue.Writer.TryWrite(frame);
            _queue.Reader.TryRead(out var queued);
            _score = _motion.Score(queued!);
            queued!.Release();
        };
    }

    private static IEnumerable<byte[]> Packets(RtpFrameSet set, int from, int to)
    {
        ushort sequence = 0;
        for (var i = from; i < to; i++)
        {
            var buffer = new byte[set.Frames[i].Data.Length];
            sequence = set.Frames[i].CopyTo(buffer, sequence, (uint)(i * 3600), 1);
            for (var offset = 0; offset < buffer.Length;)
            {
                var length = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(offset + 2));
                yield return buffer.AsSpan(offset + 4, length).ToArray();
                offset += 4 + length;
            }
        }
    }

    /// <summary>The GOP again, with sequence numbers going on from the last round (a restart would read as loss).</summary>
    private void Feed(H264Depacketizer depacketizer)
    {
        foreach (var packet in _gop)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), _sequence++);
            depacketizer.Push(packet);
        }
    }

    [Benchmark(Baseline = true, Description = "copy a 1280x720 I420 frame (baseline)")]
    public void CopyFrame() => _source.AsSpan().CopyTo(_copy);

    [Benchmark(Description = "full mode: one GOP of RTP -> every picture decoded into 1280x720 -> queue -> motion")]
    public double FullModeGop()
    {
        _convert = true;
        Feed(_fullDepacketizer);

        return _score;
    }

    [Benchmark(Description = "full mode, decode only: one GOP of RTP -> every picture decoded, none kept")]
    public double FullModeGopDecodeOnly()
    {
        _convert = false;
        Feed(_fullDepacketizer);

        return _score;
    }

    [Benchmark(Description = "full mode through ffmpeg: one frame from a pipe -> pooled frame -> queue -> motion")]
    public double FullModeFrame()
    {
        _fullPool.TryRent(out var frame);
        CaptureSession.FillAsync(_pipe, frame.Pixels, CancellationToken.None).GetAwaiter().GetResult();
        _queue.Writer.TryWrite(frame);
        _queue.Reader.TryRead(out var queued);
        var score = _motion.Score(queued!);
        queued!.Release();
        return score;
    }

    [Benchmark(Description = "key-frame mode: one GOP of RTP -> IDR -> decode 640x360 -> motion")]
    public double KeyframeGop()
    {
        Feed(_depacketizer);

        return _score;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _decoder.Dispose();
        _depacketizer.Dispose();
        _fullDecoder.Dispose();
        _fullDepacketizer.Dispose();
        _fullPool.Dispose();
        _keyPool.Dispose();
    }

    /// <summary>Stands in for ffmpeg's pipe: hands out the same frame's bytes forever, as fast as asked.</summary>
    private sealed class FrameStream(byte[] frame) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            // A pipe gives at most 64 KiB per read.
            var n = Math.Min(Math.Min(buffer.Length, 65536), frame.Length - _position);
            frame.AsSpan(_position, n).CopyTo(buffer);
            _position = (_position + n) % frame.Length;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
