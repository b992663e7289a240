using CameraNet.DevStack;

namespace CameraNet.TestKit;

/// <summary>Run directories for test fixtures, under .cameranet/test-runs (stale ones from killed runs are cleaned first).</summary>
public static class TestRuns
{
    public static string Parent => Path.Combine(RepoPaths.DataDirectory, "test-runs");

    public static Task<RunDirectory> CreateAsync(string name) =>
        RunDirectory.CreateAsync(Parent, name, $"test fixture {name}", keep: Environment.GetEnvironmentVariable("CAMERANET_KEEP_TEST_RUNS") == "1");
}

/// <summary>Waiting for a condition with a deadline, instead of sleeping and hoping.</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await probe() is { } value)
                {
                    return value;
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                last = e;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0} s waiting for {what}" + (last is null ? string.Empty : $" (last error: {last.Message})"));
            }

            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; the last answer is returned (for assertions with their own message).</summary>
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan timeout, int pollMilliseconds = 100)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(pollMilliseconds, Xunit.TestContext.Current.CancellationToken);
        }

        return condition();
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        GetAsync<object>(() => Task.FromResult<object?>(condition() ? true : null), timeout, what);

    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        GetAsync<object>(async () => await condition() ? true : null, timeout, what);
}
