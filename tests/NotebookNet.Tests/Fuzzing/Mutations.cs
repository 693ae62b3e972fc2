using CsCheck;

namespace NotebookNet.Tests.Fuzzing;

/// <summary>
/// Damaged copies of a valid file, as a disk, a download or a careless edit damages them: flipped bits, changed bytes,
/// truncations, ranges deleted or duplicated, and header-sized words overwritten with huge or negative values
/// (2³¹ − 1, 2³¹, 2³², 2⁴⁰ …) that claim impossible sizes. Made by CsCheck's generators driven by a PCG with a fixed
/// stream and seed, so every run tries the same cases and a failure names the case that reproduces it.
/// </summary>
public static class Mutations
{
    private enum Kind { FlipBit, SetByte, Truncate, Delete, Duplicate, HugeWord }

    private readonly record struct Edit(Kind Kind, double Where, double Span, uint Random);

    private static readonly Gen<Edit[]> Edits =
        Gen.Select(Gen.Int[0, 5], Gen.Double.Unit, Gen.Double.Unit, Gen.UInt, (kind, where, span, random) => new Edit((Kind)kind, where, span, random))
            .Array[1, 4];

    private static readonly ulong[] HugeValues = [0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 1UL << 40, ulong.MaxValue, 0, 0x0100_0000, 65_536];

    /// <summary>
    /// Runs <paramref name="target"/> on <paramref name="cases"/> damaged copies of <paramref name="valid"/>. The target may
    /// succeed or throw one of <paramref name="allowed"/> whose message passes <paramref name="checkMessage"/>; any other
    /// exception, a message that does not check out, more than <paramref name="maxAllocatedBytes"/> allocated by one case
    /// (a header's claim believed), or a run slower than a minute fails the test with the case's number and edits.
    /// </summary>
    public static void Check(byte[] valid, int cases, ulong seed, Action<byte[]> target, Type[] allowed, Func<string, bool> checkMessage,
        long maxAllocatedBytes = 64L << 20)
    {
        var pcg = new PCG(17, seed);
        var inputs = new List<(byte[] Input, Edit[] Edits)>(cases);
        for (int i = 0; i < cases; i++)
        {
            Edit[] edits = Edits.Generate(pcg, null!, out _);
            inputs.Add((Apply(valid, edits), edits));
        }
        int current = -1;
        Task all = Task.Run(() =>
        {
            for (int i = 0; i < inputs.Count; i++)
            {
                current = i;
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    target(inputs[i].Input);
                }
                catch (Exception error) when (allowed.Any(type => type.IsInstanceOfType(error)))
                {
                    if (!checkMessage(error.Message))
                    {
                        throw new Xunit.Sdk.XunitException($"case {i} ({Describe(inputs[i].Edits)}): the message does not name the file: {error.Message}");
                    }
                }
                catch (Exception error)
                {
                    throw new Xunit.Sdk.XunitException($"case {i} ({Describe(inputs[i].Edits)}): {error.GetType().Name}: {error.Message}\n{error.StackTrace}");
                }
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (allocated > maxAllocatedBytes)
                {
                    throw new Xunit.Sdk.XunitException($"case {i} ({Describe(inputs[i].Edits)}): allocated {allocated:N0} bytes for an input of {inputs[i].Input.Length:N0}");
                }
            }
        });
        if (!all.Wait(TimeSpan.FromSeconds(60)))
        {
            throw new Xunit.Sdk.XunitException($"case {current} ({Describe(inputs[current].Edits)}) hangs: {cases} cases did not finish within 60 s");
        }
        all.GetAwaiter().GetResult();
    }

    private static string Describe(Edit[] edits) => string.Join(", ", edits.Select(e => $"{e.Kind} at {e.Where:F3} span {e.Span:F3} value {e.Random}"));

    private static byte[] Apply(byte[] valid, Edit[] edits)
    {
        var bytes = new List<byte>(valid);
        foreach (Edit edit in edits)
        {
            int length = bytes.Count;
            int at = (int)(edit.Where * length);
            int span = 1 + (int)(edit.Span * Math.Min(length, 4096) / 4);
            switch (edit.Kind)
            {
                case Kind.FlipBit when length > 0:
                    bytes[at] ^= (byte)(1 << (int)(edit.Random % 8));
                    break;
                case Kind.SetByte when length > 0:
                    bytes[at] = (byte)edit.Random;
                    break;
                case Kind.Truncate:
                    bytes.RemoveRange(at, length - at);
                    break;
                case Kind.Delete when length > 0:
                    bytes.RemoveRange(at, Math.Min(span, length - at));
                    break;
                case Kind.Duplicate when length > 0:
                    bytes.InsertRange((int)(edit.Span * length), bytes.GetRange(at, Math.Min(span, length - at)));
                    break;
                case Kind.HugeWord:
                    // Headers live near the start: aim there, at a word of 4 or 8 bytes, either byte order.
                    int position = (int)(edit.Where * Math.Min(length, 64));
                    ulong value = HugeValues[edit.Random % (uint)HugeValues.Length];
                    int width = (edit.Random >> 8) % 2 == 0 ? 4 : 8;
                    bool bigEndian = (edit.Random >> 9) % 2 == 0;
                    for (int b = 0; b < width && position + b < length; b++)
                    {
                        int shift = 8 * (bigEndian ? width - 1 - b : b);
                        bytes[position + b] = (byte)(value >> shift);
                    }
                    break;
            }
        }
        return [.. bytes];
    }
}
