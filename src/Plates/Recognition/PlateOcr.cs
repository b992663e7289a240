using CameraNet.Contracts;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace CameraNet.Plates.Recognition;

/// <summary>What the reader made of one crop: the text (empty: not a plate), its confidence and per-character confidences.</summary>
public readonly record struct OcrResult(string Text, float Confidence, float[] CharacterConfidence);

/// <summary>
/// Reads the characters of a rectified plate crop with a small convolutional network trained on
/// synthetic plates only (<c>./cameranet plates train</c>), run with ONNX Runtime on one thread. The
/// network emits a distribution over the character set per column (CTC); the text is its best path,
/// accepted only when it is a valid plate number (<see cref="PlateGrammar"/>): an invalid sequence
/// is never returned. Thread-safe (ONNX Runtime sessions are).
/// </summary>
public sealed class PlateOcr : IDisposable
{
    /// <summary>Index 0 is the CTC blank; then provinces, letters, digits, special suffixes.</summary>
    public const string Alphabet = PlateGrammar.Provinces + PlateGrammar.Letters + PlateGrammar.Digits + PlateGrammar.SpecialSuffixes;

    private readonly InferenceSession _session;
    private readonly string _input;

    public PlateOcr(byte[] model)
    {
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
        _session = new InferenceSession(model, options);
        _input = _session.InputMetadata.Keys.Single();
    }

    /// <summary>The raw best path of one crop (no grammar check), for inspecting the reader.</summary>
    public string RawBestPath(ReadOnlySpan<byte> crop)
    {
        var (values, steps, classes) = Run(crop);
        return BestPath(values, steps, classes, []);
    }

    /// <summary>Reads one crop: <see cref="PlateRectifier.Height"/>×<see cref="PlateRectifier.Width"/> grey bytes, row by row.</summary>
    public OcrResult Read(ReadOnlySpan<byte> crop)
    {
        const int pixels = PlateRectifier.Height * PlateRectifier.Width;
        if (crop.Length != pixels)
        {
            throw new ArgumentException($"a crop has {pixels} bytes, not {crop.Length}", nameof(crop));
        }

        var (values, steps, classes) = Run(crop);
        return Decode(values, steps, classes);
    }

    private (float[] Values, int Steps, int Classes) Run(ReadOnlySpan<byte> crop)
    {
        var input = new DenseTensor<float>([1, 1, PlateRectifier.Height, PlateRectifier.Width]);
        var buffer = input.Buffer.Span;
        for (var i = 0; i < crop.Length; i++)
        {
            buffer[i] = crop[i] / 255f;
        }

        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_input, input)]);
        var output = results[0].AsTensor<float>(); // [1, T, classes] log-probabilities
        return (output.ToArray(), output.Dimensions[^2], output.Dimensions[^1]);
    }

    /// <summary>
    /// The best path through per-column log-probabilities (<paramref name="steps"/> × <paramref name="classes"/>,
    /// class 0 the blank): repeats merged, blanks dropped. Anything that is not a valid plate number comes out empty.
    /// </summary>
    public static OcrResult Decode(ReadOnlySpan<float> logProbs, int steps, int classes)
    {
        if (classes != Alphabet.Length + 1 || logProbs.Length != steps * classes)
        {
            throw new ArgumentException($"expected {steps} x {Alphabet.Length + 1} log-probabilities, got {logProbs.Length} values for {classes} classes");
        }

        var confidences = new List<float>(8);
        var plate = BestPath(logProbs, steps, classes, confidences);
        if (!PlateGrammar.IsValid(plate))
        {
            return new OcrResult(string.Empty, 0, []);
        }

        return new OcrResult(plate, confidences.Min(), [.. confidences]);
    }

    /// <summary>Argmax per column, repeats merged, blanks dropped; each character's confidence is its best column's probability.</summary>
    private static string BestPath(ReadOnlySpan<float> logProbs, int steps, int classes, List<float> confidences)
    {
        var text = new System.Text.StringBuilder(8);
        var previous = 0;
        var best = 0f;
        for (var t = 0; t < steps; t++)
        {
            var arg = 0;
            var max = float.NegativeInfinity;
            for (var c = 0; c < classes; c++)
            {
                var v = logProbs[t * classes + c];
                if (v > max)
                {
                    (max, arg) = (v, c);
                }
            }

            var p = MathF.Exp(max);
            if (arg != 0 && arg != previous)
            {
                text.Append(Alphabet[arg - 1]);
                confidences.Add(p);
                best = p;
            }
            else if (arg != 0 && arg == previous && p > best)
            {
                confidences[^1] = p; // the same character over several columns: its best column counts
                best = p;
            }

            previous = arg;
        }

        return text.ToString();
    }

    public void Dispose() => _session.Dispose();
}
