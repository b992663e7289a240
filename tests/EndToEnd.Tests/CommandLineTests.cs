using System.Diagnostics;
using CameraNet.DevStack;

namespace CameraNet.EndToEnd.Tests;

/// <summary>./cameranet as a user runs it.</summary>
public sealed class CommandLineTests
{
    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(Path.Combine(RepoPaths.Root, "cameranet")) { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment.Remove("CAMERANET_INVENTORY_URL");
        info.Environment.Remove("CAMERANET_API_KEY");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await errors);
    }

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
}
