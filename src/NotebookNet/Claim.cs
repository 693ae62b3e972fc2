namespace NotebookNet;

/// <summary>Thrown when a notebook's claim about its own results no longer holds.</summary>
public sealed class ClaimFailedException(string message) : Exception(message);

/// <summary>
/// What a notebook's prose says about a result, checked by the cell that measured it: <c>Claim.That(cnn &gt; mlp, "the CNN
/// beats the MLP")</c> prints the sentence with a tick when it holds, and stops the notebook (and fails its test) when a
/// re-run breaks it. So a reader never sees a claim that its own chart contradicts.
/// </summary>
public static class Claim
{
    /// <summary>Writes "✓ <paramref name="sentence"/>" when <paramref name="holds"/>, else throws.</summary>
    /// <exception cref="ClaimFailedException">The claim does not hold; the message is the sentence.</exception>
    public static string That(bool holds, string sentence) =>
        holds ? $"✓ {sentence}" : throw new ClaimFailedException($"this claim no longer holds: {sentence}");
}
