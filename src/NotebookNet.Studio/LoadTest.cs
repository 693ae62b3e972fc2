using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;

namespace NotebookNet.Studio;

/// <summary>What a load test measured: every request's round trip, the failures, and the wall-clock time.</summary>
/// <param name="Clients">Concurrent clients.</param>
/// <param name="Requests">Requests sent in all.</param>
/// <param name="Errors">Requests that failed or did not answer 200.</param>
/// <param name="Seconds">Wall-clock time of the whole run.</param>
/// <param name="Milliseconds">Each successful request's round trip, sorted.</param>
public sealed record LoadResult(int Clients, int Requests, int Errors, double Seconds, double[] Milliseconds)
{
    /// <summary>What the first failed requests got: a status code and its body, or the exception's message.</summary>
    public IReadOnlyList<string> FirstErrors { get; init; } = [];

    /// <summary>Successful predictions per second over the run.</summary>
    public double PerSecond => (Requests - Errors) / Seconds;

    /// <summary>The round trip that <paramref name="fraction"/> of the requests beat (0.5: the median).</summary>
    public double Percentile(double fraction) =>
        Milliseconds.Length == 0 ? double.NaN : Milliseconds[Math.Min(Milliseconds.Length - 1, (int)(fraction * Milliseconds.Length))];
}

/// <summary>
/// Several clients posting the same canvas to <c>/api/predict</c> at once, as fast as answers come: the studio's
/// throughput and latency, for <c>bench</c> (workload W6) and the tests. Bounded in count; meant for loopback.
/// </summary>
public static class LoadTest
{
    /// <summary>Runs <paramref name="clients"/> × <paramref name="requestsPerClient"/> predictions of <paramref name="canvasJson"/>.</summary>
    public static async Task<LoadResult> RunAsync(HttpClient client, byte[] canvasJson, int clients, int requestsPerClient)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerClient);
        return await RunAsync(client, canvasJson, clients, (sent, _) => sent < requestsPerClient);
    }

    /// <summary>Runs <paramref name="clients"/> clients predicting <paramref name="canvasJson"/> back to back for <paramref name="duration"/>.</summary>
    public static async Task<LoadResult> RunForAsync(HttpClient client, byte[] canvasJson, int clients, TimeSpan duration) =>
        await RunAsync(client, canvasJson, clients, (_, elapsed) => elapsed < duration);

    private static async Task<LoadResult> RunAsync(HttpClient client, byte[] canvasJson, int clients, Func<int, TimeSpan, bool> more)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clients);
        var latencies = new ConcurrentBag<double>();
        var firstErrors = new ConcurrentQueue<string>();
        int errors = 0, requests = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            for (int i = 0; more(i, clock.Elapsed); i++)
            {
                Interlocked.Increment(ref requests);
                var content = new ByteArrayContent(canvasJson);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using HttpResponseMessage response = await client.PostAsync("/api/predict", content);
                    byte[] body = await response.Content.ReadAsByteArrayAsync();
                    if (response.IsSuccessStatusCode)
                    {
                        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                    else
                    {
                        Interlocked.Increment(ref errors);
                        Note(firstErrors, $"{(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200))}");
                    }
                }
                catch (HttpRequestException error)
                {
                    Interlocked.Increment(ref errors);
                    Note(firstErrors, $"{error.GetType().Name}: {error.Message} {error.InnerException?.Message}");
                }
            }
        }));
        return new LoadResult(clients, requests, errors, clock.Elapsed.TotalSeconds, latencies.Order().ToArray()) { FirstErrors = firstErrors.ToArray() };
    }

    private static void Note(ConcurrentQueue<string> errors, string error)
    {
        if (errors.Count < 5)
        {
            errors.Enqueue(error);
        }
    }
}
