using System.CommandLine;
using System.Runtime.Intrinsics;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Layers;
using NotebookNet.Preprocessing;
using NotebookNet.Serialization;
using NotebookNet.Studio;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Cli;

/// <summary>
/// The benchmark workloads. W1: 784-128-10 ReLU/cross-entropy, SGD 0.1, batch 64, one epoch of 60,000 images.
/// W2: Rashid's 784-200-10 sigmoid/MSE network, batch 1, one epoch. W4: the W1 model classifying the 10,000
/// test images (a) as one batch and (b) one image at a time, through a <c>FrozenModel</c> made inside the timing.
/// W5: preprocessing a 4000×3000 RGBA photo of a digit into MNIST's 28×28 (conversion to gray included). W6: the drawing studio on loopback, 4 clients × 500 canvas predictions
/// (a 280×280 drawing, preprocessing and saliency included) with the W1 model. Each runs several times after an untimed warm-up
/// (so the JIT has compiled the hot code); min, median and max are printed.
/// </summary>
public static class BenchCommand
{
    private sealed record Measurement(string Workload, string Unit, double[] Values, float? Accuracy, string Description);

    /// <summary>The workloads by the names the table shows; W4 means both W4a and W4b.</summary>
    public static readonly string[] Workloads = ["W1", "W2", "W3", "W4a", "W4b", "W5", "W6", "GEMM"];

    /// <summary>The command.</summary>
    public static Command Create(CliContext context)
    {
        var workloads = new Option<string>("--workloads")
        {
            Description = $"Comma-separated workloads: {string.Join(", ", Workloads)} (W4 = W4a and W4b)",
            DefaultValueFactory = _ => "W1,W2,W3,W4,W5",
            HelpName = "W1,W2,…",
        };
        var runs = Options.Whole("--runs", 5, 1, 100, "Timed runs per workload, after an untimed warm-up (W2, W3: at most 3)");
        var threads = Options.Whole("--threads", Environment.ProcessorCount, 1, 256, "Threads for the matrix multiply and convolutions");
        var sustain = Options.OptionalWhole("--sustain", 1, 3_600, "W6 only: one sustained run of N seconds instead of the timed runs, with the server's memory before and after");
        var json = new Option<bool>("--json") { Description = "Print one JSON line per workload on standard output, and the table on standard error" };
        var dense = new Option<bool>("--dense")
        {
            Description = "Multiply every pair, zeros included: the products skip none of an image's zero pixels (MatMul.SkipZeros off)",
        };
        var data = Options.Data();
        var command = new Command("bench", "Seconds per epoch and images per second of the benchmark workloads.") { workloads, runs, threads, sustain, json, dense, data };
        command.SetAction(parsed => Run(context, ParseWorkloads(parsed.GetValue(workloads)!), parsed.GetValue(runs), parsed.GetValue(threads),
            parsed.GetValue(sustain), parsed.GetValue(json), parsed.GetValue(dense), parsed.GetValue(data)));
        return command;
    }

