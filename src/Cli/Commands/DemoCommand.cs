using System.CommandLine;
using CameraNet.Cli.Demo;

namespace CameraNet.Cli.Commands;

public static class DemoCommand
{
    public static Command Create()
    {
        var seconds = new Option<int?>("--for") { Description = "Stop after this many seconds and print a JSON summary as the last line" };
        var command = new Command("demo", "Run the whole system on this machine with simulated cameras and the Tianjin sample data") { seconds };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var duration = parse.GetValue(seconds);
            if (duration is <= 0)
            {
                throw new CliException("--for needs a positive number of seconds", 2);
            }

            var runner = new DemoRunner(Console.Out);
            var summary = await runner.RunAsync(duration is { } s ? TimeSpan.FromSeconds(s) : null, cancellationToken);
            Console.Out.WriteLine(DemoRunner.ToJson(summary));
            return summary.Errors.Count == 0 ? 0 : 1;
        });
        return command;
    }
}
