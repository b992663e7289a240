using CameraNet.Plates.Recognition;

namespace CameraNet.Plates.Tests;

/// <summary>The committed models embedded in the recogniser's assembly, as bytes or as a temporary file (deleted on dispose).</summary>
internal static class EmbeddedModels
{
    public static byte[] Bytes(string name)
    {
        using var stream = typeof(PlateReader).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the committed model {name} is missing from the assembly");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>The model <paramref name="name"/> written to a new temporary file.</summary>
    public static TempFile File(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cameranet-model-{Guid.NewGuid():N}.onnx");
        System.IO.File.WriteAllBytes(path, Bytes(name));
        return new TempFile(path);
    }

    public sealed record TempFile(string Path) : IDisposable
    {
        public void Dispose() => System.IO.File.Delete(Path);
    }
}
