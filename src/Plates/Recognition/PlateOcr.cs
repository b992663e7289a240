using CameraNet.Contracts;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace CameraNet.Plates.Recognition;

/// <summary>What the reader made of one crop: the text (empty: not a plate), its confidence (the weakest character's probability) and per-character confidences.</summary>
public readonly record struct OcrResult(string Text, float Confidence, float[] CharacterConfidence)
{
    /// <summary>
    /// How much the crop looks like a plate at all: the second-weakest character's probability. A real
    /// plate with one doubtful character (a worn or small province character, a dirty digit) still has
    /// every other character sure; a crop of clutter forced into a plate number has several improbable
    /// ones. <see cref="Confidence"/> still tells how sure the whole reading is.
    /// </summary>
    public float Evidence => SecondSmallest(CharacterConfidence);

    internal static float SecondSmallest(float[]? values)
    {
        if (values is not { Length: > 0 })
        {
            return 0;
        }

        if (values.Length == 1)
        {
            return values[0];
        }

        float least = float.PositiveInfinity, second = float.PositiveInfinity;
        foreach (var v in values)
        {
            if (v < least)
            {
                (second, least) = (least, v);
            }
            else if (v < second)
            {
                second = v;
            }
        }

        return second;
    }
}

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
        _session = PlateModels.OneThreadSession(model);
        _input = _session.InputMetadata.Keys.Single();
    }

    /// <summary>The raw best path of one crop (no grammar check), for inspecting the reader.</summary>
    public string RawBestPath(ReadOnlySpan<byte> crop)
    {
        var (values, steps, classes) = Run(crop);
        return BestPath(values, steps, classes, []);
    }

    /// <summary>
    /// Reads one crop: <see cref="PlateRectifier.Height"/>×<see cref="PlateRectifier.Width"/> grey bytes, row
    /// by row. <paramref name="colour"/> is the plate's background as the locator saw it: a green plate
    /// is a new-energy plate (8 characters), a blue one never is (7); unknown allows every shape.
    /// </summary>
    /// <param name="characters">
    /// When given, filled with where the best path's characters stand (grammar or not): each one's middle column,
    /// as a share of the crop's width, and its best column's probability, left to right.
    /// </param>
    public OcrResult Read(ReadOnlySpan<byte> crop, PlateColour colour = PlateColour.Unknown, List<(float Position, float Probability)>? characters = null)
    {
        var (values, steps, classes) = Run(crop);
        return Decode(values, steps, classes, colour, characters);
    }

    private (float[] Values, int Steps, int Classes) Run(ReadOnlySpan<byte> crop)
    {
        var input = PlateModels.Input(crop, PlateRectifier.Height, PlateRectifier.Width, "crop");
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_input, input)]);
        var output = results[0].AsTensor<float>(); // [1, T, classes] log-probabilities
        return (output.ToArray(), output.Dimensions[^2], output.Dimensions[^1]);
    }

    /// <summary>
    /// The most probable valid plate number given per-column log-probabilities (<paramref name="steps"/> ×
    /// <paramref name="classes"/>, class 0 the blank). The unconstrained best path (repeats merged,
    /// blanks dropped) is taken when it is a valid plate; otherwise the best CTC path whose characters
    /// follow one of the plate templates (<see cref="Templates"/>) is searched (Viterbi over "k characters
    /// read, last column blank or character c"). A crop that holds no plate gets a path of improbable
    /// characters, whose low confidence (the weakest character's probability) rejects it. The result
    /// is a valid plate number or empty: an invalid sequence is never returned. The plate's colour narrows
    /// the templates (<see cref="Fits"/>): a green plate read as 7 characters has probably lost one, and
    /// its best 8-character path replaces the 7 when that path is itself confident
    /// (<see cref="ColourShapeConfidence"/>).
    /// </summary>
    /// <param name="characters">When given, filled with where the best path's characters stand (see <see cref="BestPath"/>).</param>
    public static OcrResult Decode(ReadOnlySpan<float> logProbs, int steps, int classes, PlateColour colour = PlateColour.Unknown, List<(float Position, float Probability)>? characters = null)
    {
        if (classes != Alphabet.Length + 1 || logProbs.Length != steps * classes)
        {
            throw new ArgumentException($"expected {steps} x {Alphabet.Length + 1} log-probabilities, got {logProbs.Length} values for {classes} classes");
        }

        var confidences = new List<float>(8);
        var plate = BestPath(logProbs, steps, classes, confidences, characters);
        var valid = PlateGrammar.TryValidate(plate, out var shape, out _);
        OcrResult Read() => new(plate, confidences.Min(), [.. confidences]);
        if (valid && Fits(colour, shape))
        {
            return Read();
        }

        var templates = TemplatesFor(colour);
        var fitting = BestOfTemplates(logProbs, steps, classes, templates);
        if (!valid)
        {
            return fitting.Text.Length > 0 || templates == Templates ? fitting : BestOfTemplates(logProbs, steps, classes, Templates);
        }

        // A valid number of the wrong shape for the colour: the colour wins only when its reading is
        // itself confident, since a faded or cyan-lit blue plate can pass for green in a photo.
        return fitting.Confidence >= ColourShapeConfidence ? fitting : Read();
    }

    /// <summary>How sure a reading of the colour's shape must be to replace a valid reading of another shape.</summary>
    public const float ColourShapeConfidence = 0.2f;

    private static OcrResult BestOfTemplates(ReadOnlySpan<float> logProbs, int steps, int classes, bool[][][] templates)
    {
        OcrResult best = new(string.Empty, 0, []);
        var bestScore = float.NegativeInfinity;
        foreach (var template in templates)
        {
            if (Constrained(logProbs, steps, classes, template) is { } found && found.Score > bestScore && PlateGrammar.IsValid(found.Result.Text))
            {
                (best, bestScore) = (found.Result, found.Score);
            }
        }

        return best;
    }

    /// <summary>
    /// The shapes of valid plate numbers as the classes allowed at each position: 7 characters (the last
    /// may be a special suffix), small new-energy (D|F, serial, 4 digits), large new-energy (5 digits, D|F).
    /// </summary>
    private static readonly bool[][][] Templates = BuildTemplates();

    private static readonly bool[][][] SevenCharacterTemplates = [Templates[0]];
    private static readonly bool[][][] NewEnergyTemplates = [Templates[1], Templates[2]];

    /// <summary>
    /// Whether a plate of this background colour can have this shape (GA 36: only new-energy plates are
    /// green, and they are never blue); unknown and other colours allow every shape.
    /// </summary>
    public static bool Fits(PlateColour colour, PlateShape shape) => colour switch
    {
        PlateColour.Green => shape == PlateShape.NewEnergy,
        PlateColour.Blue => shape != PlateShape.NewEnergy,
        _ => true,
    };

    /// <summary>The templates of the shapes <see cref="Fits"/> allows for the colour (the 7-character one covers the special suffixes).</summary>
    private static bool[][][] TemplatesFor(PlateColour colour) => colour switch
    {
        PlateColour.Green => NewEnergyTemplates,
        PlateColour.Blue => SevenCharacterTemplates,
        _ => Templates,
    };

    private static bool[][][] BuildTemplates()
    {
        bool[] Set(string characters)
        {
            var allowed = new bool[Alphabet.Length + 1];
            foreach (var c in characters)
            {
                allowed[Alphabet.IndexOf(c, StringComparison.Ordinal) + 1] = true;
            }

            return allowed;
        }

        var p = Set(PlateGrammar.Provinces);
        var l = Set(PlateGrammar.Letters);
        var s = Set(PlateGrammar.SerialCharacters);
        var d = Set(PlateGrammar.Digits);
        var df = Set("DF");
        return
        [
            [p, l, s, s, s, s, Set(PlateGrammar.SerialCharacters + PlateGrammar.SpecialSuffixes)],
            [p, l, df, s, d, d, d, d],
            [p, l, d, d, d, d, d, df],
        ];
    }

    private sealed class ViterbiWork
    {
        public float[] Score = [], Next = [];
        public int[] From = [];

        /// <summary>The array, grown to at least <paramref name="length"/> (its contents are the caller's to set).</summary>
        public static T[] Rent<T>(ref T[] array, int length)
        {
            if (array.Length < length)
            {
                array = new T[length];
            }

            return array;
        }
    }

    [ThreadStatic]
    private static ViterbiWork? _viterbi;

    /// <summary>
    /// Viterbi over CTC paths that spell a sequence of the template: state (k, c) = the column emits c as
    /// the k-th character; (k, blank) = a blank after k characters. Returns the best complete path's
    /// text, per-character confidences (each character's best column) and log-probability.
    /// </summary>
    private static (OcrResult Result, float Score)? Constrained(ReadOnlySpan<float> logProbs, int steps, int classes, bool[][] template)
    {
        var n = template.Length;
        var width = classes; // state index: 0 = blank, c = character class c
        var states = (n + 1) * width;
        // The search's tables are the thread's own, reused: allocated per call they were ~100 KB per
        // template, ~300 KB per crop read, and a frame reads dozens of crops.
        var work = _viterbi ??= new ViterbiWork();
        var score = ViterbiWork.Rent(ref work.Score, states);
        var next = ViterbiWork.Rent(ref work.Next, states);
        var from = ViterbiWork.Rent(ref work.From, steps * states); // predecessor state of each state at each column (-1: none)
        Array.Fill(score, float.NegativeInfinity);
        score[0] = logProbs[0]; // (0, blank)
        for (var c = 1; c < classes; c++)
        {
            if (template[0][c])
            {
                score[width + c] = logProbs[c]; // (1, c)
            }
        }

        Array.Fill(from, -1, 0, states);
        for (var t = 1; t < steps; t++)
        {
            Array.Fill(next, float.NegativeInfinity);
            var row = logProbs.Slice(t * classes, classes);
            var back = from.AsSpan(t * states, states);
            back.Fill(-1);
            for (var k = 0; k <= n; k++)
            {
                var at = k * width;
                // Best and second-best character states after k characters (to move on to a different character).
                int first = -1, second = -1;
                for (var c = 1; c < classes; c++)
                {
                    var v = score[at + c];
                    if (v == float.NegativeInfinity)
                    {
                        continue;
                    }

                    if (first < 0 || v > score[at + first])
                    {
                        (second, first) = (first, c);
                    }
                    else if (second < 0 || v > score[at + second])
                    {
                        second = c;
                    }
                }

                // Stay blank, or a character followed by a blank.
                var stay = score[at];
                var stayFrom = at;
                if (first >= 0 && score[at + first] > stay)
                {
                    (stay, stayFrom) = (score[at + first], at + first);
                }

                if (stay > float.NegativeInfinity)
                {
                    next[at] = stay + row[0];
                    back[at] = stayFrom;
                }

                // Repeat the same character.
                for (var c = 1; c < classes; c++)
                {
                    var v = score[at + c];
                    if (v > float.NegativeInfinity && v + row[c] > next[at + c])
                    {
                        next[at + c] = v + row[c];
                        back[at + c] = at + c;
                    }
                }

                // Read the (k+1)-th character: from a blank, or from a different character.
                if (k == n)
                {
                    continue;
                }

                var to = (k + 1) * width;
                var allowed = template[k];
                for (var c = 1; c < classes; c++)
                {
                    if (!allowed[c])
                    {
                        continue;
                    }

                    var prev = score[at];
                    var prevFrom = at;
                    var other = first == c ? second : first;
                    if (other >= 0 && score[at + other] > prev)
                    {
                        (prev, prevFrom) = (score[at + other], at + other);
                    }

                    if (prev > float.NegativeInfinity && prev + row[c] > next[to + c])
                    {
                        next[to + c] = prev + row[c];
                        back[to + c] = prevFrom;
                    }
                }
            }

            (score, next) = (next, score);
        }

        // End with all n characters read, on a blank or on the last character.
        var end = n * width;
        var bestEnd = -1;
        for (var c = 0; c < classes; c++)
        {
            if (score[end + c] > float.NegativeInfinity && (bestEnd < 0 || score[end + c] > score[bestEnd]))
            {
                bestEnd = end + c;
            }
        }

        if (bestEnd < 0)
        {
            return null;
        }

        // Walk back, collecting each character's best column.
        var text = new char[n];
        var confidence = new float[n];
        var state = bestEnd;
        for (var t = steps - 1; t >= 0; t--)
        {
            var k = state / width;
            var c = state % width;
            if (c != 0)
            {
                text[k - 1] = Alphabet[c - 1];
                confidence[k - 1] = MathF.Max(confidence[k - 1], MathF.Exp(logProbs[t * classes + c]));
            }

            if (t > 0)
            {
                state = from[t * states + state];
            }
        }

        return (new OcrResult(new string(text), confidence.Min(), confidence), score[bestEnd]);
    }

    /// <summary>
    /// Argmax per column, repeats merged, blanks dropped; each character's confidence is its best column's probability.
    /// <paramref name="characters"/>, when given, gets each character's place: the middle of its run of columns as a
    /// share of the crop's width, with that confidence, left to right.
    /// </summary>
    private static string BestPath(ReadOnlySpan<float> logProbs, int steps, int classes, List<float> confidences, List<(float Position, float Probability)>? characters = null)
    {
        var text = new System.Text.StringBuilder(8);
        var previous = 0;
        var best = 0f;
        var start = 0;
        characters?.Clear();
        void EndRun(int end)
        {
            if (previous != 0)
            {
                characters?.Add(((start + end) / 2f / steps, confidences[^1]));
            }

            start = end;
        }

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
            if (arg != previous)
            {
                EndRun(t);
            }

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

        EndRun(steps);
        return text.ToString();
    }

    public void Dispose() => _session.Dispose();
}
