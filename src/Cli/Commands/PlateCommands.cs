using System.CommandLine;
using System.Globalization;
using CameraNet.Plates.Recognition;
using OpenCvSharp;

namespace CameraNet.Cli.Commands;

/// <summary><c>plates read PATH...</c>: the recogniser on image files, as TSV for <c>score-plates</c>.</summary>
public static class PlateCommands
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"];

    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH") { Description = "image files or directories (searched for images, not recursively)", Arity = ArgumentArity.OneOrMore };
        var read = new Command("read", "Read the plates in images: TSV 'file<TAB>plate<TAB>confidence<TAB>box' (box: cx,cy,w,h in pixels) on stdout, problems per file on stderr") { paths };
        read.SetAction(parse =>
        {
            var files = Expand(parse.GetValue(paths)!);
            using var reader = PlateReader.CreateDefault();
            var stdout = Console.Out;
            stdout.WriteLine("file\tplate\tconfidence\tbox");
            var failed = 0;
            foreach (var file in files)
            {
                if (file.Error is { } error)
                {
                    Console.Error.WriteLine($"cameranet: {file.Path}: {error}");
                    failed++;
                    continue;
                }

                try
                {
                    using var image = ImageFiles.Load(file.Path);
                    foreach (var plate in reader.Read(image))
                    {
                        var box = plate.Region;
                        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{Path.GetFileName(file.Path)}\t{plate.Text}\t{plate.Confidence:0.000}\t{box.Centre.X:0},{box.Centre.Y:0},{box.Width:0},{box.Height:0}"));
                    }
                }
                catch (ImageFileException e)
                {
                    Console.Error.WriteLine($"cameranet: {file.Path}: {e.Message}");
                    failed++;
                }
            }

            return failed == 0 ? 0 : 1;
        });

        var locatePaths = new Argument<string[]>("PATH") { Arity = ArgumentArity.OneOrMore };
        var crops = new Option<string?>("--crops") { Description = "also write each candidate's crop as PNG here, named after what the reader sees in it" };
        var locate = new Command("locate", "The locator's candidate regions only (text '?'), to measure it with score-plates") { locatePaths, crops };
        locate.SetAction(parse =>
        {
            var cropDir = parse.GetValue(crops);
            using var reader = cropDir is null ? null : PlateReader.CreateDefault();
            using var crop = new Mat();
            var n = 0;
            Console.Out.WriteLine("file\tplate\tconfidence\tbox");
            foreach (var (path, error) in Expand(parse.GetValue(locatePaths)!))
            {
                try
                {
                    using var image = error is null ? ImageFiles.Load(path) : throw new ImageFileException(error);
                    foreach (var box in PlateLocator.Locate(image))
                    {
                        if (reader is not null)
                        {
                            PlateRectifier.Cut(image, box, crop);
                            var bytes = new byte[PlateRectifier.Height * PlateRectifier.Width];
                            System.Runtime.InteropServices.Marshal.Copy(crop.Data, bytes, 0, bytes.Length);
                            Directory.CreateDirectory(cropDir!);
                            Cv2.ImWrite(Path.Combine(cropDir!, $"{Path.GetFileNameWithoutExtension(path)}-{++n:0000}-{reader.Ocr.RawBestPath(bytes)}.png"), crop);
                        }

                        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{Path.GetFileName(path)}\t?\t{box.Score:0.000}\t{box.Centre.X:0},{box.Centre.Y:0},{box.Width:0},{box.Height:0}"));
                    }
                }
                catch (ImageFileException e)
                {
                    Console.Error.WriteLine($"cameranet: {path}: {e.Message}");
                }
            }

            return 0;
        });

        return new Command("plates", "Licence-plate recognition") { read, locate, Train() };
    }

    /// <summary><c>plates train</c>: synthetic crops from C#, the network trained by PyTorch (a development step), exported to ONNX.</summary>
    private static Command Train()
    {
        var samples = new Option<int>("--samples") { Description = "synthetic training crops", DefaultValueFactory = _ => 80_000 };
        var epochs = new Option<int>("--epochs") { Description = "passes over the crops", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "seed of the crops and of the training", DefaultValueFactory = _ => 20261123 };
        var output = new Option<string>("--out") { Description = "where the model goes", DefaultValueFactory = _ => Path.Combine(DevStack.RepoPaths.Root, "src", "Plates", "Models", "plate-ocr.onnx") };
        var train = new Command("train", "Train the plate reader from synthetic plates only (needs python3-torch; a development step, never run by tests or CI)") { samples, epochs, seed, output };
        train.SetAction(async (parse, cancellationToken) =>
        {
            var n = parse.GetValue(samples);
            var dir = Path.Combine(DevStack.RepoPaths.DataDirectory, "plates-train");
            Directory.CreateDirectory(dir);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await CameraNet.Plates.Training.SampleWriter.WriteAsync(dir, n, parse.GetValue(seed), cancellationToken);
            Console.Error.WriteLine($"cameranet: {n} synthetic crops in {clock.Elapsed.TotalSeconds:0} s -> {dir}");
            var script = Path.Combine(DevStack.RepoPaths.Root, "tools", "plates", "train_ocr.py");
            var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3")
            {
                ArgumentList = { script, "--data", dir, "--out", parse.GetValue(output)!, "--epochs", parse.GetValue(epochs).ToString(CultureInfo.InvariantCulture), "--seed", parse.GetValue(seed).ToString(CultureInfo.InvariantCulture) },
            };
            using var python = System.Diagnostics.Process.Start(start) ?? throw new CliException("cannot start /usr/bin/python3 (apt install python3-torch)", 1);
            await python.WaitForExitAsync(cancellationToken);
            Console.Error.WriteLine($"cameranet: training finished in {clock.Elapsed.TotalMinutes:0.0} min (exit {python.ExitCode})");
            return python.ExitCode;
        });
        return train;
    }

    private static List<(string Path, string? Error)> Expand(string[] paths)
    {
        var files = new List<(string, string?)>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path)
                    .Where(f => ImageExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .Select(f => (f, (string?)null)));
            }
            else if (File.Exists(path))
            {
                files.Add((path, null));
            }
            else
            {
                files.Add((path, "no such file or directory"));
            }
        }

        return files;
    }
}
