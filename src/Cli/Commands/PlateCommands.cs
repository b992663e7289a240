using System.CommandLine;
using System.Globalization;
using CameraNet.Plates.Recognition;
using CameraNet.Plates.Training;
using OpenCvSharp;

namespace CameraNet.Cli.Commands;

/// <summary><c>plates read PATH...</c>: the recogniser on image files, as TSV for <c>score-plates</c>.</summary>
public static class PlateCommands
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"];

    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH") { Description = "image files or directories (searched for images, not recursively)", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string?>("--model") { Description = "read with this ONNX model instead of the committed one (to measure a candidate)" };
        var minEvidence = new Option<float>("--min-evidence") { Description = "drop readings whose second-weakest character is less probable than this", DefaultValueFactory = _ => PlateReader.DefaultMinEvidence };
        var provinceModel = new Option<string?>("--province-model") { Description = "tell provinces with this ONNX model instead of the committed one (to measure a candidate)" };
        var refinerModel = new Option<string?>("--refiner-model") { Description = "box badly boxed regions anew with this ONNX model instead of the committed one (to measure a candidate)" };
        var asFrames = new Option<bool>("--frame") { Description = $"search each image as the ingest worker searches a video frame: no finer search in tiles of images from {PlateReader.TiledFrom} px (about a third of the time)" };
        var read = new Command("read", "Read the plates in images: TSV 'file<TAB>plate<TAB>confidence<TAB>box' (box: cx,cy,w,h in pixels) on stdout, problems per file on stderr") { paths, model, provinceModel, refinerModel, minEvidence, asFrames };
        read.SetAction(parse =>
        {
            using var reader = Reader(parse.GetValue(model), parse.GetValue(minEvidence), parse.GetValue(provinceModel), parse.GetValue(refinerModel));
            var search = parse.GetValue(asFrames) ? PlateSearch.Frame : PlateSearch.Still;
            var failed = EachImage(parse.GetValue(paths)!, (path, image) =>
            {
                foreach (var plate in reader.Read(image, search))
                {
                    Row(path, plate.Text, plate.Confidence, plate.Region);
                }
            });
            return failed == 0 ? 0 : 1;
        });

        var locatePaths = new Argument<string[]>("PATH") { Arity = ArgumentArity.OneOrMore };
        var crops = new Option<string?>("--crops") { Description = "also write each candidate's crop as PNG here, named after what the reader sees in it" };
        var locate = new Command("locate", "The locator's candidate regions only (text '?'), to measure it with score-plates") { locatePaths, crops, model };
        locate.SetAction(parse =>
        {
            var cropDir = parse.GetValue(crops);
            using var reader = cropDir is null ? null : Reader(parse.GetValue(model));
            using var crop = new Mat();
            var bytes = new byte[PlateRectifier.Pixels];
            var n = 0;
            EachImage(parse.GetValue(locatePaths)!, (path, image) =>
            {
                foreach (var box in PlateLocator.Locate(image))
                {
                    if (reader is not null)
                    {
                        PlateRectifier.Cut(image, box, crop, bytes);
                        Directory.CreateDirectory(cropDir!);
                        Cv2.ImWrite(Path.Combine(cropDir!, $"{Path.GetFileNameWithoutExtension(path)}-{++n:0000}-{reader.Ocr.RawBestPath(bytes)}.png"), crop);
                    }

                    Row(path, "?", box.Score, box);
                }
            });
            return 0;
        });

        return new Command("plates", "Licence-plate recognition") { read, locate, Train(), Evaluate(model, provinceModel), AnalystCommands.Watch(), AnalystCommands.Search() };
    }

    /// <summary>
    /// <c>plates evaluate</c>: the reader on held-out synthetic crops (a seed training never uses): how
    /// many plates it reads exactly, and at each confidence threshold how many plates it accepts and how
    /// many non-plate crops it wrongly accepts. The threshold is chosen from these, not from real photos.
    /// </summary>
    private static Command Evaluate(Option<string?> model, Option<string?> provinceModel)
    {
        var samples = new Option<int>("--samples") { Description = "held-out synthetic crops", DefaultValueFactory = _ => 20_000 };
        var seed = new Option<int>("--seed") { Description = $"seed of the held-out crops (training uses {SampleGenerator.TrainingSeed})", DefaultValueFactory = _ => 1 };
        var evaluate = new Command("evaluate", "Measure the reader on held-out synthetic crops: exact reads, plates/non-plates accepted per confidence threshold, provinces with and without the province classifier") { samples, seed, model, provinceModel };
        evaluate.SetAction(async (parse, cancellationToken) =>
        {
            var n = parse.GetValue(samples);
            if (n < 100)
            {
                throw new CliException($"--samples {n}: at least 100 crops are needed for a measurement", 2);
            }

            using var reader = Reader(parse.GetValue(model), provinceModel: parse.GetValue(provinceModel));
            var (heldOut, renderer) = (parse.GetValue(seed), CameraNet.Plates.Synthesis.PlateRenderer.Default);
            var thresholds = new[] { 0.05f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 0.95f };
            // Two acceptance rules side by side: the weakest character's probability (the reading's
            // confidence) and the second-weakest's (its evidence, what the reader judges).
            Func<OcrResult, float>[] rules = [r => r.Confidence, r => r.Evidence];
            var acceptedPlates = new int[rules.Length, thresholds.Length];
            var acceptedRight = new int[rules.Length, thresholds.Length];
            var acceptedOthers = new int[rules.Length, thresholds.Length];
            int plates = 0, others = 0, exact = 0;
            var gate = new object();
            await Parallel.ForAsync(0, n, cancellationToken, (i, _) =>
            {
                var (crop, label) = SampleGenerator.Sample(heldOut, i, renderer);
                var read = reader.Ocr.Read(crop);
                lock (gate)
                {
                    if (label.Length > 0)
                    {
                        plates++;
                        exact += read.Text == label ? 1 : 0;
                    }
                    else
                    {
                        others++;
                    }

                    for (var rule = 0; rule < rules.Length; rule++)
                    {
                        for (var k = 0; k < thresholds.Length; k++)
                        {
                            if (read.Text.Length > 0 && rules[rule](read) >= thresholds[k])
                            {
                                (label.Length > 0 ? acceptedPlates : acceptedOthers)[rule, k]++;
                                acceptedRight[rule, k] += read.Text == label ? 1 : 0;
                            }
                        }
                    }
                }

                return ValueTask.CompletedTask;
            });

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"held-out synthetic crops: {plates} plates, {others} not plates (seed {heldOut})"));
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"exact (any confidence): {exact} / {plates} = {100.0 * exact / Math.Max(1, plates):0.00}%"));
            Console.Out.WriteLine("threshold	plates accepted	accepted and exact	non-plates accepted	| by evidence: plates accepted	accepted and exact	non-plates accepted");
            string Percent(int count, int of) => string.Create(CultureInfo.InvariantCulture, $"{100.0 * count / Math.Max(1, of):0.00}%");
            string Rule(int rule, int k) => $"{Percent(acceptedPlates[rule, k], plates)}	{Percent(acceptedRight[rule, k], plates)}	{Percent(acceptedOthers[rule, k], others)}";
            for (var k = 0; k < thresholds.Length; k++)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{thresholds[k]:0.00}	{Rule(0, k)}	| {Rule(1, k)}"));
            }

            // What the province classifier adds: the same held-out photographed plates read by the
            // line reader alone and with the classifier's second opinion.
            var lineOnly = new PlateReader(reader.Ocr, null, reader.MinEvidence); // shares the reader's session: not disposed
            var regions = n / 4;
            var counts = new int[2, 3]; // [line only, with classifier] x [read, province right, exact]
            await Parallel.ForAsync(0, regions, cancellationToken, (i, _) =>
            {
                var (scene, region, plate) = SampleGenerator.OneRowPlate(heldOut, i, renderer);
                using (scene)
                {
                    var reads = new[] { lineOnly.ReadRegion(scene, region), reader.ReadRegion(scene, region) };
                    lock (gate)
                    {
                        for (var r = 0; r < reads.Length; r++)
                        {
                            if (reads[r] is { } read)
                            {
                                counts[r, 0]++;
                                counts[r, 1] += read.Text[0] == plate[0] ? 1 : 0;
                                counts[r, 2] += read.Text == plate ? 1 : 0;
                            }
                        }
                    }
                }

                return ValueTask.CompletedTask;
            });

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"held-out one-row plates read in their (jittered) regions: {regions} (seed {heldOut})"));
            Console.Out.WriteLine("reader	accepted	province right (of accepted)	exact (of all)");
            foreach (var (r, name) in new[] { (0, "line reader alone"), (1, reader.Provinces is null ? "(no province classifier)" : "with the province classifier") })
            {
                Console.Out.WriteLine($"{name}	{Percent(counts[r, 0], regions)}	{Percent(counts[r, 1], counts[r, 0])}	{Percent(counts[r, 2], regions)}");
            }

            return 0;
        });
        return evaluate;
    }

    /// <summary>
    /// Prints the TSV header, then loads each image of <paramref name="paths"/> and hands it on; what
    /// cannot be loaded is named on stderr with the reason and the run goes on. Returns how many failed.
    /// </summary>
    private static int EachImage(string[] paths, Action<string, Mat> each)
    {
        Console.Out.WriteLine("file\tplate\tconfidence\tbox");
        var failed = 0;
        foreach (var (path, error) in Expand(paths))
        {
            try
            {
                using var image = error is null ? ImageFiles.Load(path) : throw new ImageFileException(error);
                each(path, image);
            }
            catch (ImageFileException e)
            {
                Console.Error.WriteLine($"cameranet: {path}: {e.Message}");
                failed++;
            }
        }

        return failed;
    }

    private static void Row(string path, string text, float confidence, PlateRegion box) =>
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileName(path)}\t{text}\t{confidence:0.000}\t{box.Centre.X:0},{box.Centre.Y:0},{box.Width:0},{box.Height:0}"));

    /// <summary>
    /// <c>plates train</c>: synthetic crops from C#, the networks trained by PyTorch (a development step),
    /// exported to ONNX: the line reader (<c>train_ocr.py</c>), the province classifier (<c>train_province.py</c>), then the
    /// box refiner (<c>train_refiner.py</c>).
    /// </summary>
    private static Command Train()
    {
        var samples = new Option<int>("--samples") { Description = "synthetic training crops for the line reader", DefaultValueFactory = _ => 100_000 };
        var epochs = new Option<int>("--epochs") { Description = "passes over the line reader's crops", DefaultValueFactory = _ => 11 };
        var provinceSamples = new Option<int>("--province-samples") { Description = "synthetic training crops for the province classifier", DefaultValueFactory = _ => 100_000 };
        var provinceEpochs = new Option<int>("--province-epochs") { Description = "passes over the province classifier's crops", DefaultValueFactory = _ => 6 };
        var refinerSamples = new Option<int>("--refiner-samples") { Description = "synthetic training canvases for the box refiner", DefaultValueFactory = _ => 60_000 };
        var refinerEpochs = new Option<int>("--refiner-epochs") { Description = "passes over the box refiner's canvases", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "seed of the crops and of the training", DefaultValueFactory = _ => SampleGenerator.TrainingSeed };
        var models = Path.Combine(DevStack.RepoPaths.Root, "src", "Plates", "Models");
        var output = new Option<string>("--out") { Description = "where the line reader's model goes", DefaultValueFactory = _ => Path.Combine(models, "plate-ocr.onnx") };
        var provinceOutput = new Option<string>("--province-out") { Description = "where the province classifier's model goes", DefaultValueFactory = _ => Path.Combine(models, "plate-province.onnx") };
        var refinerOutput = new Option<string>("--refiner-out") { Description = "where the box refiner's model goes", DefaultValueFactory = _ => Path.Combine(models, "plate-refiner.onnx") };
        var only = new Option<string?>("--only") { Description = "train one model only: reader, province or refiner" };
        only.AcceptOnlyFromAmong("reader", "province", "refiner");
        var train = new Command("train", "Train the plate reader from synthetic plates only (needs python3-torch; a development step, never run by tests or CI)")
        {
            samples, epochs, provinceSamples, provinceEpochs, refinerSamples, refinerEpochs, seed, output, provinceOutput, refinerOutput, only,
        };
        train.SetAction(async (parse, cancellationToken) =>
        {
            await RequirePyTorchAsync(cancellationToken); // before minutes of crops, not after
            try
            {
                SampleWriter.Renderer();
            }
            catch (InvalidOperationException e)
            {
                throw new CliException($"plates train: {e.Message}", 1);
            }

            var dir = Path.Combine(DevStack.RepoPaths.DataDirectory, "plates-train");
            Directory.CreateDirectory(dir);
            var which = parse.GetValue(only);
            var trainSeed = parse.GetValue(seed);
            (string Only, string What, string Script, int Samples, int Epochs, string Output, Func<string, int, int, CancellationToken, Task> Write)[] stages =
            [
                ("reader", "line reader", "train_ocr.py", parse.GetValue(samples), parse.GetValue(epochs), parse.GetValue(output)!, SampleWriter.WriteAsync),
                ("province", "province classifier", "train_province.py", parse.GetValue(provinceSamples), parse.GetValue(provinceEpochs), parse.GetValue(provinceOutput)!, SampleWriter.WriteProvincesAsync),
                ("refiner", "box refiner", "train_refiner.py", parse.GetValue(refinerSamples), parse.GetValue(refinerEpochs), parse.GetValue(refinerOutput)!, SampleWriter.WriteRefinerAsync),
            ];
            foreach (var stage in stages.Where(stage => which is null || which == stage.Only))
            {
                var exit = await TrainStageAsync(stage.What, stage.Script, dir, stage.Samples, stage.Epochs, trainSeed, stage.Output,
                    (n, ct) => stage.Write(dir, n, trainSeed, ct), cancellationToken);
                if (exit != 0)
                {
                    return exit;
                }
            }

            return 0;
        });
        return train;
    }

    /// <summary>Writes one model's crops, then runs its trainer script on them; the script's exit code.</summary>
    private static async Task<int> TrainStageAsync(string what, string script, string dir, int samples, int epochs, int seed, string output,
        Func<int, CancellationToken, Task> writeCrops, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await writeCrops(samples, cancellationToken);
        Console.Error.WriteLine($"cameranet: {samples} synthetic crops for the {what} in {clock.Elapsed.TotalSeconds:0} s -> {dir}");
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList =
            {
                Path.Combine(DevStack.RepoPaths.Root, "tools", "plates", script), "--data", dir, "--out", output,
                "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--seed", seed.ToString(CultureInfo.InvariantCulture),
            },
        };
        using var python = System.Diagnostics.Process.Start(start) ?? throw new CliException("cannot start /usr/bin/python3 (apt install python3-torch)", 1);
        await python.WaitForExitAsync(cancellationToken);
        Console.Error.WriteLine($"cameranet: {what} trained in {clock.Elapsed.TotalMinutes:0.0} min (exit {python.ExitCode})");
        return python.ExitCode;
    }

    /// <summary>The trainer's imports, checked up front: a machine without them once wrote 100,000 crops for 9 minutes and then failed.</summary>
    private static async Task RequirePyTorchAsync(CancellationToken cancellationToken)
    {
        var check = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { ArgumentList = { "-c", "import numpy, torch" }, RedirectStandardError = true };
        System.Diagnostics.Process? python;
        try
        {
            python = System.Diagnostics.Process.Start(check);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CliException($"plates train needs /usr/bin/python3 with PyTorch and NumPy ({e.Message}): apt-get install python3-torch python3-numpy", 1);
        }

        using (python)
        {
            var error = await python!.StandardError.ReadToEndAsync(cancellationToken);
            await python.WaitForExitAsync(cancellationToken);
            if (python.ExitCode != 0)
            {
                var reason = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? $"exit {python.ExitCode}";
                throw new CliException($"plates train needs PyTorch and NumPy for /usr/bin/python3 ({reason}): apt-get install python3-torch python3-numpy", 1);
            }
        }
    }

    private static PlateReader Reader(string? model, float minEvidence = PlateReader.DefaultMinEvidence, string? provinceModel = null, string? refinerModel = null)
    {
        try
        {
            return PlateReader.FromFiles(model, provinceModel, minEvidence, refinerModel);
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message, 2);
        }
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
