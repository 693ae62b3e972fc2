using System.Net;
using System.Net.Sockets;

namespace NotebookNet.Tests.Data;

/// <summary>A tiny HTTP server on 127.0.0.1 that serves the .gz files of one folder, for download tests.</summary>
public sealed class LoopbackMirror : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _folder;
    private readonly Task _loop;

    public LoopbackMirror(string folder)
    {
        _folder = folder;
        int port = FreePort();
        Url = $"http://127.0.0.1:{port}/mnist/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    public string Url { get; }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            string name = Path.GetFileName(context.Request.Url!.AbsolutePath);
            string path = Path.Combine(_folder, name);
            string raw = Path.ChangeExtension(path, null);
            if (File.Exists(path) || (name.EndsWith(".gz", StringComparison.Ordinal) && File.Exists(raw)))
            {
                byte[] bytes = File.Exists(path) ? await File.ReadAllBytesAsync(path) : Gzip(await File.ReadAllBytesAsync(raw));
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
            }
            else
            {
                context.Response.StatusCode = 404;
            }
            context.Response.Close();
        }
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }
        return buffer.ToArray();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
