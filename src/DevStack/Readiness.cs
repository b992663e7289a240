namespace CameraNet.DevStack;

public static class Readiness
{
    /// <summary>
    /// Polls <paramref name="probe"/> until it says ready, the deadline passes, or the server process
    /// exits (then waiting longer is pointless). Exceptions from the probe count as "not yet".
    /// </summary>
    public static async Task<bool> WaitAsync(Func<CancellationToken, Task<bool>> probe, ChildProcess server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !server.HasExited)
        {
            try
            {
                if (await probe(cancellationToken))
                {
                    return true;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // not up yet
            }

            await Task.Delay(100, cancellationToken);
        }

        return false;
    }
}
