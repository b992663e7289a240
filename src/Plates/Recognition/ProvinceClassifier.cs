using CameraNet.Contracts;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace CameraNet.Plates.Recognition;

/// <summary>
/// Tells the province character of a one-row plate from the left end of the plate cut at twice the line
/// reader's resolution (<see cref="PlateRectifier.CutProvince"/>): a small convolutional network trained
/// on synthetic plates only (<c>./cameranet plates train</c>), run with ONNX Runtime on one thread. On the
/// line reader's 32-px crop a province is about 12×16 px, too coarse for a Chinese character's strokes:
/// on held-out synthetic plates the line reader got 82% of provinces right against 96% of the other
/// characters. Thread-safe (ONNX Runtime sessions are).
/// </summary>
public sealed class ProvinceClassifier : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _input;

    public ProvinceClassifier(byte[] model) =>
        (_session, _input) = PlateModels.Session(model, PlateGrammar.Provinces.Length, "province classifier", "classes");

    /// <summary>The most probable province of a crop (<see cref="PlateRectifier.ProvincePixels"/> grey bytes, row by row) and its probability.</summary>
    public (char Province, float Probability) Classify(ReadOnlySpan<byte> crop)
    {
        var input = PlateModels.Input(crop, PlateRectifier.ProvinceHeight, PlateRectifier.ProvinceWidth, "province crop");
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_input, input)]);
        var logProbs = results[0].AsTensor<float>();
        var best = 0;
        for (var k = 1; k < PlateGrammar.Provinces.Length; k++)
        {
            if (logProbs[0, k] > logProbs[0, best])
            {
                best = k;
            }
        }

        return (PlateGrammar.Provinces[best], MathF.Exp(logProbs[0, best]));
    }

    public void Dispose() => _session.Dispose();
}
