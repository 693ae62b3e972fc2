using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Preprocessing;
using NotebookNet.Visualization;

namespace NotebookNet.Studio;

/// <summary>One of the three most likely digits.</summary>
public sealed record Guess(int Digit, float Probability);

/// <summary>One preprocessing step as the page shows it: a PNG data URL.</summary>
public sealed record StepImage(string Name, string Description, string Png);

/// <summary>
/// The answer to <c>POST /api/predict</c>. <see cref="Input"/> is the 28×28 image the network received (row by row,
/// 0 = paper, 1 = ink); <see cref="Saliency"/> is the gradient of the predicted digit's score with respect to that input,
/// scaled so its largest magnitude is 1.
/// </summary>
public sealed record PredictionAnswer(bool Found, string? Problem, int? Digit, float? Probability, float[]? Probabilities,
    Guess[]? Top, float[] Input, float[]? Saliency, string Model, double Milliseconds, StepImage[]? Steps);

/// <summary>A refused request's body.</summary>
public sealed record ErrorAnswer(string Error);

/// <summary>The answer to <c>POST /api/examples</c>: where the labelled drawing was saved.</summary>
public sealed record SavedExample(int Label, string Path);

/// <summary>
/// The drawing studio: a page where the reader draws a digit and watches the network answer, and the JSON API behind it
/// (<c>POST /api/predict</c>, <c>GET /api/models</c>, <c>POST /api/examples</c>), served by ASP.NET Core from this
/// assembly alone — no CDN, no script fetched at run time.
/// </summary>
public static class StudioApp
{
    /// <summary>
    /// The studio as a web application, not yet started. Kestrel's limits drop slow and oversized requests;
    /// <paramref name="configure"/> may change the builder (the tests host it in memory).
    /// </summary>
    public static WebApplication Create(StudioOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Limits against clients that hold connections without sending a request: a slow trickle of headers, a
            // connection that says nothing, a body that crawls. The studio answers one person; none of these is them.
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 1024, gracePeriod: TimeSpan.FromSeconds(5));
            kestrel.Limits.MaxConcurrentConnections = 256;
        });
        configure?.Invoke(builder);
        WebApplication app = builder.Build();
        Map(app, options);
        return app;
    }

    /// <summary>Adds the page and the API to <paramref name="routes"/>.</summary>
    public static void Map(IEndpointRouteBuilder routes, StudioOptions options)
    {
        var catalog = new ModelCatalog(options);
        string page = ReadPage();
        routes.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        routes.MapGet("/api/models", () => Results.Json(new { models = catalog.List() }));
        // Typed as handlers that return a result, so the result is written (not a bare RequestDelegate).
        routes.MapPost("/api/predict", (Func<HttpContext, Task<IResult>>)(context => Answer(context, async () =>
        {
            DrawingRequest request = await DrawingRequest.ReadAsync(context.Request, options, context.RequestAborted);
            return Results.Json(Predict(catalog, request));
        })));
        routes.MapPost("/api/examples", (Func<HttpContext, Task<IResult>>)(context => Answer(context, async () =>
        {
            DrawingRequest request = await DrawingRequest.ReadAsync(context.Request, options, context.RequestAborted);
            SavedExample saved = SaveExample(options.ExamplesFolder, request);
            return Results.Json(saved, statusCode: StatusCodes.Status201Created);
        })));
    }

    /// <summary>Classifies a drawing with the chosen model and explains the answer.</summary>
    public static PredictionAnswer Predict(ModelCatalog catalog, DrawingRequest request)
    {
        LoadedModel model;
        try
        {
            model = catalog.Get(request.Model);
        }
        catch (KeyNotFoundException error)
        {
            throw new StudioError(404, error.Message);
        }
        var clock = Stopwatch.StartNew();
        Prediction prediction;
        float[]? saliency = null;
        lock (model.Gate)
        {
            prediction = model.Classifier.Predict(request.Picture, request.Steps);
            if (prediction.Found)
            {
                saliency = Normalised(model.Classifier.Saliency(prediction));
            }
        }
        StepImage[]? steps = request.Steps
            ? prediction.Input.Steps.Select(step => new StepImage(step.Name, step.Description, DataUrl(step.Image))).ToArray()
            : null;
        return new PredictionAnswer(prediction.Found, prediction.Input.Problem, prediction.Found ? prediction.Digit : null,
            prediction.Found ? prediction.Probability : null, prediction.Found ? prediction.Probabilities : null,
            prediction.Found ? prediction.Top(3).Select(t => new Guess(t.Digit, t.Probability)).ToArray() : null,
            prediction.Input.Image.Pixels, saliency, model.Entry.Name, clock.Elapsed.TotalMilliseconds, steps);
    }

    /// <summary>
    /// Saves a labelled drawing as <c>&lt;folder&gt;/&lt;label&gt;/&lt;time&gt;.png</c> (a JPEG keeps its bytes and its
    /// extension), atomically, never replacing a file: a name already taken gets a counter.
    /// </summary>
    public static SavedExample SaveExample(string folder, DrawingRequest request)
    {
        if (request.Label is not int label || label is < 0 or > 9)
        {
            throw new StudioError(400, request.Label is null ? "an example needs its label, a digit 0-9" : $"label {request.Label} is not a digit 0-9");
        }
        bool jpeg = request.ImageBytes is [0xFF, 0xD8, ..];
        byte[] bytes = request.Rgba is not null ? ImageDecoder.EncodePng(request.Rgba, request.Width, request.Height)
            : request.ImageBytes ?? throw new StudioError(400, "there is no drawing to save");
        string stem = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture);
        for (int attempt = 0; ; attempt++)
        {
            string path = Path.Combine(folder, label.ToString(CultureInfo.InvariantCulture), $"{stem}{(attempt == 0 ? "" : $"-{attempt}")}{(jpeg ? ".jpg" : ".png")}");
            try
            {
                AtomicFile.Write(path, stream => stream.Write(bytes), overwrite: false);
                return new SavedExample(label, path);
            }
            catch (IOException) when (File.Exists(path) && attempt < 1000)
            {
                // Taken by another save in the same millisecond: try the next name.
            }
        }
    }

    private static async Task<IResult> Answer(HttpContext context, Func<Task<IResult>> handle)
    {
        try
        {
            return await handle();
        }
        catch (StudioError error)
        {
            return Results.Json(new ErrorAnswer(error.Message), statusCode: error.Status);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException error)
        {
            // Kestrel's own limits: a body over the size limit (413), a client sending too slowly (408).
            return Results.Json(new ErrorAnswer(error.Message), statusCode: error.StatusCode);
        }
        catch (Exception error) when (context.RequestAborted.IsCancellationRequested && error is OperationCanceledException or IOException)
        {
            return Results.Empty;   // the client went away mid-request; nobody is left to answer
        }
        catch (Exception error)
        {
            return Results.Json(new ErrorAnswer($"the studio failed on this request ({error.GetType().Name}: {error.Message}); it keeps serving"),
                statusCode: StatusCodes.Status500InternalServerError);
        }
    }

    private static float[] Normalised(float[] values)
    {
        float largest = values.Max(MathF.Abs);
        return largest > 0 ? values.Select(v => v / largest).ToArray() : values;
    }

    private static string DataUrl(GrayImage image) =>
        "data:image/png;base64," + Convert.ToBase64String(Png.EncodeGray(image.ToBytes(), image.Width, image.Height));

    private static string ReadPage()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("studio.html")
            ?? throw new InvalidOperationException("the studio page is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
