using BenchmarkDotNet.Attributes;
using CameraNet.Plates.Recognition;
using CameraNet.Plates.Synthesis;
using CameraNet.Plates.Training;
using OpenCvSharp;

namespace CameraNet.Bench;

/// <summary>
/// The plate recogniser on one core: a 1280×720 frame with one plate (180 px long), the same frame
/// with the plate covered, and the same car among street clutter (signs, stickers, grilles: ~19
/// candidate boxes, as photos give); baseline: converting the frame to grey, the least any reader does.
/// Target: ≤ 15 ms per frame.
/// </summary>
[MemoryDiagnoser]
public class PlateReaderBenchmarks
{
    private PlateReader _reader = null!;
    private Mat _withPlate = null!;
    private Mat _withoutPlate = null!;
    private Mat _cluttered = null!;
    private readonly Mat _gray = new();

    [GlobalSetup]
    public void Setup()
    {
        // One core: OpenCV would otherwise spread a resize or a filter over both (the ONNX session is
        // already single-threaded). The ingest worker reads many cameras' frames side by side.
        Cv2.SetNumThreads(1);
        _reader = PlateReader.CreateDefault();
        _withPlate = PlateScene.Frame("津A12345", PlateStyle.Blue);
        _withoutPlate = _withPlate.Clone();
        Cv2.Rectangle(_withoutPlate, new Rect(520, 430, 240, 100), new Scalar(60, 70, 200), -1);
        // The same car among a dozen signs, stickers and grilles: photos give the locator ten or more
        // candidates, the plain frames one.
        _cluttered = SampleGenerator.ClutteredFrame("津A12345", PlateStyle.Blue);
        if (_reader.Read(_withPlate).SingleOrDefault()?.Text != "津A12345" || _reader.Read(_withoutPlate).Count != 0
            || _reader.Read(_cluttered).SingleOrDefault()?.Text != "津A12345")
        {
            throw new InvalidOperationException("the benchmark frames are not read as expected");
        }
    }

    [Benchmark(Baseline = true, Description = "BGR to grey, 1280x720 (baseline)")]
    public void Gray() => Cv2.CvtColor(_withPlate, _gray, ColorConversionCodes.BGR2GRAY);

    [Benchmark(Description = "read a 1280x720 frame with one plate")]
    public int OnePlate() => _reader.Read(_withPlate).Count;

    [Benchmark(Description = "read a 1280x720 frame without a plate")]
    public int NoPlate() => _reader.Read(_withoutPlate).Count;

    [Benchmark(Description = "read a cluttered 1280x720 frame with one plate")]
    public int Cluttered() => _reader.Read(_cluttered).Count;

    [GlobalCleanup]
    public void Cleanup()
    {
        _reader.Dispose();
        _withPlate.Dispose();
        _withoutPlate.Dispose();
        _cluttered.Dispose();
        _gray.Dispose();
    }
}
