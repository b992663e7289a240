using System.Text.Json;

namespace CameraNet.DevStack;

/// <summary>
/// A working directory owned by one process, with a PID file for the owner and one per child it
/// starts. When an owner dies without cleaning up (kill -9, a killed test run), the next run finds
/// the directory, sees from the PID files that the owner is gone, kills the children it recorded
/// (checking PID and start time, never matching by process name) and deletes the directory.
/// </summary>
public sealed class RunDirectory : IAsyncDisposable
{
    private const string OwnerFile = "owner.json";
    private const string ChildrenDirectory = "pids";
    private readonly List<ChildProcess> _children = [];
    private readonly Lock _gate = new();
    private readonly bool _keep;

    private RunDirectory(string path, bool keep)
    {
        Path = path;
        _keep = keep;
    }

    public string Path { get; }

    public string LogDirectory => System.IO.Path.Combine(Path, "logs");

    public string Sub(string name)
    {
        var dir = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public record OwnerRecord(int Pid, long StartTicks, DateTimeOffset CreatedAt, string Purpose);

    public record ChildRecord(int Pid, long StartTicks, string Name, string Command);

    /// <summary>
    /// Creates a fresh run directory under <paramref name="parent"/>: a unique one named
    /// <c>{prefix}-{pid}-{n}</c>, or exactly <c>{prefix}</c> when <paramref name="fixedName"/> is set
    /// (the demo reuses one place, so a second demo finds and stops a stale first one).
    /// </summary>
    public static async Task<RunDirectory> CreateAsync(string parent, string prefix, string purpose, bool fixedName = false, bool keep = false)
    {
        Directory.CreateDirectory(parent);
        await CleanStaleAsync(parent);
        string path;
        if (fixedName)
        {
            path = System.IO.Path.Combine(parent, prefix);
            if (File.Exists(System.IO.Path.Combine(path, OwnerFile)) && ReadOwner(path) is { } owner && Posix.IsAlive(owner.Pid, owner.StartTicks))
            {
                throw new InvalidOperationException($"{path} is in use by running process {owner.Pid} ({owner.Purpose}); stop it first");
            }

            DeleteTree(path);
        }
        else
        {
            var n = 0;
            do
            {
                path = System.IO.Path.Combine(parent, $"{prefix}-{Environment.ProcessId}-{++n}");
            }
            while (Directory.Exists(path));
        }

        Directory.CreateDirectory(System.IO.Path.Combine(path, ChildrenDirectory));
        Directory.CreateDirectory(System.IO.Path.Combine(path, "logs"));
        var self = new OwnerRecord(Environment.ProcessId, Posix.StartTicks(Environment.ProcessId) ?? 0, DateTimeOffset.UtcNow, purpose);
        await File.WriteAllTextAsync(System.IO.Path.Combine(path, OwnerFile), JsonSerializer.Serialize(self));
        return new RunDirectory(path, keep);
    }

    /// <summary>Kills what dead owners left behind under <paramref name="parent"/> and removes their directories.</summary>
    public static async Task<int> CleanStaleAsync(string parent)
    {
        if (!Directory.Exists(parent))
        {
            return 0;
        }

        var cleaned = 0;
        foreach (var dir in Directory.GetDirectories(parent))
        {
            var owner = ReadOwner(dir);
            if (owner is null)
            {
                // No owner file: a directory whose creation was interrupted; old enough means abandoned.
                if (Directory.GetLastWriteTimeUtc(dir) < DateTime.UtcNow.AddMinutes(-10))
                {
                    DeleteTree(dir);
                }

                continue;
            }

            if (Posix.IsAlive(owner.Pid, owner.StartTicks))
            {
                continue;
            }

            await KillRecordedChildrenAsync(dir);
            DeleteTree(dir);
            cleaned++;
        }

        return cleaned;
    }

    private static OwnerRecord? ReadOwner(string dir)
    {
        try
        {
            return JsonSerializer.Deserialize<OwnerRecord>(File.ReadAllText(System.IO.Path.Combine(dir, OwnerFile)));
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task KillRecordedChildrenAsync(string dir)
    {
        var pids = System.IO.Path.Combine(dir, ChildrenDirectory);
        if (!Directory.Exists(pids))
        {
            return;
        }

        var alive = new List<ChildRecord>();
        foreach (var file in Directory.GetFiles(pids, "*.json"))
        {
            try
            {
                var child = JsonSerializer.Deserialize<ChildRecord>(await File.ReadAllTextAsync(file));
                if (child is not null && Posix.IsAlive(child.Pid, child.StartTicks))
                {
                    Posix.Signal(child.Pid, Posix.SigKill);
                    alive.Add(child);
                }
            }
            catch (JsonException)
            {
            }
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (alive.Exists(c => Posix.IsAlive(c.Pid, c.StartTicks)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    internal void Register(ChildProcess child)
    {
        var record = new ChildRecord(child.Pid, child.StartTicks, child.Name, child.CommandLine);
        File.WriteAllText(System.IO.Path.Combine(Path, ChildrenDirectory, $"{child.Pid}.json"), JsonSerializer.Serialize(record));
        lock (_gate)
        {
            _children.Add(child);
        }
    }

    internal void Unregister(ChildProcess child)
    {
        File.Delete(System.IO.Path.Combine(Path, ChildrenDirectory, $"{child.Pid}.json"));
        lock (_gate)
        {
            _children.Remove(child);
        }
    }

    /// <summary>Stops every child still running, newest first (apps before the servers they use).</summary>
    public async Task StopAllAsync()
    {
        List<ChildProcess> children;
        lock (_gate)
        {
            children = [.. _children];
        }

        children.Reverse();
        foreach (var child in children)
        {
            await child.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAllAsync();
        if (!_keep)
        {
            DeleteTree(Path);
        }
        else
        {
            File.Delete(System.IO.Path.Combine(Path, OwnerFile));
        }
    }

    private static void DeleteTree(string path)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(100); // a server that just exited may still be removing its socket files
            }
        }
    }
}
