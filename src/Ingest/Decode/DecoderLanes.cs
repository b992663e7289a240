namespace CameraNet.Ingest.Decode;

/// <summary>Receives what a decoding lane made of a camera's key frame (called on the lane's thread).</summary>
public interface IKeyframeSink
{
    /// <summary>A free frame of the camera's pool to decode into, or null to drop this key frame.</summary>
    Frame? RentFrame();

    void Decoded(Frame frame, DecodeStatus status, in KeyframeJob job);

    /// <summary>The job's buffer is no longer needed.</summary>
    void Done(in KeyframeJob job);
}

/// <summary>One key frame waiting to be decoded.</summary>
public readonly record struct KeyframeJob(IKeyframeSink Sink, byte[] Buffer, int Length, uint RtpTimestamp, DateTimeOffset? CapturedAt);

/// <summary>
/// The worker's key-frame decoders: one thread and one decoder per lane (one lane per core by
/// default), fed from one bounded queue shared by every key-frame camera. A full queue refuses new key
/// frames (the camera drops and counts them) instead of letting latency grow. Queueing and decoding
/// allocate nothing.
/// </summary>
public sealed class DecoderLanes : IDisposable
{
    private readonly KeyframeJob[] _ring;
    private readonly Thread[] _threads;
    private readonly object _gate = new(); // a monitor: lanes wait on it for work
    private int _head;
    private int _count;
    private bool _stopping;
    private long _decoded;

    public DecoderLanes(int lanes, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new KeyframeJob[capacity];
        _threads = new Thread[lanes];
        for (var i = 0; i < lanes; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"keyframe-decoder-{i}" };
            _threads[i].Start();
        }
    }

    public int Lanes => _threads.Length;

    public long Decoded => Interlocked.Read(ref _decoded);

    /// <summary>Queues a key frame; false when the queue is full (the caller keeps its buffer).</summary>
    public bool TryEnqueue(in KeyframeJob job)
    {
        lock (_gate)
        {
            if (_stopping || _count == _ring.Length)
            {
                return false;
            }

            _ring[(_head + _count) % _ring.Length] = job;
            _count++;
            Monitor.Pulse(_gate);
            return true;
        }
    }

    private void Run()
    {
        using var decoder = new H264Decoder();
        while (true)
        {
            KeyframeJob job;
            lock (_gate)
            {
                while (_count == 0 && !_stopping)
                {
                    Monitor.Wait(_gate);
                }

                if (_count == 0)
                {
                    return;
                }

                job = _ring[_head];
                _ring[_head] = default;
                _head = (_head + 1) % _ring.Length;
                _count--;
            }

            try
            {
                var frame = job.Sink.RentFrame();
                if (frame is not null)
                {
                    var status = decoder.DecodeKeyFrame(job.Buffer.AsSpan(0, job.Length), frame);
                    Interlocked.Increment(ref _decoded);
                    job.Sink.Decoded(frame, status, job);
                }
            }
            finally
            {
                job.Sink.Done(job);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }

        foreach (var thread in _threads)
        {
            thread.Join();
        }
    }
}
