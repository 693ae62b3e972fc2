using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace NotebookNet.Tensors;

/// <summary>
/// Runs the tasks of one matrix product or one layer's images on this thread and on the processor's other cores, and
/// returns when all are done. The helpers are background threads that stay awake for a fraction of a millisecond after
/// each job, so the next product of a training step starts on them at once; with the thread pool (Parallel.For) two
/// threads were slower than one below about 6 million multiply-adds (see MatMul's threshold), so a small batch's
/// products ran on one core. A call made inside a task, or while another thread's job has the helpers, runs its tasks on the calling thread.
/// </summary>
/// <remarks>
/// Which thread runs a task must change no value: each task writes places of its own (its rows, its image).
/// </remarks>
internal static class Workers
{
    // How long a helper keeps looking for the next job before it sleeps: longer than the gaps between the products
    // and layers of a training step (tens of microseconds), short enough that an idle program sleeps at once.
    private static readonly long s_stayAwake = Stopwatch.Frequency / 2000; // 0.5 ms

    private static readonly object s_gate = new();
    private static readonly SemaphoreSlim s_wake = new(0);
    private static Job? s_job;
    private static int s_sleeping;
    private static int s_helpers;

    [ThreadStatic]
    private static bool t_insideJob;

    /// <summary>Runs <paramref name="body"/>(0) … <paramref name="body"/>(count − 1) on up to <paramref name="threads"/> threads, this one included.</summary>
    public static void Run(int count, int threads, Action<int> body)
    {
        threads = Math.Min(Math.Min(threads, count), Environment.ProcessorCount);
        if (threads <= 1 || t_insideJob || !Monitor.TryEnter(s_gate))
        {
            for (int i = 0; i < count; i++)
            {
                body(i);
            }
            return;
        }
        try
        {
            StartHelpers(threads - 1);
            var job = new Job(body, count, seats: threads - 1);
            Volatile.Write(ref s_job, job);
            Interlocked.MemoryBarrier(); // publish the job before reading who sleeps (a helper does the reverse)
            int sleeping = Volatile.Read(ref s_sleeping);
            if (sleeping > 0)
            {
                s_wake.Release(sleeping);
            }
            t_insideJob = true;
            try
            {
                job.RunTasks();
            }
            finally
            {
                t_insideJob = false;
            }
            var wait = new SpinWait();
            while (Volatile.Read(ref job.Finished) < count)
            {
                wait.SpinOnce(sleep1Threshold: -1);
            }
            job.Error?.Throw();
        }
        finally
        {
            Monitor.Exit(s_gate);
        }
    }

    private static void StartHelpers(int wanted)
    {
        for (; s_helpers < wanted; s_helpers++)
        {
            new Thread(Help) { IsBackground = true, Name = $"NotebookNet worker {s_helpers + 1}" }.Start();
        }
    }

    /// <summary>A helper's life: take a seat in each new job and run tasks until none is left; sleep when idle.</summary>
    private static void Help()
    {
        t_insideJob = true;
        Job? last = null;
        long idleSince = Stopwatch.GetTimestamp();
        while (true)
        {
            Job? job = Volatile.Read(ref s_job);
            if (job != last && job is not null)
            {
                last = job;
                if (Interlocked.Decrement(ref job.Seats) >= 0)
                {
                    job.RunTasks();
                }
                idleSince = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetTimestamp() - idleSince < s_stayAwake)
            {
                Thread.SpinWait(20);
            }
            else
            {
                Interlocked.Increment(ref s_sleeping);
                if (Volatile.Read(ref s_job) == last)
                {
                    s_wake.Wait();
                }
                Interlocked.Decrement(ref s_sleeping);
                idleSince = Stopwatch.GetTimestamp();
            }
        }
    }

    private sealed class Job(Action<int> body, int count, int seats)
    {
        public int Seats = seats;
        public int Finished;
        public ExceptionDispatchInfo? Error;
        private int _next = -1;

        /// <summary>Takes the next task not yet taken until none is left; a task that throws stops the rest.</summary>
        public void RunTasks()
        {
            for (int i = Interlocked.Increment(ref _next); i < count; i = Interlocked.Increment(ref _next))
            {
                try
                {
                    body(i);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref Error, ExceptionDispatchInfo.Capture(e), null);
                    int skipped = count - 1 - Math.Min(count - 1, Interlocked.Exchange(ref _next, count));
                    Interlocked.Add(ref Finished, skipped);
                }
                Interlocked.Increment(ref Finished);
            }
        }
    }
}
