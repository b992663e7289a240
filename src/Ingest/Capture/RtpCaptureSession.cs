using System.Buffers.Binary;
using System.Net.Sockets;
using CameraNet.Ingest.Decode;
using CameraNet.Ingest.Rtsp;

namespace CameraNet.Ingest.Capture;

/// <summary>
/// What the worker's in-process capture sessions share: the RTSP conversation (connect, describe,
/// set up, play, receive over TCP), H.264 depacketization, the camera's wall clock from RTCP sender
/// reports, and the mapping of every way a session can end to a <see cref="CaptureResult"/>.
/// Subclasses decide which access units they keep and how they decode them.
/// </summary>
public abstract class RtpCaptureSession : IDisposable
{
    /// <summary>Key frames that arrived with no parameter sets known, before the stream counts as undecodable.</summary>
    public const int MissingParameterSetsAfter = 3;

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset NtpEpoch = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly CancellationTokenSource _session;
    private long _frames;
    private string? _verdict;
    private DateTimeOffset? _srWall;
    private uint _srRtp;

    protected RtpCaptureSession(Action<Frame?> onFrame, Action<string> onError, CancellationToken cancellationToken)
    {
        OnFrame = onFrame;
        OnError = onError;
        _session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>Where decoded frames go (null: one was dropped).</summary>
    protected Action<Frame?> OnFrame { get; }

    protected Action<string> OnError { get; }

    /// <summary>The stream's RTP clock rate (90 kHz for video unless the description says otherwise).</summary>
    protected int ClockRate { get; private set; } = 90000;

    protected long Frames => Interlocked.Read(ref _frames);

    /// <summary>A depacketizer wired to this session's handlers.</summary>
    protected abstract H264Depacketizer CreateDepacketizer();

    /// <summary>Called after the stream ended, before the depacketizer goes: wait for work in flight.</summary>
    protected virtual ValueTask SettleAsync() => ValueTask.CompletedTask;

    /// <summary>Counts a delivered frame and stamps it (<paramref name="capturedAt"/>: from <see cref="CaptureTime"/> on the receiving thread).</summary>
    protected void Deliver(Frame frame, DateTimeOffset? capturedAt)
    {
        frame.Sequence = Interlocked.Increment(ref _frames);
        frame.ReceivedAt = DateTimeOffset.UtcNow;
        frame.CapturedAt = capturedAt;
        OnFrame(frame);
    }

    /// <summary>Ends the session as a bad stream with this reason (the first verdict wins).</summary>
    protected void Fail(string verdict)
    {
        if (_verdict is null)
        {
            _verdict = verdict;
            OnError(verdict);
            _session.Cancel();
        }
    }

    protected async Task<CaptureResult> RunAsync(StreamAddress address, CancellationToken cancellationToken)
    {
        var depacketizer = CreateDepacketizer();
        try
        {
            if (!Uri.TryCreate(address.PlainUrl, UriKind.Absolute, out var url))
            {
                return new CaptureResult(CaptureOutcome.BadStream, "the stream URL is not a valid URL", 0, 0);
            }

            await using var client = await RtspClient.ConnectAsync(url, address.Username, address.Password, ConnectTimeout, _session.Token);
            var track = await client.DescribeAsync(_session.Token);
            ClockRate = track.ClockRate;
            depacketizer.SetParameterSets(track.Sps, track.Pps);
            await client.SetupAsync(track, _session.Token);
            await client.PlayAsync(_session.Token);
            await client.ReceiveAsync((channel, packet) =>
            {
                if (channel == 0)
                {
                    depacketizer.Push(packet);
                    if (depacketizer.Discarded >= MissingParameterSetsAfter && depacketizer.KeyFrames == 0 && !depacketizer.HasParameterSets)
                    {
                        Fail("no H.264 parameter sets (SPS/PPS) in the camera's description or stream: its key frames cannot be decoded");
                    }
                }
                else if (channel == 1)
                {
                    SenderReport(packet);
                }
            }, _session.Token);
            return Finish(CaptureOutcome.Ended, "the camera closed the stream");
        }
        catch (OperationCanceledException) when (_verdict is not null)
        {
            return Finish(CaptureOutcome.BadStream, _verdict);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Finish(CaptureOutcome.Cancelled, "stopped");
        }
        catch (RtspException e)
        {
            return Finish(e.Failure switch
            {
                RtspFailure.Unreachable => CaptureOutcome.Unreachable,
                RtspFailure.AuthFailed => CaptureOutcome.AuthFailed,
                RtspFailure.UnsupportedCodec => CaptureOutcome.UnsupportedCodec,
                _ => CaptureOutcome.BadStream,
            }, e.Message);
        }
        catch (IOException e)
        {
            return Finish(CaptureOutcome.Ended, e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset }
                ? "connection reset by the camera"
                : "connection lost: " + e.Message);
        }
        finally
        {
            await SettleAsync();
            depacketizer.Dispose();
        }
    }

    private CaptureResult Finish(CaptureOutcome outcome, string reason) => new(outcome, reason, Frames, 0);

    /// <summary>The camera's wall-clock time of an RTP timestamp, once a sender report has tied the two.</summary>
    protected DateTimeOffset? CaptureTime(uint rtpTimestamp) =>
        _srWall is { } wall ? wall + TimeSpan.FromSeconds((int)(rtpTimestamp - _srRtp) / (double)ClockRate) : null;

    /// <summary>RTCP sender reports map the stream's RTP clock to the camera's wall clock.</summary>
    private void SenderReport(ReadOnlySpan<byte> packet)
    {
        while (packet.Length >= 20)
        {
            var length = (BinaryPrimitives.ReadUInt16BigEndian(packet[2..]) + 1) * 4;
            if (packet[1] == 200)
            {
                var seconds = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
                var fraction = BinaryPrimitives.ReadUInt32BigEndian(packet[12..]);
                _srWall = NtpEpoch + TimeSpan.FromSeconds(seconds + fraction / 4294967296.0);
                _srRtp = BinaryPrimitives.ReadUInt32BigEndian(packet[16..]);
            }

            if (length <= 0 || length > packet.Length)
            {
                return;
            }

            packet = packet[length..];
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _session.Dispose();
        }
    }
}
