using System.Globalization;

namespace CameraNet.Bench;

/// <summary>Small helpers shared by the harnesses: options and medians.</summary>
public static class Harness
{
    public static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static void Say(string text) => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {text}");
}
