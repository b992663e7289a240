using System.Globalization;

namespace CameraNet.Ingest.Fleet;

/// <summary>CPU and memory of this worker and of the ffmpeg processes it started, read from /proc (Linux).</summary>
public static class WorkerResources
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public readonly record struct Usage(double WorkerCpuSeconds, double ChildCpuSeconds, long WorkerPssBytes, long ChildPssBytes, int Children);

    public static Usage Read()
    {
        var self = Environment.ProcessId;
        var (selfCpu, reapedChildren) = Cpu(self);
        double childCpu = reapedChildren;
        long childPss = 0;
        var children = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == self)
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) != self)
                {
                    continue;
                }

                children++;
                childCpu += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
                childPss += Pss(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended while we looked.
            }
        }

        return new Usage(selfCpu, childCpu, Pss(self), childPss, children);
    }

    /// <summary>This process's CPU seconds, and those of its children that have exited and been waited for.</summary>
    private static (double Own, double Reaped) Cpu(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var own = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        var reaped = long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        return (own / TicksPerSecond, reaped / TicksPerSecond);
    }

    /// <summary>Proportional set size in bytes: private memory plus a fair share of shared pages.</summary>
    public static long Pss(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
            {
                if (line.StartsWith("Pss:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(4).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return 0;
    }
}
