using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using NotebookNet.Preprocessing;
using NotebookNet.Serialization;
using NotebookNet.Studio;
using NotebookNet.Tests.Preprocessing;

namespace NotebookNet.Tests.Studio;

/// <summary>A studio hosted in memory over a models folder holding one small trained model.</summary>
public sealed class StudioFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private WebApplication? _app;

    public ClassifierFixture Trained { get; } = new();

    public string Examples => _folder.File("examples");

    public string Models => _folder.File("models");

    public HttpClient Client { get; private set; } = null!;

    public StudioOptions Options => new() { ModelsFolder = Models, ExamplesFolder = Examples, MaxBodyBytes = 1_000_000, MaxCanvasSide = 1024 };

    /// <summary>MNIST test digit <paramref name="index"/> drawn dark on white on a 280×280 canvas, as RGBA bytes.</summary>
    public byte[] Canvas(int index)
    {
        GrayImage sheet = Pictures.OnPaper(Pictures.Mnist(Trained.Test, index), 280, 280, 40, 40, 200);
        var rgba = new byte[280 * 280 * 4];
        for (int i = 0; i < sheet.Pixels.Length; i++)
        {
            byte v = (byte)Math.Round(255 * sheet.Pixels[i]);
            (rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3]) = (v, v, v, 255);
        }
        return rgba;
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Models);
        ModelFile.Save(Trained.Classifier.Model, Path.Combine(Models, "mlp.nnw"), Trained.Classifier.Input,
            new Dictionary<string, string> { ["test-accuracy"] = "0.9312", ["recipe"] = "w1" });
        File.WriteAllBytes(Path.Combine(Models, "damaged.nnw"), [1, 2, 3]);
        _app = StudioApp.Create(Options, builder => builder.WebHost.UseTestServer());
        await _app.StartAsync();
        Client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        _folder.Dispose();
    }
}

