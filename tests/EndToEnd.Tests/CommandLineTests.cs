using CameraNet.DevStack;

namespace CameraNet.EndToEnd.Tests;

/// <summary>./cameranet as a user runs it.</summary>
public sealed class CommandLineTests
{
    private static Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] arguments) =>
        RunScriptAsync(Path.Combine(RepoPaths.Root, "cameranet"), arguments);

    private static Task<(int ExitCode, string Output, string Errors)> RunScriptAsync(string script, params string[] arguments) =>
        Processes.RunAsync(script, arguments, Path.GetDirectoryName(script)!, new Dictionary<string, string?>
        {
            ["CAMERANET_INVENTORY_URL"] = null,
            ["CAMERANET_API_KEY"] = null,
        });

    [Fact]
    public async Task An_unknown_verb_prints_usage_and_exits_2()
    {
        var (exit, _, errors) = await RunAsync("frobnicate");
        exit.ShouldBe(2);
        errors.ShouldContain("frobnicate");
        errors.ShouldContain("--help");
    }

    [Fact]
    public async Task Help_lists_the_two_commands_and_the_cli()
    {
        var (exit, output, _) = await RunAsync("--help");
        exit.ShouldBe(0);
        output.ShouldContain("./cameranet demo");
        output.ShouldContain("./cameranet test");
        output.ShouldContain("cameras");
    }

    [Fact]
    public async Task Test_takes_no_arguments()
    {
        var (exit, _, errors) = await RunAsync("test", "--filter", "x");
        exit.ShouldBe(2);
        errors.ShouldContain("no arguments");
    }

    [Fact]
    public async Task A_command_without_an_inventory_to_talk_to_says_how_to_get_one()
    {
        var (exit, _, errors) = await RunAsync("cameras", "list", "--inventory", "http://127.0.0.1:9/");
        exit.ShouldBe(1);
        errors.ShouldContain("CAMERANET_API_KEY");
    }

    [Fact]
    public async Task A_package_that_cannot_be_installed_is_named_in_a_one_line_error()
    {
        // A copy of the script whose package list asks for something no apt source has.
        var dir = Directory.CreateTempSubdirectory("cameranet-script-");
        try
        {
            var script = Path.Combine(dir.FullName, "cameranet");
            var text = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "cameranet"), TestContext.Current.CancellationToken);
            text = text.Replace("APT_PACKAGES=(\n", "APT_PACKAGES=(\n  cameranet-no-such-package\n", StringComparison.Ordinal);
            await File.WriteAllTextAsync(script, text, TestContext.Current.CancellationToken);
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            var (exit, _, errors) = await RunScriptAsync(script, "test");

            exit.ShouldBe(1);
            var last = errors.TrimEnd().Split('\n')[^1];
            last.ShouldStartWith("cameranet: ");
            last.ShouldContain("cameranet-no-such-package");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
