using System.Diagnostics;
using CameraNet.CameraSim.Scenes;

namespace CameraNet.CameraSim.Tests;

/// <summary>A frame received from ffmpeg, with the loop frame number burned into its corner.</summary>
public sealed record ReceivedFrame(DateTimeOffset ReceivedAt, int FrameCode, byte[] Rgb);

/// <summary>
/// Pulls a camera with the real ffmpeg CLI, as a client independent of our own ingest code.
/// One decoder thread: frame-threaded decoding would hold the last frames back until the stream ends.
/// </summary>
public static class FfmpegClient
{
    public sealed record Result(IReadOnlyList<ReceivedFrame> Frames, string Errors, int ExitCode);

    public static async Task<Result> PullAsync(string url, int width, int height, TimeSpan duration, int maxFrames = 400)
    {
        var info = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in new[]
                 {
                     "-hide_banner", "-nostats", "-loglevel", "error", "-rtsp_transport", "tcp", "-timeout", "3000000",
                     "-analyzeduration", "1000000", "-threads", "1", "-i", url, "-t", duration.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-an", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
                 })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEndAsync();
        var frames = new List<ReceivedFrame>();
        var size = width * height * 3;
        var stdout = process.StandardOutput.BaseStream;
        using var deadline = new CancellationTokenSource(duration + TimeSpan.FromSeconds(20));
        try
        {
            while (frames.Count < maxFrames)
            {
                var buffer = new byte[size];
                var filled = 0;
                while (filled < size)
                {
                    var n = await stdout.ReadAsync(buffer.AsMemory(filled), deadline.Token);
                    if (n == 0)
                    {
                        goto done;
                    }

                    filled += n;
                }

                frames.Add(new ReceivedFrame(DateTimeOffset.UtcNow, ReadFrameCode(buffer, width, height), buffer));
            }
        }
        catch (OperationCanceledException)
        {
        }

    done:
        if (!process.HasExited)
        {
            process.Kill();
        }

        await process.WaitForExitAsync();
        return new Result(frames, await errors, process.ExitCode);
    }

    /// <summary>Reads the 16-cell frame code the scene renderer draws in the top-right corner.</summary>
    public static int ReadFrameCode(byte[] rgb, int width, int height)
    {
        var code = 0;
        for (var bit = 0; bit < 16; bit++)
        {
            var (x, y) = SceneRenderer.FrameCodeCell(width, height, bit);
            var i = (y * width + x) * 3;
            var luma = (rgb[i] + rgb[i + 1] + rgb[i + 2]) / 3;
            code = (code << 1) | (luma > 128 ? 1 : 0);
        }

        return code;
    }
}