public class StudioTests(StudioFixture studio) : IClassFixture<StudioFixture>
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private byte[] Canvas(int index) => studio.Canvas(index);

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body, Web), Encoding.UTF8, "application/json");

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string route, HttpContent content)
    {
        HttpResponseMessage response = await studio.Client.PostAsync(route, content);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task ThePageIsServedWithItsCanvasAndNoOutsideScripts()
    {
        string page = await studio.Client.GetStringAsync("/");
        Assert.Contains("<canvas id=\"pad\"", page);
        Assert.Contains("/api/predict", page);
        Assert.DoesNotContain("https://", page);   // no CDN: everything comes from the studio
    }

    [Fact]
    public async Task ModelsAreListedWithTheirRecordedAccuracyAndDamagedOnesWithTheProblem()
    {
        JsonElement models = (await studio.Client.GetFromJsonAsync<JsonElement>("/api/models")).GetProperty("models");
        JsonElement mlp = models.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "mlp");
        Assert.Equal(0.9312f, mlp.GetProperty("testAccuracy").GetSingle(), 4);
        JsonElement damaged = models.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "damaged");
        Assert.False(string.IsNullOrEmpty(damaged.GetProperty("problem").GetString()));
    }

    [Fact]
    public async Task ACanvasIsReadAsTheModelReadsTheSameDigitWithSaliencyAndInput()
    {
        int same = 0;
        for (int index = 0; index < 10; index++)
        {
            var (status, body) = await Post("/api/predict", Json(new { width = 280, height = 280, rgba = Convert.ToBase64String(Canvas(index)) }));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(body.GetProperty("found").GetBoolean());
            float[] probabilities = body.GetProperty("probabilities").Deserialize<float[]>()!;
            Assert.Equal(10, probabilities.Length);
            Assert.Equal(1f, probabilities.Sum(), 3);
            Assert.Equal(3, body.GetProperty("top").GetArrayLength());
            float[] input = body.GetProperty("input").Deserialize<float[]>()!;
            float[] saliency = body.GetProperty("saliency").Deserialize<float[]>()!;
            Assert.Equal((784, 784), (input.Length, saliency.Length));
            Assert.Equal(1f, saliency.Max(MathF.Abs), 4);
            var direct = studio.Trained.Classifier.Predict(new PreprocessedDigit { Found = true, Image = Pictures.Mnist(studio.Trained.Test, index) });
            same += body.GetProperty("digit").GetInt32() == direct.Digit ? 1 : 0;
        }
        Assert.True(same >= 9, $"{same} of 10 canvases read as the model reads the digits themselves");
    }

    [Fact]
    public async Task APngBodyWithStepsReturnsEveryPreprocessingStep()
    {
        byte[] png = ImageDecoder.EncodePng(Canvas(3), 280, 280);
        var content = new ByteArrayContent(png);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var (status, body) = await Post("/api/predict?steps=true&model=mlp", content);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("steps").GetArrayLength() >= 5);
        Assert.StartsWith("data:image/png;base64,", body.GetProperty("steps")[0].GetProperty("png").GetString());
        Assert.Equal("mlp", body.GetProperty("model").GetString());
    }

    [Fact]
    public async Task ABlankCanvasIsNotFoundWithTheReasonNotAnError()
    {
        byte[] white = Enumerable.Repeat((byte)255, 100 * 100 * 4).ToArray();
        var (status, body) = await Post("/api/predict", Json(new { width = 100, height = 100, rgba = Convert.ToBase64String(white) }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("found").GetBoolean());
        Assert.Contains("blank", body.GetProperty("problem").GetString());
    }

    public static TheoryData<string, string, HttpStatusCode, string> BadRequests => new()
    {
        { "text/plain", "hello", HttpStatusCode.UnsupportedMediaType, "not a drawing" },
        { "application/json", "{\"width\": 10, \"height\":", HttpStatusCode.BadRequest, "malformed" },
        { "application/json", "{\"width\": 10, \"height\": 10, \"rgba\": \"AAAA\"}", HttpStatusCode.BadRequest, "width × height × 4" },
        { "application/json", "{\"width\": 0, \"height\": 0, \"rgba\": \"\"}", HttpStatusCode.BadRequest, "0×0 canvas" },
        { "application/json", "{\"width\": 100000, \"height\": 1, \"rgba\": \"\"}", HttpStatusCode.BadRequest, "100000×1 canvas" },
        { "application/json", "{\"width\": 2, \"height\": 2, \"rgba\": \"not base64!\"}", HttpStatusCode.BadRequest, "base64" },
        { "application/json", "{\"width\": 2, \"height\": 2}", HttpStatusCode.BadRequest, "needs width, height and rgba" },
        { "image/png", "not a png at all", HttpStatusCode.BadRequest, "the uploaded picture" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadInputGetsAJsonErrorWithAFittingStatusAndTheStudioKeepsServing(string type, string body, HttpStatusCode expected, string named)
    {
        var (status, answer) = await Post("/api/predict", new StringContent(body, Encoding.UTF8, type));
        Assert.Equal(expected, status);
        Assert.Contains(named, answer.GetProperty("error").GetString());
        var (after, _) = await Post("/api/predict", Json(new { width = 280, height = 280, rgba = Convert.ToBase64String(Canvas(0)) }));
        Assert.Equal(HttpStatusCode.OK, after);
    }

    [Fact]
    public async Task ABodyOverTheLimitIs413AndAnUnknownModel404()
    {
        var big = new ByteArrayContent(new byte[studio.Options.MaxBodyBytes + 1]);
        big.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Post("/api/predict", big)).Status);
        var (status, body) = await Post("/api/predict?model=nonexistent", Json(new { width = 280, height = 280, rgba = Convert.ToBase64String(Canvas(0)) }));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("no model named 'nonexistent'", body.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Post("/api/predict?model=damaged", Json(new { width = 280, height = 280, rgba = Convert.ToBase64String(Canvas(0)) }))).Status);
    }

    [Fact]
    public async Task ExamplesAreSavedUnderTheirLabelWithoutOverwritingAndBadLabelsRefused()
    {
        string rgba = Convert.ToBase64String(Canvas(1));
        var (first, saved) = await Post("/api/examples", Json(new { width = 280, height = 280, rgba, label = 2 }));
        var (second, savedAgain) = await Post("/api/examples", Json(new { width = 280, height = 280, rgba, label = 2 }));
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first, second));
        string path = saved.GetProperty("path").GetString()!, otherPath = savedAgain.GetProperty("path").GetString()!;
        Assert.NotEqual(path, otherPath);
        Assert.Equal(Path.Combine(studio.Examples, "2"), Path.GetDirectoryName(path));
        Assert.True(File.Exists(path) && File.Exists(otherPath));
        Assert.Equal((280, 280), (ImageDecoder.Load(path).Width, ImageDecoder.Load(path).Height));
        // The saved folder is a data set the library reads: <label>/<file>.png.
        Assert.Equal(2, Directory.GetFiles(Path.Combine(studio.Examples, "2")).Length);

        foreach (int label in new[] { -1, 10 })
        {
            var (status, body) = await Post("/api/examples", Json(new { width = 280, height = 280, rgba, label }));
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains("not a digit 0-9", body.GetProperty("error").GetString());
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await Post("/api/examples", Json(new { width = 280, height = 280, rgba }))).Status);
    }

    [Fact]
    public async Task AClientThatDisconnectsMidRequestLeavesTheServerServing()
    {
        // A real Kestrel on a free loopback port, and a raw socket that promises a body and hangs up halfway.
        await using StudioServer server = await StudioServer.StartAsync(studio.Options);
        var address = new Uri(server.Url);
        for (int i = 0; i < 3; i++)
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(address.Host, address.Port);
            NetworkStream stream = socket.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /api/predict HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"width\": 280, "));
            await stream.FlushAsync();
            socket.Client.Shutdown(SocketShutdown.Both);
        }
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(20) };
        HttpResponseMessage response = await client.PostAsync("/api/predict", Json(new { width = 280, height = 280, rgba = Convert.ToBase64String(Canvas(0)) }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

public class StudioLoadTests(StudioFixture studio) : IClassFixture<StudioFixture>
{
    [Fact]
    public async Task ConcurrentClientsOnLoopbackGetEveryAnswerWithoutAnError()
    {
        // Bounded: 4 clients × 50 canvases on a real Kestrel at a free loopback port (bench W6 runs 4 × 500).
        await using StudioServer server = await StudioServer.StartAsync(studio.Options);
        using var client = new HttpClient { BaseAddress = new Uri(server.Url) };
        byte[] canvas = JsonSerializer.SerializeToUtf8Bytes(new { width = 280, height = 280, rgba = Convert.ToBase64String(studio.Canvas(0)) });
        LoadResult result = await LoadTest.RunAsync(client, canvas, clients: 4, requestsPerClient: 50);
        Assert.True(result.Errors == 0, $"{result.Errors} of {result.Requests} failed; the first: {string.Join(" | ", result.FirstErrors)}");
        Assert.Equal(200, result.Milliseconds.Length);
        Assert.True(result.PerSecond > 0 && result.Percentile(0.99) >= result.Percentile(0.5));
    }
}
