namespace CameraNet.DevStack;

/// <summary>Where things are in a CameraNet checkout.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The checkout root: the nearest directory above this assembly (or the working directory) holding CameraNet.sln.</summary>
    public static string Root => RootPath.Value;

    /// <summary>The git-ignored data directory: servers, caches, logs, test runs.</summary>
    public static string DataDirectory =>
        Environment.GetEnvironmentVariable("CAMERANET_DATA") is { Length: > 0 } custom ? custom : Path.Combine(Root, ".cameranet");

    public static string CacheDirectory => Path.Combine(DataDirectory, "cache");

    /// <summary>Build configuration of the running code (Debug or Release), so child apps match it.</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The built entry assembly of a CameraNet app, e.g. <c>App("Inventory")</c>.</summary>
    public static string App(string project)
    {
        var preferred = Configuration;
        foreach (var configuration in new[] { preferred, preferred == "Release" ? "Debug" : "Release" })
        {
            var path = Path.Combine(Root, "src", project, "bin", configuration, "net10.0", $"CameraNet.{project}.dll");
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException($"CameraNet.{project}.dll is not built; run 'dotnet build' at {Root} first");
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CameraNet.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("not inside a CameraNet checkout (no CameraNet.sln above " + AppContext.BaseDirectory + ")");
    }
}