    private static HashSet<string> ParseWorkloads(string text)
    {
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string word in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (string.Equals(word, "W4", StringComparison.OrdinalIgnoreCase))
            {
                chosen.UnionWith(["W4a", "W4b"]);
                continue;
            }
            string? known = Workloads.FirstOrDefault(w => string.Equals(w, word, StringComparison.OrdinalIgnoreCase))
                ?? throw new UsageException($"unknown workload {word}; known: {string.Join(", ", Workloads)} (W4 = W4a and W4b)");
            chosen.Add(known);
        }
        return chosen;
    }

    private static int Run(CliContext context, HashSet<string> workloads, int runs, int threads, int? sustain, bool json, bool dense, string? data)
    {
        MatMul.MaxDegreeOfParallelism = threads;
        MatMul.SkipZeros = !dense;
        var (trainSplit, testSplit) = context.LoadMnist(data);
        var measurements = new List<Measurement>();
        Sequential? w1Model = null;
        Dataset w1Test = testSplit.ToDataset(Recipe.W1.Scaling);

        if (workloads.Contains("W1") || workloads.Contains("W4a") || workloads.Contains("W4b"))
        {
            Dataset train = trainSplit.ToDataset(Recipe.W1.Scaling);
            Recipe.W1.Train(train.Take(12_800), null, options: Recipe.W1.Options with { Epochs = 2 }); // warm-up: the JIT tiers up
            var seconds = new List<double>();
            float accuracy = 0f;
            int w1Runs = workloads.Contains("W1") ? runs : 1;
            for (int run = 0; run < w1Runs; run++)
            {
                var (model, history) = Recipe.W1.Train(train, w1Test, seed: run + 1, options: Recipe.W1.Options with { Epochs = 1 });
                seconds.Add(history[0].Seconds);
                accuracy = history[0].TestAccuracy ?? 0f;
                w1Model = model;
                context.Error.WriteLine($"W1 run {run + 1}: {history[0].Seconds:F3} s, test accuracy {accuracy:P2}");
            }
            if (workloads.Contains("W1"))
            {
                measurements.Add(new("W1", "s/epoch", seconds.ToArray(), accuracy, Recipe.W1.Description + ", 1 epoch"));
            }
        }
        if (workloads.Contains("W2"))
        {
            Dataset train = trainSplit.ToDataset(Recipe.Rashid.Scaling);
            Dataset test = testSplit.ToDataset(Recipe.Rashid.Scaling);
            Recipe.Rashid.Train(train.Take(2_000), null, options: Recipe.Rashid.Options with { Epochs = 1 }); // warm-up: JIT
            var seconds = new List<double>();
            float accuracy = 0f;
            for (int run = 0; run < Math.Min(runs, 3); run++)
            {
                var (_, history) = Recipe.Rashid.Train(train, test, seed: run + 1, options: Recipe.Rashid.Options with { Epochs = 1 });
                seconds.Add(history[0].Seconds);
                accuracy = history[0].TestAccuracy ?? 0f;
                context.Error.WriteLine($"W2 run {run + 1}: {history[0].Seconds:F3} s, test accuracy {accuracy:P2}");
            }
            measurements.Add(new("W2", "s/epoch", seconds.ToArray(), accuracy, "Rashid 784-200-10 sigmoid/MSE, batch 1, 1 epoch"));
        }
        if (workloads.Contains("W3"))
        {
            Recipe cnn = Recipe.SmallCnn;
            Dataset train = trainSplit.ToDataset(cnn.Scaling);
            Dataset test = testSplit.ToDataset(cnn.Scaling);
            cnn.Train(train.Take(3_200), null, options: cnn.Options with { Epochs = 1 }); // warm-up: JIT
            var seconds = new List<double>();
            float accuracy = 0f;
            for (int run = 0; run < Math.Min(runs, 3); run++)
            {
                var (_, history) = cnn.Train(train, test, seed: run + 1);
                seconds.Add(history[0].Seconds);
                accuracy = history[0].TestAccuracy ?? 0f;
                context.Error.WriteLine($"W3 run {run + 1}: {history[0].Seconds:F3} s, test accuracy {accuracy:P2}");
            }
            measurements.Add(new("W3", "s/epoch", seconds.ToArray(), accuracy, "small CNN (conv 8@5x5 x2, maxpool, 128, 10), Adam, batch 32, 1 epoch"));
        }
        if (workloads.Contains("GEMM"))
        {
            measurements.AddRange(GemmEfficiency(context, runs, threads));
        }
        if (workloads.Contains("W6"))
        {
            w1Model ??= Recipe.W1.Train(trainSplit.ToDataset(Recipe.W1.Scaling), null, options: Recipe.W1.Options with { Epochs = 1 }).Model;
            measurements.Add(StudioLoad(context, w1Model, testSplit, runs, sustain));
        }
        if ((workloads.Contains("W4a") || workloads.Contains("W4b")) && w1Model is not null)
        {
            w1Model.IsTraining = false;
            float accuracy = Evaluation.Accuracy(w1Model, w1Test, batchSize: w1Test.Count);
            if (workloads.Contains("W4a"))
            {
                measurements.Add(new("W4a", "images/s", Repeat(runs, scope => ClassifyOneBatch(w1Model, w1Test, scope)), accuracy, "W1 model, 10,000 test images as one batch"));
            }
            if (workloads.Contains("W4b"))
            {
                measurements.Add(new("W4b", "images/s", Repeat(runs, _ => ClassifyOneByOne(w1Model, w1Test)), accuracy, "W1 model, 10,000 test images one at a time (FrozenModel)"));
            }
        }

        if (workloads.Contains("W5"))
        {
            byte[] photo = Photo(testSplit);
            var preprocessor = new DigitPreprocessor();
            double PreprocessOnce()
            {
                var clock = Stopwatch.StartNew();
                PreprocessedDigit digit = preprocessor.Process(ImageDecoder.FromRgba(photo, PhotoWidth, PhotoHeight));
                clock.Stop();
                if (!digit.Found)
                {
                    throw new InvalidOperationException("the benchmark photo held no digit");
                }
                return clock.Elapsed.TotalMilliseconds;
            }
            PreprocessOnce(); // warm-up: JIT
            measurements.Add(new("W5", "ms/photo", Enumerable.Range(0, runs).Select(_ => PreprocessOnce()).ToArray(), null,
                $"a {PhotoWidth}x{PhotoHeight} RGBA photo of a digit to MNIST's 28x28"));
        }

        // With --json, standard output carries the JSON lines only, so it can be piped; the table goes to standard error.
        TextWriter tableWriter = json ? context.Error : context.Output;
        tableWriter.WriteLine($"threads {threads}, kernel {MatMul.KernelName}, {(dense ? "dense (zeros multiplied)" : "zeros skipped")}, {runs} runs, {Environment.ProcessorCount} cores");
        var table = CliContext.Table("workload", "unit", "min", "median", "max", "accuracy", "what");
        foreach (Measurement m in measurements)
        {
            double[] sorted = m.Values.Order().ToArray();
            CliContext.AddRow(table, m.Workload, m.Unit, Format(sorted[0]), Format(Median(sorted)), Format(sorted[^1]),
                m.Accuracy is float a ? a.ToString("P2", CultureInfo.InvariantCulture) : "-", m.Description);
        }
        context.Write(table, tableWriter);
        if (json)
        {
            foreach (Measurement m in measurements)
            {
                double[] sorted = m.Values.Order().ToArray();
                context.Output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["workload"] = m.Workload,
                    ["unit"] = m.Unit,
                    ["min"] = sorted[0],
                    ["median"] = Median(sorted),
                    ["max"] = sorted[^1],
                    ["runs"] = sorted.Length,
                    ["accuracy"] = m.Accuracy,
                    ["threads"] = threads,
                    ["kernel"] = MatMul.KernelName,
                    ["skipZeros"] = !dense,
                }));
            }
        }
        return 0;
    }

    /// <summary>
    /// W6: the studio served on a free loopback port, 4 clients × 500 canvas predictions per run; with
    /// <paramref name="sustain"/>, one run of that many seconds, with the server's memory before and after it.
    /// </summary>
    private static Measurement StudioLoad(CliContext context, Sequential model, MnistSplit testSplit, int runs, int? sustain)
    {
        const int Clients = 4, PerClient = 500;
        string folder = Path.Combine(Path.GetTempPath(), $"notebooknet-bench-{Guid.NewGuid():N}");
        try
        {
            ModelFile.Save(model, Path.Combine(folder, "w1.nnw"), Recipe.W1.Input);
            var options = new StudioOptions { ModelsFolder = folder, ExamplesFolder = Path.Combine(folder, "examples") };
            StudioServer studio = StudioServer.StartAsync(options).GetAwaiter().GetResult();
            using var client = new HttpClient { BaseAddress = new Uri(studio.Url) };
            byte[] canvas = CanvasJson(testSplit);
            LoadTest.RunAsync(client, canvas, Clients, 50).GetAwaiter().GetResult(); // warm-up: JIT, connections
            if (sustain is int seconds)
            {
                (long heapBefore, long setBefore) = (GC.GetTotalMemory(forceFullCollection: true), Environment.WorkingSet);
                LoadResult held = LoadTest.RunForAsync(client, canvas, Clients, TimeSpan.FromSeconds(seconds)).GetAwaiter().GetResult();
                (long heapAfter, long setAfter) = (GC.GetTotalMemory(forceFullCollection: true), Environment.WorkingSet);
                studio.DisposeAsync().AsTask().GetAwaiter().GetResult();
                string summary = string.Create(CultureInfo.InvariantCulture,
                    $"sustained {held.Seconds:F0} s, {Clients} clients: {held.Requests} predictions, {held.Errors} errors, {held.PerSecond:F0}/s, p50 {held.Percentile(0.5):F2} ms, p99 {held.Percentile(0.99):F2} ms; " +
                    $"managed heap after a full collection {heapBefore / 1e6:F1} → {heapAfter / 1e6:F1} MB, working set {setBefore / 1e6:F0} → {setAfter / 1e6:F0} MB (server and clients, one process)");
                context.Error.WriteLine("W6 " + summary);
                if (held.Errors > 0)
                {
                    throw new InvalidOperationException($"W6: {held.Errors} of {held.Requests} studio requests failed");
                }
                return new("W6", "predictions/s", [held.PerSecond], null, summary);
            }
            var perSecond = new List<double>();
            LoadResult? last = null;
            for (int run = 0; run < runs; run++)
            {
                last = LoadTest.RunAsync(client, canvas, Clients, PerClient).GetAwaiter().GetResult();
                if (last.Errors > 0)
                {
                    throw new InvalidOperationException($"W6: {last.Errors} of {last.Requests} studio requests failed");
                }
                perSecond.Add(last.PerSecond);
                context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"W6 run {run + 1}: {last.PerSecond:F0} predictions/s, round trip p50 {last.Percentile(0.5):F2} ms, p99 {last.Percentile(0.99):F2} ms, 0 errors"));
            }
            studio.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return new("W6", "predictions/s", perSecond.ToArray(), null, string.Create(CultureInfo.InvariantCulture,
                $"studio on loopback, {Clients} clients x {PerClient} 280x280 canvases (W1 model, saliency included); last run p50 {last!.Percentile(0.5):F2} ms, p99 {last.Percentile(0.99):F2} ms"));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>
    /// GEMM: the matrix multiply's GFLOP/s on square products of 256, 1024 and 2048, on one thread and on all, as a share
    /// of the core's peak. The peak is measured, not looked up: a loop of fused multiply-adds on twelve independent
    /// accumulators in registers, as wide as the kernel's vectors, with no memory traffic — what the FMA units deliver
    /// at the clock the core runs at now. A kernel at 100 % would do nothing but FMAs at that rate. The peak is measured
    /// again right before each timed run and each run is divided by its own: a virtual machine's host may run the core
    /// at a different speed from one second to the next (a peak measured once, before all the runs, gave 140 %).
    /// </summary>
    private static IEnumerable<Measurement> GemmEfficiency(CliContext context, int runs, int threads)
    {
        bool wide = MatMul.UseVector512;
        double firstPeak = FmaPeakGflops(wide, attempts: 5);
        context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"GEMM kernel: {MatMul.KernelName}; FMA peak of one core, measured: {firstPeak:F1} GFLOP/s ({(wide ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4)} floats a vector), measured again before each run"));
        var rng = new Rng(1);
        foreach (int size in new[] { 256, 1024, 2048 })
        {
            float[] a = Enumerable.Range(0, size * size).Select(_ => rng.NextFloat(-1f, 1f)).ToArray();
            float[] b = Enumerable.Range(0, size * size).Select(_ => rng.NextFloat(-1f, 1f)).ToArray();
            var c = new float[size * size];
            foreach (int used in threads == 1 ? new[] { 1 } : new[] { 1, threads })
            {
                MatMul.MaxDegreeOfParallelism = used;
                MatMul.Multiply(a, b, c, size, size, size); // warm-up
                int repeats = Math.Max(1, (int)(2e9 / (2.0 * size * size * size))); // about 2 GFLOP a measurement
                (double Gflops, double Share)[] timed = Enumerable.Range(0, Math.Max(3, runs)).Select(_ =>
                {
                    double peak = FmaPeakGflops(wide, attempts: 2);
                    var clock = Stopwatch.StartNew();
                    for (int r = 0; r < repeats; r++)
                    {
                        MatMul.Multiply(a, b, c, size, size, size);
                    }
                    double gflops = 2.0 * size * size * size * repeats / clock.Elapsed.TotalSeconds / 1e9;
                    return (gflops, gflops / (peak * used));
                }).ToArray();
                double best = timed.Max(run => run.Gflops);
                double[] shares = timed.Select(run => run.Share).Order().ToArray();
                string summary = string.Create(CultureInfo.InvariantCulture,
                    $"{size}×{size}×{size}, {MatMul.KernelName}, {used} thread{(used == 1 ? "" : "s")}: {best:F1} GFLOP/s at best; {100 * shares[^1]:F0} % of the FMA peak measured before the run at best, {100 * Median(shares):F0} % the median");
                context.Error.WriteLine("GEMM " + summary);
                yield return new($"GEMM {size} x{used}", "GFLOP/s", timed.Select(run => run.Gflops).ToArray(), null, summary);
            }
        }
        MatMul.MaxDegreeOfParallelism = threads;
    }

    /// <summary>GFLOP/s of one core doing nothing but independent FMAs on vectors in registers, as wide as the kernel's.</summary>
    private static double FmaPeakGflops(bool wide, int attempts)
    {
        double best = 0;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            const long Iterations = 20_000_000;
            var clock = Stopwatch.StartNew();
            float sink = wide ? FmaLoop512(Iterations) : FmaLoop256(Iterations);
            double seconds = clock.Elapsed.TotalSeconds;
            GC.KeepAlive(sink);
            best = Math.Max(best, Iterations * 12.0 * (wide ? 16 : 8) * 2 / seconds / 1e9);
        }
        return best;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop512(long iterations)
    {
        var m = Vector512.Create(0.9999999f);
        var d = Vector512.Create(1e-7f);
        Vector512<float> a0 = m, a1 = m, a2 = m, a3 = m, a4 = m, a5 = m, a6 = m, a7 = m, a8 = m, a9 = m, a10 = m, a11 = m;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, d); a1 = Vector512.FusedMultiplyAdd(a1, m, d);
            a2 = Vector512.FusedMultiplyAdd(a2, m, d); a3 = Vector512.FusedMultiplyAdd(a3, m, d);
            a4 = Vector512.FusedMultiplyAdd(a4, m, d); a5 = Vector512.FusedMultiplyAdd(a5, m, d);
            a6 = Vector512.FusedMultiplyAdd(a6, m, d); a7 = Vector512.FusedMultiplyAdd(a7, m, d);
            a8 = Vector512.FusedMultiplyAdd(a8, m, d); a9 = Vector512.FusedMultiplyAdd(a9, m, d);
            a10 = Vector512.FusedMultiplyAdd(a10, m, d); a11 = Vector512.FusedMultiplyAdd(a11, m, d);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop256(long iterations)
    {
        var m = Vector256.Create(0.9999999f);
        var d = Vector256.Create(1e-7f);
        Vector256<float> a0 = m, a1 = m, a2 = m, a3 = m, a4 = m, a5 = m, a6 = m, a7 = m, a8 = m, a9 = m, a10 = m, a11 = m;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, d); a1 = Vector256.FusedMultiplyAdd(a1, m, d);
            a2 = Vector256.FusedMultiplyAdd(a2, m, d); a3 = Vector256.FusedMultiplyAdd(a3, m, d);
            a4 = Vector256.FusedMultiplyAdd(a4, m, d); a5 = Vector256.FusedMultiplyAdd(a5, m, d);
            a6 = Vector256.FusedMultiplyAdd(a6, m, d); a7 = Vector256.FusedMultiplyAdd(a7, m, d);
            a8 = Vector256.FusedMultiplyAdd(a8, m, d); a9 = Vector256.FusedMultiplyAdd(a9, m, d);
            a10 = Vector256.FusedMultiplyAdd(a10, m, d); a11 = Vector256.FusedMultiplyAdd(a11, m, d);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    /// <summary>Test digit 0 drawn dark on white on a 280×280 canvas, as the studio's page sends it.</summary>
    private static byte[] CanvasJson(MnistSplit test)
    {
        GrayImage digit = GrayImage.FromBytes(test.Pixels.AsSpan(0, Mnist.Pixels), 28, 28).Resize(200, 200);
        var rgba = new byte[280 * 280 * 4];
        for (int y = 0; y < 280; y++)
        {
            for (int x = 0; x < 280; x++)
            {
                float ink = x >= 40 && y >= 40 && x < 240 && y < 240 ? digit[x - 40, y - 40] : 0f;
                byte v = (byte)Math.Round(255 * (1 - ink));
                int i = 4 * (y * 280 + x);
                (rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]) = (v, v, v, 255);
            }
        }
        return JsonSerializer.SerializeToUtf8Bytes(new { width = 280, height = 280, rgba = Convert.ToBase64String(rgba) });
    }

    private const int PhotoWidth = 4000, PhotoHeight = 3000;

    /// <summary>A 4000×3000 RGBA "photo": test digit 0 enlarged to 1200 px, dark on warm gray paper with noise.</summary>
    private static byte[] Photo(MnistSplit test)
    {
        GrayImage digit = GrayImage.FromBytes(test.Pixels.AsSpan(0, Mnist.Pixels), 28, 28).Resize(1200, 1200);
        var rgba = new byte[PhotoWidth * PhotoHeight * 4];
        var rng = new Rng(1);
        for (int y = 0; y < PhotoHeight; y++)
        {
            for (int x = 0; x < PhotoWidth; x++)
            {
                int dx = x - 1800, dy = y - 900;
                float ink = dx is >= 0 and < 1200 && dy is >= 0 and < 1200 ? digit[dx, dy] : 0f;
                byte value = (byte)Math.Clamp(210f - 190f * ink + 10f * rng.NextFloat(), 0f, 255f);
                int i = 4 * (y * PhotoWidth + x);
                (rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]) = (value, value, (byte)(value * 0.9f), 255);
            }
        }
        return rgba;
    }

    private static double[] Repeat(int runs, Func<TensorScope, double> measure)
    {
        // Tensors made while classifying reuse their memory from one call to the next, as in Evaluation.
        using TensorScope scope = TensorScope.Begin();
        measure(scope); // warm-up: the JIT and the caches
        return Enumerable.Range(0, runs).Select(_ => measure(scope)).ToArray();
    }

    private static double ClassifyOneBatch(Sequential model, Dataset test, TensorScope scope)
    {
        scope.Reset();
        var clock = Stopwatch.StartNew();
        Tensor output = model.Forward(test.Images);
        int[] predictions = output.ArgMaxRows();
        clock.Stop();
        GC.KeepAlive(predictions);
        return test.Count / clock.Elapsed.TotalSeconds;
    }

    private static double ClassifyOneByOne(Sequential model, Dataset test)
    {
        int checksum = 0;
        var clock = Stopwatch.StartNew();
        // Frozen once per run, inside the timing: the copy with its dense layers' weights stored transposed.
        var frozen = new FrozenModel(model, Mnist.Pixels);
        for (int i = 0; i < test.Count; i++)
        {
            checksum += frozen.Classify(test.Images.Data.AsSpan(i * Mnist.Pixels, Mnist.Pixels));
        }
        clock.Stop();
        GC.KeepAlive(checksum);
        return test.Count / clock.Elapsed.TotalSeconds;
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    private static string Format(double value) =>
        value >= 1000 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("F3", CultureInfo.InvariantCulture);
}
