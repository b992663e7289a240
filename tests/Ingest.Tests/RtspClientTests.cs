using System.Net;
using System.Net.Sockets;
using System.Text;
using CameraNet.Ingest.Rtsp;

namespace CameraNet.Ingest.Tests;

/// <summary>The RTSP client against a scripted camera that misbehaves in ways real cameras do.</summary>
public sealed class RtspClientTests
{
    private static readonly CancellationToken Deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    [Fact]
    public async Task Media_sent_before_the_answer_to_play_is_kept_and_delivered_in_order()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var camera = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync(Deadline);
            await using var stream = new NetworkStream(socket);
            var reader = new StreamReader(stream, Encoding.ASCII);
            foreach (var method in new[] { "DESCRIBE", "SETUP", "PLAY" })
            {
                var request = await ReadRequestAsync(reader);
                request[0].ShouldStartWith(method);
                var cseq = request.First(l => l.StartsWith("CSeq:", StringComparison.Ordinal))[5..].Trim();
                var answer = method switch
                {
                    "DESCRIBE" => Answer(cseq, $"Content-Base: rtsp://127.0.0.1:{port}/cam/\r\nContent-Type: application/sdp\r\n",
                        "v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:track1\r\n"),
                    "SETUP" => Answer(cseq, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nSession: 12AB;timeout=60\r\n"),
                    _ => Answer(cseq, "Session: 12AB\r\nRTP-Info: url=track1;seq=1\r\n"),
                };
                if (method == "PLAY")
                {
                    // Two packets (one split across writes) before the answer, one after it.
                    var early = Packet(0, 1).Concat(Packet(0, 2)).ToArray();
                    await stream.WriteAsync(early.AsMemory(0, 7), Deadline);
                    await stream.FlushAsync(Deadline);
                    await Task.Delay(50, Deadline);
                    await stream.WriteAsync(early.AsMemory(7), Deadline);
                    await stream.WriteAsync(answer, Deadline);
                    await stream.WriteAsync(Packet(0, 3), Deadline);
                }
                else
                {
                    await stream.WriteAsync(answer, Deadline);
                }
            }
        }, Deadline);

        await using var client = await RtspClient.ConnectAsync(new Uri($"rtsp://127.0.0.1:{port}/cam"), null, null, TimeSpan.FromSeconds(5), Deadline);
        var track = await client.DescribeAsync(Deadline);
        await client.SetupAsync(track, Deadline);
        await client.PlayAsync(Deadline);
        await camera;

        var received = new List<byte>();
        await client.ReceiveAsync((channel, packet) =>
        {
            channel.ShouldBe(0);
            packet.Length.ShouldBe(12 + 20);
            received.Add(packet[12]);
        }, Deadline);

        received.ShouldBe([1, 2, 3]);
    }

    private static async Task<List<string>> ReadRequestAsync(StreamReader reader)
    {
        var lines = new List<string>();
        while (await reader.ReadLineAsync(Deadline) is { Length: > 0 } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    private static byte[] Answer(string cseq, string headers, string body = "") =>
        Encoding.ASCII.GetBytes($"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n{headers}Content-Length: {body.Length}\r\n\r\n{body}");

    /// <summary>An interleaved RTP packet whose first payload byte is <paramref name="marker"/>.</summary>
    private static byte[] Packet(byte channel, byte marker)
    {
        var rtp = new byte[12 + 20];
        rtp[0] = 0x80;
        rtp[1] = 96;
        rtp[12] = marker;
        return [(byte)'$', channel, 0, (byte)rtp.Length, .. rtp];
    }
}
