using System.CommandLine;
using System.Globalization;
using System.Net;
using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Serialization;
using NotebookNet.Studio;
using NotebookNet.Training;

namespace NotebookNet.Cli;

/// <summary>serve: the drawing studio, a page where you draw a digit and the network answers.</summary>
public static class ServeCommand
{
    /// <summary>What <c>serve</c> trains when there is no model yet: LeNet-5 on distorted digits, three epochs.</summary>
    public static Recipe FirstModel { get; } = Recipe.LeNet5 with
    {
        Name = "lenet5-short",
        Description = Recipe.LeNet5.Description.Replace("20 epochs", "3 epochs", StringComparison.Ordinal),
        Options = Recipe.LeNet5.Options with { Epochs = 3 },
    };

    /// <summary>The command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Option<string?>("--model") { Description = $"The model answering by default (default {PredictCommand.DefaultModel}; trained first if there is no model at all)", HelpName = "FILE" };
        var models = new Option<string>("--models") { Description = "The folder of model files the page offers", DefaultValueFactory = _ => "models", HelpName = "DIR" };
        var port = Options.Whole("--port", 5757, 0, 65535, "The port (0: any free one)");
        var host = new Option<string>("--host") { Description = "The address to listen on; anything but loopback exposes the studio to your network", DefaultValueFactory = _ => "127.0.0.1", HelpName = "ADDR" };
        var examples = new Option<string>("--examples") { Description = "Where labelled drawings are saved, as <label>/<time>.png", DefaultValueFactory = _ => Path.Combine("data", "my-digits"), HelpName = "DIR" };
        var data = Options.Data();
        var command = new Command("serve", "The drawing studio: draw a digit in your browser and watch the network answer (Ctrl+C stops it).")
        {
            model, models, port, host, examples, data,
        };
        command.SetAction((parsed, cancellation) => Serve(context, parsed.GetValue(model), parsed.GetValue(models)!, parsed.GetValue(port),
            parsed.GetValue(host)!, parsed.GetValue(examples)!, parsed.GetValue(data), cancellation));
        return command;
    }

    private static async Task<int> Serve(CliContext context, string? modelPath, string modelsFolder, int port, string host, string examples,
        string? dataFolder, CancellationToken cancellation)
    {
        if (!IPAddress.TryParse(host, out IPAddress? address) && host != "localhost")
        {
            throw new UsageException($"--host expects an IP address such as 127.0.0.1 or 0.0.0.0, got '{host}'");
        }
        bool loopback = host == "localhost" || IPAddress.IsLoopback(address!);
        if (modelPath is not null && !File.Exists(modelPath))
        {
            throw new FileNotFoundException($"{modelPath}: no such model file", modelPath);
        }
        bool anyModel = modelPath is not null || (Directory.Exists(modelsFolder) && Directory.EnumerateFiles(modelsFolder, "*.nnw").Any());
        if (!anyModel)
        {
            modelPath = TrainFirstModel(context, modelsFolder, dataFolder);
        }
        var options = new StudioOptions { ModelsFolder = modelsFolder, DefaultModel = modelPath ?? DefaultIfPresent(modelsFolder), ExamplesFolder = examples };
        string urlHost = address is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ? $"[{host}]" : host;
        StudioServer studio = await StudioServer.StartAsync(options, urlHost, port);
        context.Output.WriteLine($"NotebookNet studio: {studio.Url}  (Ctrl+C stops it)");
        context.Output.WriteLine($"models from {Path.GetFullPath(modelsFolder)}; your labelled drawings go to {Path.GetFullPath(examples)}");
        if (!loopback)
        {
            context.Error.WriteLine($"warning: listening on {host}, not only on this computer: anyone who can reach it can use the studio and save drawings into {examples}");
        }
        try
        {
            await Task.Delay(Timeout.Infinite, cancellation);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: stop serving cleanly.
        }
        await studio.DisposeAsync();
        context.Output.WriteLine("studio stopped");
        return 0;
    }

    private static string? DefaultIfPresent(string modelsFolder)
    {
        string lenet = Path.Combine(modelsFolder, Path.GetFileName(PredictCommand.DefaultModel));
        return File.Exists(lenet) ? lenet : null;
    }

    /// <summary>No model yet: train <see cref="FirstModel"/>, with progress, and save it where the studio looks.</summary>
    private static string TrainFirstModel(CliContext context, string modelsFolder, string? dataFolder)
    {
        string path = Path.Combine(modelsFolder, FirstModel.Name + ".nnw");
        context.Output.WriteLine($"No model in {modelsFolder} yet: training {FirstModel.Name} ({FirstModel.Description}) first; a minute or two.");
        var (trainSplit, testSplit) = context.LoadMnist(dataFolder);
        Dataset train = trainSplit.ToDataset(FirstModel.Scaling);
        Dataset test = testSplit.ToDataset(FirstModel.Scaling);
        var (model, history) = context.WithTrainingProgress(FirstModel.Name, progress => FirstModel.Train(train, test, seed: 1, progress));
        float accuracy = history.FinalTestAccuracy ?? Evaluation.Accuracy(model, FirstModel.Shape(test));
        ModelFile.Save(model, path, FirstModel.Input, new Dictionary<string, string>
        {
            ["recipe"] = FirstModel.Name,
            ["seed"] = "1",
            ["epochs"] = FirstModel.Options.Epochs.ToString(CultureInfo.InvariantCulture),
            ["test-accuracy"] = accuracy.ToString("R", CultureInfo.InvariantCulture),
        });
        context.Output.WriteLine($"test accuracy {accuracy:P2}; saved {path}");
        return path;
    }
}
