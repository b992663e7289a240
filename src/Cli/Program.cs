using System.CommandLine;
using System.Runtime.InteropServices;
using CameraNet.Cli;
using CameraNet.Cli.Commands;

var root = new RootCommand("cameranet: CameraNet's command line for operators, analysts and managers")
{
    DemoCommand.Create(),
    RegisterCommands.Divisions(),
    RegisterCommands.Cameras(),
    CoverageCommands.Create(RegisterCommands.InventoryOption()),
    PlateCommands.Create(),
};

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"cameranet: {error.Message}");
    }

    Console.Error.WriteLine("Run './cameranet --help' for the list of commands.");
    return 2;
}

// Ctrl-C and SIGTERM cancel the running command, which then stops what it started in order;
// System.CommandLine's own handling would end the process after a fixed timeout instead.
using var stop = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

try
{
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, stop.Token);
}
catch (CliException e)
{
    Console.Error.WriteLine($"cameranet: {e.Message}");
    return e.ExitCode;
}
catch (InventoryApiException e)
{
    Console.Error.WriteLine($"cameranet: the inventory refused: {e.Message}");
    return 1;
}
catch (HttpRequestException e)
{
    Console.Error.WriteLine($"cameranet: cannot reach the inventory: {e.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    return 130;
}
catch (Exception e) when (NativeLibraryMissing(e) is { } missing)
{
    // OpenCvSharp and ONNX Runtime load their native code on first use; without the Debian packages
    // that code needs, the loader's exception names a dozen paths it tried. Say what to install instead.
    Console.Error.WriteLine($"cameranet: a native library could not be loaded ({missing}); install the system packages with './cameranet test' or './cameranet demo' (they install what is missing), or: apt-get install libgtk-3-0 ffmpeg");
    return 1;
}

static string? NativeLibraryMissing(Exception? e)
{
    for (; e is not null; e = e.InnerException)
    {
        if (e is DllNotFoundException)
        {
            var lines = e.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            // The loader's message lists each path it tried; a line that names a system library
            // (not a path under the application or the runtime) is the dependency that is missing.
            var dependency = lines.FirstOrDefault(l => !l.StartsWith('/') && l.Contains(".so", StringComparison.Ordinal));
            return dependency?.Split(':')[0] ?? lines.FirstOrDefault() ?? e.GetType().Name;
        }
    }

    return null;
}
