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
/// Which thread runs a task must change no value: each task writes places of its own (its rows, its image). Which
/// thread runs it matters for speed: the calling thread starts on the first tasks and helper h on the h-th share of
/// them, so a layer's weights split the same way in the forward pass, the weight gradient and the optimizer's update
/// stay in one core's cache from step to step instead of crossing to the other core's. Rashid's network (batch 1, AVX2,
/// <c>bench --workloads W2</c>, alternately with a build that handed out tasks first come, first served): 3.99–4.40 s an
/// epoch → 2.29–2.63 s.
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
            var job = new Job(body, count, threads);
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
                job.RunTasks(seat: 0);
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
                int seat = Interlocked.Decrement(ref job.Seats);
                if (seat >= 0)
                {
                    job.RunTasks(seat + 1);
                }
                idleSince = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetTimestamp() - idleSince < s_stayAwake)
            {
                // A short pause between looks: a job's tasks can be a microsecond each, and a helper that looked only
                // every SpinWait(20) (about a microsecond on this Xeon) came late to a batch of one's update, whose
                // tasks the calling thread then ran itself (W2, AVX2, three alternate pairs: 1.25–1.28 → 1.05–1.07 s).
                Thread.SpinWait(2);
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

    /// <summary>
    /// One call's tasks. Seat 0 is the calling thread, seats 1 … helpers are taken by helpers as they arrive. Each seat
    /// owns a contiguous run of the tasks, the same run on every call with the same count, so a thread keeps working on
    /// the same rows or parts from one product or pass to the next and finds them in its own core's cache; a seat that
    /// has finished its run takes the tasks left in the others' (a helper that arrives late loses its run to the others).
    /// </summary>
    private sealed class Job
    {
        // A seat's next task sits on a cache line of its own, so seats taking tasks do not slow each other.
        private const int Stride = 16;
        private readonly Action<int> _body;
        private readonly int _count;
        private readonly int _threads;
        private readonly int[] _next;
        public int Seats;
        public int Finished;
        public ExceptionDispatchInfo? Error;

        public Job(Action<int> body, int count, int threads)
        {
            (_body, _count, _threads) = (body, count, threads);
            Seats = threads - 1;
            _next = new int[threads * Stride];
            for (int seat = 0; seat < threads; seat++)
            {
                _next[seat * Stride] = First(seat) - 1;
            }
        }

        private int First(int seat) => (int)((long)_count * seat / _threads);

        /// <summary>Runs seat <paramref name="seat"/>'s run of tasks, then what is left of the others'.</summary>
        public void RunTasks(int seat)
        {
            for (int offset = 0; offset < _threads; offset++)
            {
                int taken = (seat + offset) % _threads;
                int end = First(taken + 1);
                for (int i = Interlocked.Increment(ref _next[taken * Stride]); i < end; i = Interlocked.Increment(ref _next[taken * Stride]))
                {
                    try
                    {
                        _body(i);
                    }
                    catch (Exception e)
                    {
                        Interlocked.CompareExchange(ref Error, ExceptionDispatchInfo.Capture(e), null);
                        int skipped = 0;
                        for (int other = 0; other < _threads; other++)
                        {
                            int last = First(other + 1) - 1;
                            skipped += last - Math.Min(last, Interlocked.Exchange(ref _next[other * Stride], last + 1));
                        }
                        Interlocked.Add(ref Finished, skipped);
                    }
                    Interlocked.Increment(ref Finished);
                }
            }
        }
    }
}
