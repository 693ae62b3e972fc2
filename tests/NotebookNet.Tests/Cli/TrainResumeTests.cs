using System.Diagnostics;
using NotebookNet.Serialization;
using NotebookNet.Training;

namespace NotebookNet.Tests.Cli;

/// <summary>
/// train as a reader runs it, in a process of its own: killed with SIGKILL at a random batch, or stopped with Ctrl+C's
/// signal, then resumed from its checkpoint, it ends with the weights of a run that was never stopped.
/// </summary>
[Collection("Console")]
public class TrainResumeTests
{
    // best-cnn has it all: dropout, Adam, a cosine schedule, distortions. 1,200 digits in batches of 32: 38 batches an epoch.
    private static readonly string[] Run = ["train", "--recipe", "best-cnn", "--limit", "1200", "--epochs", "2", "--batch-size", "32", "--seed", "3"];

    private static Process Start(string folder, params string[] args) => CliProcess.Start(folder, null, args);

    private static (int Code, string Output) Finish(Process process) => CliProcess.Finish(process);

    private static string Uninterrupted(string folder)
    {
        (int code, string output) = Finish(Start(folder, [.. Run, "--output", "whole.nnw"]));
        Assert.True(code == 0, output);
        return Path.Combine(folder, "whole.nnw");
    }

    private static void AssertSameWeights(string expectedPath, string actualPath)
    {
        SavedModel expected = ModelFile.Load(expectedPath), actual = ModelFile.Load(actualPath);
        foreach (((string name, var want), (_, var got)) in expected.Model.State.Zip(actual.Model.State))
        {
            Assert.True(want.Data.AsSpan().SequenceEqual(got.Data), $"{name} is not bit-identical to the uninterrupted run's");
        }
        Assert.Equal(expected.Metadata["test-accuracy"], actual.Metadata["test-accuracy"]);
    }

    [Fact]
    public void KilledAtARandomBatchAndResumedItEndsBitIdenticalToARunNeverKilled()
    {
        using var folder = new TempFolder();
        string whole = Uninterrupted(folder.Path);

        using Process doomed = Start(folder.Path, [.. Run, "--output", "killed.nnw", "--checkpoint-every", "3"]);
        string checkpoint = folder.File("killed.nnw.ckpt");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(checkpoint) && !doomed.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            Thread.Sleep(20);
        }
        Thread.Sleep(new Random(Environment.TickCount).Next(0, 1_500)); // a random batch after the first checkpoint
        Assert.False(doomed.HasExited, "train finished before it could be killed");
        doomed.Kill(); // SIGKILL: no handler runs, nothing is flushed
        doomed.WaitForExit();

        TrainingCheckpoint left = TrainingCheckpoint.Load(checkpoint);
        Assert.True(left.Fraction < 1, $"the checkpoint left is at {left}");
        (int code, string output) = Finish(Start(folder.Path, "train", "--resume", checkpoint));
        Assert.True(code == 0, output);
        Assert.Contains($"resuming best-cnn from {checkpoint}: {left}", output);
        AssertSameWeights(whole, folder.File("killed.nnw"));
        Assert.False(File.Exists(checkpoint), "the checkpoint outlived the finished run");
    }

    [Fact]
    public void InterruptedItWritesACheckpointSaysHowToResumeAndResumes()
    {
        using var folder = new TempFolder();
        string whole = Uninterrupted(folder.Path);

        using Process interrupted = Start(folder.Path, [.. Run, "--output", "stopped.nnw"]);
        // Ctrl+C's signal once the first epoch is reported.
        var progress = new StringWriter();
        string? line;
        while ((line = interrupted.StandardError.ReadLine()) is not null && !line.Contains("epoch 1/2"))
        {
            progress.WriteLine(line);
        }
        Assert.NotNull(line);
        Assert.Equal(0, Process.Start("kill", ["-INT", interrupted.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit(10_000) ? 0 : 1);
        (int code, string output) = Finish(interrupted);
        Assert.True(code == 130, progress + output);
        string checkpoint = folder.File("stopped.nnw.ckpt");
        Assert.Contains("training stopped at epoch", output);
        Assert.Contains($"resume with: notebooknet train --resume stopped.nnw.ckpt", output);
        Assert.False(File.Exists(folder.File("stopped.nnw")));

        (code, output) = Finish(Start(folder.Path, "train", "--resume", checkpoint));
        Assert.True(code == 0, output);
        AssertSameWeights(whole, folder.File("stopped.nnw"));
    }

    [Fact]
    public void ResumeRefusesSettingsTheCheckpointFixesAndADamagedCheckpoint()
    {
        using var folder = new TempFolder();
        var error = new StringWriter();
        Assert.Equal(2, NotebookNet.Cli.Cli.Run(["train", "--resume", folder.File("x.ckpt"), "--epochs", "3"], TextWriter.Null, error));
        Assert.Contains("leave out --epochs", error.ToString());

        File.WriteAllBytes(folder.File("x.ckpt"), "NNCK\u0001\0\0\0"u8.ToArray());
        error = new StringWriter();
        Assert.Equal(1, NotebookNet.Cli.Cli.Run(["train", "--resume", folder.File("x.ckpt")], TextWriter.Null, error));
        Assert.Contains("x.ckpt: truncated", error.ToString());
        Assert.DoesNotContain("   at ", error.ToString());
    }
}
