using System.Diagnostics;
using System.Text.Json;
using CameraNet.DevStack;

namespace CameraNet.DevStack.Tests;

/// <summary>What a killed test run or demo leaves behind is found and removed by PID file, never by process name.</summary>
public sealed class RunDirectoryTests : IDisposable
{
    private readonly string _parent = Path.Combine(Path.GetTempPath(), "cameranet-rundir-tests-" + Guid.NewGuid().ToString("N"));
    private readonly List<Process> _spawned = [];

    private Process Sleeper()
    {
        var process = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        _spawned.Add(process);
        return process;
    }

    private void WriteStaleRun(string name, int ownerPid, long ownerStart, params (int Pid, long Start)[] children)
    {
        var dir = Path.Combine(_parent, name);
        Directory.CreateDirectory(Path.Combine(dir, "pids"));
        File.WriteAllText(Path.Combine(dir, "owner.json"), JsonSerializer.Serialize(new RunDirectory.OwnerRecord(ownerPid, ownerStart, DateTimeOffset.UtcNow, "test")));
        foreach (var (pid, start) in children)
        {
            File.WriteAllText(Path.Combine(dir, "pids", $"{pid}.json"), JsonSerializer.Serialize(new RunDirectory.ChildRecord(pid, start, "sleeper", "sleep 300")));
        }
    }

    private static (int Pid, long Start) DeadProcess()
    {
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        gone.WaitForExit();
        return (gone.Id, 12345);
    }

    [Fact]
    public async Task A_dead_owners_children_are_killed_and_its_directory_removed()
    {
        var child = Sleeper();
        var (deadOwner, deadStart) = DeadProcess();
        WriteStaleRun("stale", deadOwner, deadStart, (child.Id, Posix.StartTicks(child.Id)!.Value));

        (await RunDirectory.CleanStaleAsync(_parent)).ShouldBe(1);

        child.WaitForExit(5000).ShouldBeTrue("the recorded child was killed");
        Directory.Exists(Path.Combine(_parent, "stale")).ShouldBeFalse();
    }

    [Fact]
    public async Task A_live_owners_directory_and_children_are_left_alone()
    {
        var child = Sleeper();
        var self = Environment.ProcessId;
        WriteStaleRun("alive", self, Posix.StartTicks(self)!.Value, (child.Id, Posix.StartTicks(child.Id)!.Value));

        (await RunDirectory.CleanStaleAsync(_parent)).ShouldBe(0);

        child.HasExited.ShouldBeFalse();
        Directory.Exists(Path.Combine(_parent, "alive")).ShouldBeTrue();
    }

    [Fact]
    public async Task A_recorded_pid_now_used_by_another_process_is_not_killed()
    {
        // The PID file names a child that has since exited; the kernel gave its PID to an unrelated
        // process. Its start time differs, so cleaning must spare it.
        var unrelated = Sleeper();
        var (deadOwner, deadStart) = DeadProcess();
        WriteStaleRun("reused", deadOwner, deadStart, (unrelated.Id, Posix.StartTicks(unrelated.Id)!.Value - 1));

        await RunDirectory.CleanStaleAsync(_parent);

        unrelated.HasExited.ShouldBeFalse();
        Directory.Exists(Path.Combine(_parent, "reused")).ShouldBeFalse();
    }

    [Fact]
    public async Task Children_are_recorded_while_they_run_and_stopped_with_their_directory()
    {
        var run = await RunDirectory.CreateAsync(_parent, "owned", "test");
        var child = ChildProcess.Start(new ChildSpec { Name = "sleeper", FileName = "/bin/sleep", Arguments = ["300"] }, run);
        File.Exists(Path.Combine(run.Path, "pids", $"{child.Pid}.json")).ShouldBeTrue();
        Posix.IsAlive(child.Pid, child.StartTicks).ShouldBeTrue();

        await run.DisposeAsync();

        Posix.IsAlive(child.Pid, child.StartTicks).ShouldBeFalse();
        Directory.Exists(run.Path).ShouldBeFalse();
    }

    [Fact]
    public async Task A_fixed_run_directory_in_use_by_a_live_owner_is_not_taken_over()
    {
        await using var first = await RunDirectory.CreateAsync(_parent, "demo", "first demo", fixedName: true);
        var again = await Should.ThrowAsync<InvalidOperationException>(() => RunDirectory.CreateAsync(_parent, "demo", "second demo", fixedName: true));
        again.Message.ShouldContain("in use");
    }

    public void Dispose()
    {
        foreach (var p in _spawned.Where(p => !p.HasExited))
        {
            p.Kill();
        }

        if (Directory.Exists(_parent))
        {
            Directory.Delete(_parent, recursive: true);
        }
    }
}
