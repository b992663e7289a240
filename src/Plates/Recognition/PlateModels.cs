using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace CameraNet.Plates.Recognition;

/// <summary>What the plate models (<see cref="PlateOcr"/>, <see cref="ProvinceClassifier"/>) share: how they are run and how a crop goes in.</summary>
internal static class PlateModels
{
    /// <summary>An ONNX Runtime session on one thread, fully optimised (a worker runs many cameras, one frame per thread).</summary>
    public static InferenceSession OneThreadSession(byte[] model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
        return new InferenceSession(model, options);
    }

    /// <summary>A grey crop (<paramref name="height"/>×<paramref name="width"/> bytes, row by row) as the models take it: [1, 1, height, width] in 0..1.</summary>
    public static DenseTensor<float> Input(ReadOnlySpan<byte> crop, int height, int width, string kind)
    {
        if (crop.Length != height * width)
        {
            throw new ArgumentException($"a {kind} has {height * width} bytes, not {crop.Length}", nameof(crop));
        }

        var input = new DenseTensor<float>([1, 1, height, width]);
        var buffer = input.Buffer.Span;
        for (var i = 0; i < crop.Length; i++)
        {
            buffer[i] = crop[i] / 255f;
        }

        return input;
    }
}
