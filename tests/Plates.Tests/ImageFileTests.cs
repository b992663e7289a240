using System.Diagnostics;
using CameraNet.Plates.Recognition;
using CameraNet.Plates.Synthesis;
using OpenCvSharp;

namespace CameraNet.Plates.Tests;

/// <summary>What is not a usable picture is refused by name; the command line goes on with the other files.</summary>
public sealed class ImageFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cameranet-plates-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Empty_files_non_images_truncated_tiny_and_huge_images_are_refused_with_the_reason()
    {
        Should.Throw<ImageFileException>(() => ImageFiles.Load(Write("empty.jpg", []))).Message.ShouldBe("empty file");
        Should.Throw<ImageFileException>(() => ImageFiles.Load(Write("text.jpg", "hello, not a picture"u8.ToArray()))).Message.ShouldContain("not an image");

        Cv2.ImEncode(".jpg", new Mat(200, 300, MatType.CV_8UC3, Scalar.All(128)), out var jpeg);
        Should.Throw<ImageFileException>(() => ImageFiles.Load(Write("cut.jpg", jpeg[..40]))).Message.ShouldContain("damaged or truncated");

        Cv2.ImEncode(".png", new Mat(10, 20, MatType.CV_8UC3, Scalar.All(128)), out var tiny);
        Should.Throw<ImageFileException>(() => ImageFiles.Load(Write("tiny.png", tiny))).Message.ShouldContain("too small (20x10");

        // A PNG header claiming 40000 × 40000 pixels: refused before anything is decoded.
        Cv2.ImEncode(".png", new Mat(64, 64, MatType.CV_8UC3, Scalar.All(128)), out var png);
        png[16..24].AsSpan().Clear();
        png[18] = 0x9C; png[19] = 0x40; png[22] = 0x9C; png[23] = 0x40;
        Should.Throw<ImageFileException>(() => ImageFiles.Load(Write("huge.png", png))).Message.ShouldContain("too large (40000x40000");
    }

    [Fact]
    public void A_jpeg_cut_off_before_its_end_is_decoded_as_far_as_it_arrived()
    {
        using var frame = PlateReaderTests.Scene("津A12345", PlateStyle.Blue);
        Cv2.ImEncode(".jpg", frame, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 90));
        var cut = jpeg[..(jpeg.Length * 85 / 100)]; // no end marker, the last rows missing

        using var image = ImageFiles.Load(Write("cut-in-transit.jpg", cut));

        image.Size().ShouldBe(frame.Size());
        using var top = new Mat();
        Cv2.Absdiff(image[new Rect(0, 0, frame.Width, frame.Height / 2)], frame[new Rect(0, 0, frame.Width, frame.Height / 2)], top);
        Cv2.Mean(top).Val0.ShouldBeLessThan(8, "what arrived is the picture itself");
    }

    [Fact]
    public async Task The_command_line_reads_the_good_files_and_names_each_bad_one()
    {
        using (var frame = PlateReaderTests.Scene("津A12345", PlateStyle.Blue))
        {
            Cv2.ImWrite(Path.Combine(_dir, "good.jpg"), frame);
        }

        Write("empty.png", []);
        Write("notes.jpg", "not a picture"u8.ToArray());
        Write("readme.txt", "ignored: not an image name"u8.ToArray());

        var cli = typeof(CameraNet.Cli.Commands.PlateCommands).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { cli, "plates", "read", _dir, Path.Combine(_dir, "missing.jpg") })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        process.WaitForExit(60_000).ShouldBeTrue();
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("file\tplate\tconfidence\tbox");
        lines.Skip(1).Select(l => l.Split('\t')[..2]).ShouldBe([["good.jpg", "津A12345"]]);
        var errors = await stderr;
        errors.ShouldContain("empty.png: empty file");
        errors.ShouldContain("notes.jpg: not an image");
        errors.ShouldContain("missing.jpg: no such file or directory");
        errors.ShouldNotContain("readme.txt");
        process.ExitCode.ShouldBe(1, "some files could not be read");
    }
}
