using NotebookNet.Tensors;

namespace NotebookNet.Tests.Tensors;

/// <summary>The helper threads run every task exactly once, pass a task's exception on, and never wait on each other.</summary>
public class WorkersTests
{
    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(1000, 2)]
    [InlineData(1000, 64)]
    [InlineData(7, 1)]
    public void EveryTaskRunsExactlyOnce(int count, int threads)
    {
        for (int repeat = 0; repeat < 200; repeat++)
        {
            var runs = new int[count];
            Workers.Run(count, threads, i => Interlocked.Increment(ref runs[i]));
            Assert.All(runs, r => Assert.Equal(1, r));
        }
    }

    [Fact]
    public void UsesTheOtherCoresWhenThereAreAny()
    {
        var threadIds = new HashSet<int>();
        for (int repeat = 0; repeat < 100 && threadIds.Count < 2; repeat++)
        {
            Workers.Run(64, Environment.ProcessorCount, _ =>
            {
                Thread.SpinWait(20_000);
                lock (threadIds)
                {
                    threadIds.Add(Environment.CurrentManagedThreadId);
                }
            });
        }
        Assert.Equal(Math.Min(2, Environment.ProcessorCount), threadIds.Count);
    }

    [Fact]
    public void ATasksExceptionReachesTheCallerAndTheHelpersStillWork()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Workers.Run(100, 2, i =>
        {
            if (i == 37)
            {
                throw new InvalidOperationException("task 37");
            }
        }));
        Assert.Equal("task 37", error.Message);

        int sum = 0;
        Workers.Run(100, 2, i => Interlocked.Add(ref sum, i));
        Assert.Equal(4950, sum);
    }

    [Fact]
    public void ACallInsideATaskAndCallsFromSeveralThreadsAllFinish()
    {
        // A product inside a layer's image task, and tests or a web server calling from several threads at once:
        // the calls that find the helpers busy run on their own thread.
        var totals = new long[8];
        Parallel.For(0, totals.Length, caller =>
        {
            for (int repeat = 0; repeat < 50; repeat++)
            {
                Workers.Run(10, 2, outer => Workers.Run(10, 2, inner => Interlocked.Add(ref totals[caller], outer * 10 + inner)));
            }
        });
        Assert.All(totals, total => Assert.Equal(50 * 4950, total));
    }
}
