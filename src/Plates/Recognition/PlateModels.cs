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

    /// <summary>
    /// A one-thread session (<see cref="OneThreadSession"/>) of a model whose one output is [N, <paramref name="outputs"/>],
    /// and its input's name; otherwise an <see cref="ArgumentException"/> saying what a <paramref name="kind"/> emits
    /// (<paramref name="what"/>) and what this model does.
    /// </summary>
    public static (InferenceSession Session, string Input) Session(byte[] model, int outputs, string kind, string what)
    {
        var session = OneThreadSession(model);
        var output = session.OutputMetadata.Values.Single().Dimensions;
        if (output.Length != 2 || output[^1] != outputs)
        {
            session.Dispose();
            throw new ArgumentException($"a {kind} emits {outputs} {what}, this model [{string.Join(", ", output)}]", nameof(model));
        }

        return (session, session.InputMetadata.Keys.Single());
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
