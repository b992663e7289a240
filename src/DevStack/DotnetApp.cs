namespace CameraNet.DevStack;

/// <summary>Starts CameraNet's own .NET programs from their build output.</summary>
public static class DotnetApp
{
    private static readonly Lazy<string> Host = new(FindHost);

    /// <summary>The dotnet muxer that runs framework-dependent apps.</summary>
    public static string HostPath => Host.Value;

    public static ChildSpec Spec(string name, string project, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var dll = RepoPaths.App(project);
        var env = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        return new ChildSpec
        {
            Name = name,
            FileName = HostPath,
            Arguments = [dll, .. arguments],
            WorkingDirectory = Path.GetDirectoryName(dll),
            Environment = env,
        };
    }

    private static string FindHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } fromSdk && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet")))
        {
            return Path.Combine(root, "dotnet");
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':'))
        {
            var candidate = Path.Combine(dir, "dotnet");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("the dotnet host was not found on PATH");
    }
}
