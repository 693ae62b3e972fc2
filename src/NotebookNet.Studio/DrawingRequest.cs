using System.Text.Json;
using Microsoft.AspNetCore.Http;
using NotebookNet.Preprocessing;

namespace NotebookNet.Studio;

/// <summary>
/// A drawing sent to the studio: a PNG or JPEG body, or JSON <c>{width, height, rgba}</c> with the canvas's RGBA bytes
/// in base64 (as <c>getImageData</c> gives them). Optional fields: <c>model</c>, <c>steps</c> (return every preprocessing
/// step), <c>label</c> (for saving an example). The same fields may come as query parameters.
/// </summary>
public sealed record DrawingRequest(GrayImage Picture, byte[]? Rgba, int Width, int Height, byte[]? ImageBytes, string? Model, bool Steps, int? Label)
{
    private sealed record CanvasBody(int? Width, int? Height, string? Rgba, string? Model, bool? Steps, int? Label);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Reads and checks a request, refusing what cannot be a drawing with a <see cref="StudioError"/>.</summary>
    public static async Task<DrawingRequest> ReadAsync(HttpRequest request, StudioOptions options, CancellationToken cancellation)
    {
        byte[] body = await ReadBodyAsync(request, options.MaxBodyBytes, cancellation);
        string model = request.Query["model"].FirstOrDefault() ?? "";
        bool steps = request.Query["steps"].FirstOrDefault() is "true" or "1";
        int? label = ParseLabel(request.Query["label"].FirstOrDefault());
        string contentType = (request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        switch (contentType)
        {
            case "image/png" or "image/jpeg" or "image/jpg" or "image/webp" or "image/gif" or "image/bmp":
                if (body.Length == 0)
                {
                    throw new StudioError(400, "the body is empty: send the picture's bytes");
                }
                GrayImage picture;
                try
                {
                    picture = ImageDecoder.Decode(body, "the uploaded picture");
                }
                catch (InvalidDataException error)
                {
                    throw new StudioError(400, error.Message);
                }
                return new DrawingRequest(picture, null, picture.Width, picture.Height, body, NullIfEmpty(model), steps, label);
            case "application/json":
                return FromJson(body, options, NullIfEmpty(model), steps, label);
            default:
                throw new StudioError(415, $"content type '{request.ContentType}' is not a drawing: send image/png, image/jpeg, or application/json {{width, height, rgba}}");
        }
    }

    private static DrawingRequest FromJson(byte[] body, StudioOptions options, string? model, bool steps, int? label)
    {
        CanvasBody canvas;
        try
        {
            canvas = JsonSerializer.Deserialize<CanvasBody>(body, Json) ?? throw new StudioError(400, "the JSON body is null");
        }
        catch (JsonException error)
        {
            throw new StudioError(400, $"the JSON body is malformed: {error.Message}");
        }
        if (canvas.Width is not int width || canvas.Height is not int height || canvas.Rgba is null)
        {
            throw new StudioError(400, "the JSON body needs width, height and rgba (the canvas's RGBA bytes in base64)");
        }
        if (width < 1 || height < 1 || width > options.MaxCanvasSide || height > options.MaxCanvasSide)
        {
            throw new StudioError(400, $"a {width}×{height} canvas is outside 1…{options.MaxCanvasSide} pixels a side");
        }
        byte[] rgba;
        try
        {
            rgba = Convert.FromBase64String(canvas.Rgba);
        }
        catch (FormatException)
        {
            throw new StudioError(400, "rgba is not valid base64");
        }
        if (rgba.Length != (long)width * height * 4)
        {
            throw new StudioError(400, $"a {width}×{height} canvas has {(long)width * height * 4} RGBA bytes (width × height × 4), got {rgba.Length}");
        }
        GrayImage picture = ImageDecoder.FromRgba(rgba, width, height);
        return new DrawingRequest(picture, rgba, width, height, null, canvas.Model ?? model, canvas.Steps ?? steps, canvas.Label ?? label);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellation)
    {
        if (request.ContentLength > limit)
        {
            throw new StudioError(413, $"the body is {request.ContentLength:N0} bytes; the limit is {limit:N0}");
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellation)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new StudioError(413, $"the body is over the limit of {limit:N0} bytes");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static int? ParseLabel(string? text) =>
        text is null ? null : int.TryParse(text, out int label) ? label : throw new StudioError(400, $"label '{text}' is not a digit 0-9");

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;
}
