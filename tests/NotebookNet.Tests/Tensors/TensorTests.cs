using NotebookNet.Tensors;

namespace NotebookNet.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void ArgMaxRowsGivesEachRowsFirstLargestAlsoWhenTheRowsAreSharedBetweenCores()
    {
        // 5,000 rows are split into parts between the cores; ties are common (values 0–3), and the first of equal wins.
        var rng = new Random(3);
        var scores = new Tensor(Enumerable.Range(0, 5_000 * 10).Select(_ => (float)rng.Next(4)).ToArray(), 5_000, 10);
        int[] expected = Enumerable.Range(0, 5_000).Select(i =>
        {
            int best = 0;
            for (int j = 1; j < 10; j++)
            {
                best = scores[i, j] > scores[i, best] ? j : best;
            }
            return best;
        }).ToArray();
        Assert.Equal(expected, scores.ArgMaxRows());
        Assert.Empty(new Tensor(0, 10).ArgMaxRows());
    }

    [Fact]
    public void LargeTensorsMadeOutsideAScopeLetTheCollectorFreeTheirDeadPredecessors()
    {
        // A reader's own training loop makes a new (64, 784) batch every step, 200 KB each: large objects, which only a
        // full collection frees. 80 MB of them outside a scope run at least one; the same inside a scope reuse a buffer.
        int Collections(bool inScope) => RunOnNewThread(() =>
        {
            using TensorScope? scope = inScope ? TensorScope.Begin() : null;
            int before = LargeGarbage.t_collections;
            for (int step = 0; step < 400; step++)
            {
                scope?.Reset();
                GC.KeepAlive(new Tensor(64, 784));
            }
            return LargeGarbage.t_collections - before;
        });

        Assert.InRange(Collections(inScope: false), 1, 2);
        Assert.Equal(0, Collections(inScope: true));
    }

    private static T RunOnNewThread<T>(Func<T> work)
    {
        // LargeGarbage counts each thread's allocations; a thread of its own keeps other tests' out.
        T result = default!;
        var thread = new Thread(() => result = work());
        thread.Start();
        thread.Join();
        return result;
    }

    [Fact]
    public void ReshapeSharesDataAndInfersOneDimension()
    {
        var t = new Tensor(2, 3, 4);
        Tensor r = t.Reshape(6, -1);
        Assert.Equal(new[] { 6, 4 }, r.Shape);
        r[5, 3] = 7f;
        Assert.Equal(7f, t.Data[23]);
    }

    [Fact]
    public void WrongLengthsAndShapesAreNamed()
    {
        var error = Assert.Throws<ArgumentException>(() => new Tensor(new float[5], 2, 3));
        Assert.Contains("(2, 3)", error.Message);
        Assert.Throws<ArgumentException>(() => new Tensor(2, 3).Reshape(4, -1));
        var shapeError = Assert.Throws<ArgumentException>(() => new Tensor(2, 3).RequireShape("input", 3, 2));
        Assert.Contains("expected shape (3, 2), got (2, 3)", shapeError.Message);
    }

    [Fact]
    public void TransposeSwapsIndices()
    {
        Tensor t = Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Tensor tt = t.Transpose();
        Assert.Equal(new[] { 3, 2 }, tt.Shape);
        Assert.Equal(6f, tt[2, 1]);
    }

    [Fact]
    public void SameSeedSameNumbersOtherSeedOtherNumbers()
    {
        float[] a = Tensor.RandomNormal(new Rng(42), 0, 1, 1000).Data;
        float[] b = Tensor.RandomNormal(new Rng(42), 0, 1, 1000).Data;
        float[] c = Tensor.RandomNormal(new Rng(43), 0, 1, 1000).Data;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.InRange(a.Average(), -0.1, 0.1);
        Assert.InRange(a.Select(x => x * x).Average(), 0.9, 1.1);
    }

    [Fact]
    public void RngIntegersAreUniformAndInRange()
    {
        var rng = new Rng(1);
        var counts = new int[10];
        for (int i = 0; i < 100_000; i++)
        {
            counts[rng.NextInt(10)]++;
        }
        Assert.All(counts, count => Assert.InRange(count, 9_500, 10_500));
    }

    [Fact]
    public void ScopeKeepsAFullAndALastBatchsBuffersAtEachPoint()
    {
        using TensorScope scope = TensorScope.Begin();
        float[] full = new Tensor(64, 128).Data;
        scope.Reset();
        float[] last = new Tensor(16, 128).Data;
        scope.Reset();
        Assert.Same(full, new Tensor(64, 128).Data);
        scope.Reset();
        Assert.Same(last, new Tensor(16, 128).Data);
        scope.Reset();
        Assert.NotSame(full, new Tensor(32, 128).Data);   // a third length takes the place of the oldest
        scope.Reset();
        Assert.NotSame(full, new Tensor(64, 128).Data);
    }

    [Fact]
    public void AReopenedScopeHandsOutItsBuffersAgainZeroedButNotWhileOpen()
    {
        WeakReference<TensorScope>? kept = null;
        TensorScope held;   // held strongly here, so no collection can take the buffers between the uses
        float[] first;
        using (held = TensorScope.Reopen(ref kept))
        {
            first = new Tensor(64, 64).Data;
            first[0] = 5f;
            using (TensorScope.Reopen(ref kept))
            {
                Assert.NotSame(first, new Tensor(64, 64).Data);   // the kept scope is in use: one of its own
            }
        }
        using (TensorScope.Reopen(ref kept))
        {
            float[] again = new Tensor(64, 64).Data;
            Assert.Same(first, again);
            Assert.Equal(0f, again[0]);
        }
        GC.KeepAlive(held);
    }

    [Fact]
    public void ScopeReusesBuffersAfterResetAndZeroesThem()
    {
        using (TensorScope scope = TensorScope.Begin())
        {
            var first = new Tensor(64, 64);
            first.Data[0] = 5f;
            scope.Reset();
            var second = new Tensor(64, 64);
            Assert.Same(first.Data, second.Data);
            Assert.Equal(0f, second.Data[0]);
            var third = new Tensor(64, 64);
            Assert.NotSame(second.Data, third.Data);
        }
        Assert.NotSame(new Tensor(64, 64).Data, new Tensor(64, 64).Data);
    }
}
