using System.Diagnostics;
using System.Text.Json;
using FFMpegCore;
using FFMpegCore.Pipes;
using SkiaSharp;

namespace CameraNet.CameraSim.Scenes;

/// <summary>A rendered scene on disk: Annex-B H.264 and its ground truth.</summary>
public sealed record RenderedScene(SceneSpec Spec, string VideoPath, string TruthPath);

/// <summary>
/// Renders scenes once and keeps them in a cache directory, so the simulator starts in a second
/// after the first run. Safe when several processes ask for the same scene at once (file lock).
/// </summary>
public sealed class SceneCache(string directory, Action<string>? log = null)
{
    public string Directory { get; } = directory;

    public async Task<RenderedScene> GetAsync(SceneSpec spec, CancellationToken cancellationToken = default)
    {
        var problems = spec.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid scene: " + string.Join("; ", problems), nameof(spec));
        }

        System.IO.Directory.CreateDirectory(Directory);
        var video = Path.Combine(Directory, spec.CacheKey + ".h264");
        var truth = Path.Combine(Directory, spec.CacheKey + ".truth.json");
        if (File.Exists(video) && File.Exists(truth))
        {
            return new RenderedScene(spec, video, truth);
        }

        await using var exclusive = await LockAsync(Path.Combine(Directory, spec.CacheKey + ".lock"), cancellationToken);
        if (File.Exists(video) && File.Exists(truth))
        {
            return new RenderedScene(spec, video, truth); // another process rendered it while we waited
        }

        var stopwatch = Stopwatch.StartNew();
        log?.Invoke($"rendering scene {spec.CacheKey} ({spec.FrameCount} frames) …");
        using var renderer = new SceneRenderer(spec);
        var tmpVideo = video + ".tmp";
        await EncodeAsync(renderer, tmpVideo, cancellationToken);
        var tmpTruth = truth + ".tmp";
        await File.WriteAllTextAsync(tmpTruth, JsonSerializer.Serialize(renderer.Truth(), SceneTruth.Json), cancellationToken);
        File.Move(tmpVideo, video, overwrite: true);
        File.Move(tmpTruth, truth, overwrite: true);
        log?.Invoke($"rendered scene {spec.CacheKey} in {stopwatch.Elapsed.TotalSeconds:0.0} s ({new FileInfo(video).Length / 1024} KiB)");
        return new RenderedScene(spec, video, truth);
    }

    private static async Task EncodeAsync(SceneRenderer renderer, string output, CancellationToken cancellationToken)
    {
        var spec = renderer.Spec;
        var source = new RawVideoPipeSource(Frames(renderer)) { FrameRate = spec.Fps };

        // Like a real camera: constant GOP with IDR frames, no B-frames, SPS/PPS repeated before each IDR.
        // Access-unit delimiters make frame boundaries explicit for the RTP packetiser.
        var result = await FFMpegArguments
            .FromPipeInput(source)
            .OutputToFile(output, overwrite: true, options => options
                .WithVideoCodec("libx264")
                .ForceFormat("h264")
                .WithCustomArgument(
                    $"-preset veryfast -profile:v main -pix_fmt yuv420p -bf 0 -g {spec.Gop} -keyint_min {spec.Gop} " +
                    "-sc_threshold 0 -crf 21 -maxrate 4M -bufsize 4M -x264-params repeat-headers=1:aud=1"))
            .CancellableThrough(cancellationToken)
            .ProcessAsynchronously(throwOnError: false);
        if (!result.Success)
        {
            throw new InvalidOperationException(
                $"ffmpeg failed to encode scene {spec.CacheKey} (exit {result.ExitCode}): {string.Join(" | ", result.StandardError.TakeLast(5))}");
        }
    }

    private static IEnumerable<IVideoFrame> Frames(SceneRenderer renderer)
    {
        var spec = renderer.Spec;
        using var bitmap = new SKBitmap(new SKImageInfo(spec.Width, spec.Height, SKColorType.Bgra8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        var frame = new BitmapFrame(bitmap);
        for (var f = 0; f < spec.FrameCount; f++)
        {
            renderer.DrawFrame(canvas, f);
            canvas.Flush();
            yield return frame;
        }
    }

    /// <summary>The frame being encoded; re-drawn in place for each frame (the encoder reads it before asking for the next).</summary>
    private sealed class BitmapFrame(SKBitmap bitmap) : IVideoFrame
    {
        public int Width => bitmap.Width;
        public int Height => bitmap.Height;
        public string PixelFormat => "bgra";

        public void Serialize(Stream pipe) => pipe.Write(bitmap.GetPixelSpan());

        public Task SerializeAsync(Stream pipe, CancellationToken token)
        {
            Serialize(pipe);
            return Task.CompletedTask;
        }
    }

    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250, cancellationToken);
            }
        }
    }
}
