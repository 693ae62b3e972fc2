using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Serialization;
using NotebookNet.Studio;

namespace NotebookNet.Tests.Studio;

/// <summary>
/// The studio on a real Kestrel at a free loopback port, under clients that misbehave: bounded in count and time, and
/// stopping by themselves. A normal client's predictions must succeed throughout.
/// </summary>
public class StudioAbuseTests(StudioFixture studio) : IClassFixture<StudioFixture>
{
    private byte[] CanvasJson(string? model = null) => JsonSerializer.SerializeToUtf8Bytes(
        new { width = 280, height = 280, rgba = Convert.ToBase64String(studio.Canvas(0)), model });

    private static async Task<(HttpStatusCode Status, float[] Probabilities)> Predict(HttpClient client, byte[] json)
    {
        var content = new ByteArrayContent(json);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await client.PostAsync("/api/predict", content);
        string body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? (response.StatusCode, JsonDocument.Parse(body).RootElement.GetProperty("probabilities").Deserialize<float[]>()!)
            : (response.StatusCode, []);
    }

    /// <summary>Whether the server has closed the connection (or answered and closed) within <paramref name="wait"/>.</summary>
    private static async Task<bool> ClosedByServer(TcpClient socket, TimeSpan wait)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(wait);
        if (!socket.Connected)
        {
            return true; // the server's reset has already reached this end
        }
        try
        {
            while (await socket.GetStream().ReadAsync(buffer, timeout.Token) > 0)
            {
                // a 408 or 400 answer before the close: keep reading to the end
            }
            return true;
        }
        catch (Exception error) when (error is IOException or InvalidOperationException)
        {
            return true; // reset by the server
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [Fact]
    public async Task SlowSilentAndOversizedClientsAreDroppedWhileANormalClientIsServed()
    {
        await using StudioServer server = await StudioServer.StartAsync(studio.Options);
        var address = new Uri(server.Url);
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(20) };

        // 10 that send a request line and then one header now and then (a "slowloris"), 10 that connect and say nothing.
        var slow = new List<TcpClient>();
        var silent = new List<TcpClient>();
        for (int i = 0; i < 10; i++)
        {
            var socket = new TcpClient();
            await socket.ConnectAsync(address.Host, address.Port);
            await socket.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"POST /api/predict HTTP/1.1\r\nHost: {address.Authority}\r\n"));
            slow.Add(socket);
            var quiet = new TcpClient();
            await quiet.ConnectAsync(address.Host, address.Port);
            silent.Add(quiet);
        }
        // Bodies just over the limit: announced (refused at once) and chunked without a length (refused when the limit passes).
        byte[] over = new byte[studio.Options.MaxBodyBytes + 1];
        var announced = new ByteArrayContent(over);
        announced.Headers.ContentType = new("application/json");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.PostAsync("/api/predict", announced)).StatusCode);
        var chunked = new StreamContent(new MemoryStream(over));
        chunked.Headers.ContentType = new("application/json");
        var unannounced = new HttpRequestMessage(HttpMethod.Post, "/api/predict") { Content = chunked };
        unannounced.Headers.TransferEncodingChunked = true;
        try
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.SendAsync(unannounced)).StatusCode);
        }
        catch (HttpRequestException)
        {
            // Also right: the server answered 413 and closed the connection while the client was still sending.
        }

        // While they hang on, a normal client is served, again and again, for longer than the header time-out.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int served = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(12))
        {
            foreach (TcpClient socket in slow)
            {
                try
                {
                    await socket.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"X-Slow-{served}: a\r\n")); // a header now and then
                }
                catch (Exception error) when (error is IOException or InvalidOperationException)
                {
                    // the server has dropped it already
                }
            }
            Assert.Equal(HttpStatusCode.OK, (await Predict(client, CanvasJson())).Status);
            served++;
            await Task.Delay(500);
        }
        Assert.True(served >= 10, $"only {served} predictions in 12 s");

        // Kestrel's request-header time-out (10 s) has closed every one of them.
        foreach (TcpClient socket in slow.Concat(silent))
        {
            Assert.True(await ClosedByServer(socket, TimeSpan.FromSeconds(8)), "a slow or silent connection is still open after the header time-out");
            socket.Dispose();
        }
        Assert.Equal(HttpStatusCode.OK, (await Predict(client, CanvasJson())).Status);
    }

    [Fact]
    public async Task AModelFileReplacedWhileServingIsPickedUpWholeOrNotAtAll()
    {
        // Two versions of one model file: the trained one, and the same network with its last layer's weights halved,
        // which answers with other probabilities. A writer swaps them, by rename and by rewriting in place in slow chunks.
        using var folder = new TempFolder();
        StudioOptions options = studio.Options with { ModelsFolder = folder.Path, DefaultModel = folder.File("digits.nnw") };
        SavedModel trained = new(studio.Trained.Classifier.Model, studio.Trained.Classifier.Input, new Dictionary<string, string>());
        byte[] first = Bytes(trained.Model, trained.Input);
        Sequential halved = ModelFile.Load(new MemoryStream(first)).Model;
        for (int i = 0; i < halved.Parameters[^2].Value.Length; i++)
        {
            halved.Parameters[^2].Value.Data[i] *= 0.5f;
        }
        byte[] second = Bytes(halved, trained.Input);
        Assert.Equal(first.Length, second.Length);

        await using StudioServer server = await StudioServer.StartAsync(options);
        using var client = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromSeconds(20) };
        byte[] json = CanvasJson("digits");
        File.WriteAllBytes(folder.File("digits.nnw"), first);
        float[] answerFirst = (await Predict(client, json)).Probabilities;
        AtomicFile.Write(folder.File("digits.nnw"), stream => stream.Write(second));
        float[] answerSecond = (await Predict(client, json)).Probabilities;
        Assert.NotEqual(answerFirst, answerSecond);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        Task writer = Task.Run(async () =>
        {
            for (int swap = 0; !stop.IsCancellationRequested; swap++)
            {
                byte[] next = swap % 2 == 0 ? first : second;
                if (swap % 4 < 2)
                {
                    AtomicFile.Write(folder.File("digits.nnw"), stream => stream.Write(next));
                }
                else
                {
                    await using var file = new FileStream(folder.File("digits.nnw"), FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
                    for (int at = 0; at < next.Length; at += next.Length / 4 + 1)
                    {
                        await file.WriteAsync(next.AsMemory(at, Math.Min(next.Length / 4 + 1, next.Length - at)));
                        await file.FlushAsync();
                        await Task.Delay(15);
                    }
                }
                await Task.Delay(20);
            }
        });
        int[] seen = new int[2];
        await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                (HttpStatusCode status, float[] probabilities) = await Predict(client, json);
                Assert.Equal(HttpStatusCode.OK, status);
                bool isFirst = probabilities.SequenceEqual(answerFirst), isSecond = probabilities.SequenceEqual(answerSecond);
                Assert.True(isFirst || isSecond, $"an answer from neither version of the model: {string.Join(", ", probabilities)}");
                Interlocked.Increment(ref seen[isFirst ? 0 : 1]);
            }
        }));
        await writer;
        Assert.True(seen[0] > 0 && seen[1] > 0, $"answers from the first version {seen[0]}, from the second {seen[1]}: both should be served");
    }

    private static byte[] Bytes(Sequential model, ModelInput? input)
    {
        using var buffer = new MemoryStream();
        ModelFile.Save(model, buffer, input);
        return buffer.ToArray();
    }
}
