using System.Collections.Concurrent;
using System.Diagnostics;

namespace CameraNet.DevStack;

/// <summary>What to start: program, arguments, environment, and how to stop it.</summary>
public sealed record ChildSpec
{
    public required string Name { get; init; }
    public required string FileName { get; init; }
    public IReadOnlyList<string> Arguments { get; init; } = [];
    public string? WorkingDirectory { get; init; }
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Run as this (unprivileged) user when we are root, e.g. postgres, which refuses to run as root.</summary>
    public string? RunAsUser { get; init; }

    /// <summary>Signal that asks the program to shut down cleanly (postgres: SIGINT = fast shutdown).</summary>
    public int StopSignal { get; init; } = Posix.SigTerm;
}

/// <summary>
/// A child process whose output goes to a log file, recorded in its <see cref="RunDirectory"/>,
/// and killed by the kernel if this process dies (PR_SET_PDEATHSIG via setpriv).
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly RunDirectory _run;
    private readonly int _stopSignal;
    private int _disposed;

    private ChildProcess(ChildSpec spec, Process process, RunDirectory run, string logFile)
    {
        Name = spec.Name;
        _process = process;
        _run = run;
        _stopSignal = spec.StopSignal;
        Pid = process.Id;
        StartTicks = Posix.StartTicks(Pid) ?? 0;
        LogFile = logFile;
        CommandLine = string.Join(' ', [spec.FileName, .. spec.Arguments]);
        Exited = process.WaitForExitAsync();
    }

    public string Name { get; }
    public int Pid { get; }
    public long StartTicks { get; }
    public string LogFile { get; }
    public string CommandLine { get; }

    /// <summary>Completes when the process exits, for whatever reason.</summary>
    public Task Exited { get; }

    public bool HasExited => _process.HasExited;
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public static ChildProcess Start(ChildSpec spec, RunDirectory run)
    {
        var logFile = Path.Combine(run.LogDirectory, spec.Name + ".log");
        var info = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = spec.WorkingDirectory ?? run.Path,
        };

        // sh (as us) opens the log and execs setsid (own session: a Ctrl-C in the terminal reaches only
        // us, and we stop children in order), which execs setpriv: it drops to the unprivileged user if
        // asked, sets the parent-death signal and execs the program. One PID from start to end.
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec setsid setpriv \"$@\" </dev/null >>\"$CAMERANET_CHILD_LOG\" 2>&1");
        info.ArgumentList.Add("sh");
        if (spec.RunAsUser is { } user && Posix.IsRoot)
        {
            info.ArgumentList.Add($"--reuid={user}");
            info.ArgumentList.Add($"--regid={user}");
            info.ArgumentList.Add("--init-groups");
        }

        info.ArgumentList.Add("--pdeathsig");
        info.ArgumentList.Add("KILL");
        info.ArgumentList.Add("--");
        info.ArgumentList.Add(spec.FileName);
        foreach (var argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in spec.Environment)
        {
            info.Environment[key] = value;
        }

        info.Environment["CAMERANET_CHILD_LOG"] = logFile;
        var process = Launcher.Start(info);
        var child = new ChildProcess(spec, process, run, logFile);
        run.Register(child);
        return child;
    }

    /// <summary>The last lines of the log, for error messages.</summary>
    public string Tail(int lines = 15)
    {
        try
        {
            return string.Join('\n', File.ReadLines(LogFile).TakeLast(lines));
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>Asks the process to stop, waits up to <paramref name="grace"/>, then kills it.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            Posix.Signal(Pid, _stopSignal);
            try
            {
                await Exited.WaitAsync(grace);
            }
            catch (TimeoutException)
            {
                _process.Kill();
                await Exited;
            }
        }
    }

    /// <summary>Kills the process at once (SIGKILL), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await Exited;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopAsync(TimeSpan.FromSeconds(15));
        _run.Unregister(this);
        _process.Dispose();
    }

    /// <summary>
    /// Starts processes from one long-lived thread. The parent-death signal fires when the *thread*
    /// that forked the child exits, so forking from pool threads (which come and go) would kill
    /// children at random; this thread lives as long as the process.
    /// </summary>
    private static class Launcher
    {
        private static readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Done)> Requests = [];

        static Launcher()
        {
            var thread = new Thread(() =>
            {
                foreach (var (info, done) in Requests.GetConsumingEnumerable())
                {
                    try
                    {
                        done.SetResult(Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}"));
                    }
                    catch (Exception e)
                    {
                        done.SetException(e);
                    }
                }
            })
            {
                IsBackground = true,
                Name = "child-process-launcher",
            };
            thread.Start();
        }

        public static Process Start(ProcessStartInfo info)
        {
            var done = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
            Requests.Add((info, done));
            return done.Task.GetAwaiter().GetResult();
        }
    }
}

public static class ChildProcessExtensions
{
    /// <summary>Runs a short command to completion; throws with the end of its log when it fails.</summary>
    public static async Task RunToCompletionAsync(this RunDirectory run, ChildSpec spec, TimeSpan timeout)
    {
        await using var child = ChildProcess.Start(spec, run);
        try
        {
            await child.Exited.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{spec.Name} did not finish within {timeout.TotalSeconds:0} s:\n{child.Tail()}");
        }

        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"{spec.Name} failed with exit code {child.ExitCode}:\n{child.Tail()}");
        }
    }
}
