namespace CameraNet.Ingest.Fleet;

/// <summary>
/// Rendezvous (highest-random-weight) hashing: a camera belongs to the live worker with the highest
/// hash of (worker, camera). Every worker computes the same answer from the same list of live workers,
/// with no coordinator; when a worker joins or leaves, only the cameras it wins or held move.
/// </summary>
public static class Rendezvous
{
    public static string Owner(string cameraId, IReadOnlyList<string> workers)
    {
        if (workers.Count == 0)
        {
            throw new ArgumentException("no live workers", nameof(workers));
        }

        var best = workers[0];
        var bestWeight = Weight(best, cameraId);
        for (var i = 1; i < workers.Count; i++)
        {
            var weight = Weight(workers[i], cameraId);
            if (weight > bestWeight || (weight == bestWeight && string.CompareOrdinal(workers[i], best) < 0))
            {
                best = workers[i];
                bestWeight = weight;
            }
        }

        return best;
    }

    /// <summary>FNV-1a over both IDs, then the SplitMix64 finaliser: stable across processes, machines and .NET versions.</summary>
    public static ulong Weight(string worker, string camera)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in worker)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash = (hash ^ 0xFFFF) * 1099511628211UL; // separator: ("ab","c") and ("a","bc") differ
        foreach (var c in camera)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash ^= hash >> 30;
        hash *= 0xBF58476D1CE4E5B9UL;
        hash ^= hash >> 27;
        hash *= 0x94D049BB133111EBUL;
        return hash ^ (hash >> 31);
    }
}
