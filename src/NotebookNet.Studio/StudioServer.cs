using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace NotebookNet.Studio;

/// <summary>
/// The studio running on Kestrel, started and stopped from code — a notebook's kernel, a benchmark — without the
/// caller touching ASP.NET Core's types: <c>await using var studio = await StudioServer.StartAsync(options);</c>, then
/// <see cref="Url"/>. Listens on loopback unless told otherwise.
/// </summary>
/// <remarks>
/// A notebook kernel is not an ASP.NET Core process, and it carries its own, older copies of some Microsoft.Extensions
/// assemblies. There the studio runs in an assembly load context of its own, which takes ASP.NET Core from the shared
/// framework installed beside the running .NET and the studio's assemblies from this one's folder; only strings and a
/// stop function cross between the two.
/// </remarks>
public sealed class StudioServer : IAsyncDisposable
{
    private readonly Func<Task> _stop;

    private StudioServer(string url, Func<Task> stop)
    {
        Url = url;
        _stop = stop;
    }

    /// <summary>The address the studio answers on, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url { get; }

    /// <summary>Starts the studio on <paramref name="host"/>:<paramref name="port"/> (0: any free port).</summary>
    /// <exception cref="FileNotFoundException">ASP.NET Core's shared framework is not installed beside this .NET.</exception>
    public static async Task<StudioServer> StartAsync(StudioOptions options, string host = "127.0.0.1", int port = 0)
    {
        (string url, Func<Task> stop) = AspNetCoreLoaded()
            ? await Start(options.ModelsFolder, options.DefaultModel, options.ExamplesFolder, options.MaxBodyBytes, options.MaxCanvasSide, host, port)
            : await StartIsolated(options, host, port);
        return new StudioServer(url, stop);
    }

    /// <summary>Stops serving and releases the port.</summary>
    public async ValueTask DisposeAsync() => await _stop();

    private static bool AspNetCoreLoaded()
    {
        // ASP.NET Core of this .NET's version, and no older Microsoft.Extensions.* already loaded that it would clash with.
        try
        {
            int major = Environment.Version.Major;
            return Assembly.Load("Microsoft.AspNetCore").GetName().Version?.Major == major
                && AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName())
                    .All(a => a.Name?.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal) != true || a.Version?.Major >= major);
        }
        catch (Exception error) when (error is FileNotFoundException or FileLoadException)
        {
            return false;
        }
    }

    /// <summary>Starts Kestrel in this load context; called by reflection from the isolated one, so only simple types in and out.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<(string Url, Func<Task> Stop)> Start(string modelsFolder, string? defaultModel, string examplesFolder,
        long maxBodyBytes, int maxCanvasSide, string host, int port)
    {
        var options = new StudioOptions
        {
            ModelsFolder = modelsFolder, DefaultModel = defaultModel, ExamplesFolder = examplesFolder,
            MaxBodyBytes = maxBodyBytes, MaxCanvasSide = maxCanvasSide,
        };
        WebApplication app = StudioApp.Create(options, builder => builder.WebHost.UseUrls($"http://{host}:{port}"));
        await app.StartAsync();
        string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? $"http://{host}:{port}";
        return (url, async () =>
        {
            await app.StopAsync();
            await app.DisposeAsync();
        });
    }

    private static async Task<(string Url, Func<Task> Stop)> StartIsolated(StudioOptions options, string host, int port)
    {
        string here = Path.GetDirectoryName(typeof(StudioServer).Assembly.Location)!;
        var context = new StudioLoadContext(here, AspNetCoreFolder());
        Assembly studio = context.LoadFromAssemblyPath(Path.Combine(here, "NotebookNet.Studio.dll"));
        MethodInfo start = studio.GetType(typeof(StudioServer).FullName!)!.GetMethod(nameof(Start), BindingFlags.NonPublic | BindingFlags.Static)!;
        var task = (Task)start.Invoke(null, [options.ModelsFolder, options.DefaultModel, options.ExamplesFolder, options.MaxBodyBytes, options.MaxCanvasSide, host, port])!;
        await task;
        // The tuple's type is the same in both contexts: ValueTuple, string and Func<Task> all come from the core library.
        return ((string Url, Func<Task> Stop))task.GetType().GetProperty("Result")!.GetValue(task)!;
    }

    /// <summary>.../shared/Microsoft.NETCore.App/10.0.x/ → .../shared/Microsoft.AspNetCore.App/&lt;the newest 10.0.*&gt;/.</summary>
    private static string AspNetCoreFolder()
    {
        string runtime = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar);
        string frameworks = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(runtime)!)!, "Microsoft.AspNetCore.App");
        string version = $"{Environment.Version.Major}.{Environment.Version.Minor}.";
        return (Directory.Exists(frameworks)
                ? Directory.GetDirectories(frameworks).Where(d => Path.GetFileName(d).StartsWith(version, StringComparison.Ordinal)).Order(StringComparer.Ordinal).LastOrDefault()
                : null)
            ?? throw new FileNotFoundException($"the studio needs ASP.NET Core {version}x, which is not installed in {frameworks} (it comes with the .NET SDK)");
    }

    /// <summary>ASP.NET Core from the shared framework, the studio's assemblies from its folder, the rest from the process.</summary>
    private sealed class StudioLoadContext(string studioFolder, string aspNetCoreFolder) : AssemblyLoadContext("NotebookNet studio")
    {
        protected override Assembly? Load(AssemblyName name)
        {
            foreach (string folder in new[] { aspNetCoreFolder, studioFolder })
            {
                string candidate = Path.Combine(folder, name.Name + ".dll");
                if (File.Exists(candidate))
                {
                    return LoadFromAssemblyPath(candidate);
                }
            }
            return null;
        }
    }
}
