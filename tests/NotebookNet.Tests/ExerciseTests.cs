namespace NotebookNet.Tests;

public class ExerciseTests
{
    [Fact]
    public void AnUnwrittenAnswerIsNotAttemptedAndSaysWhatToDo()
    {
        ExerciseResult result = Exercise.Check("Exercise 1", () => throw new NotImplementedException(), 3.0, 1e-9);
        Assert.Equal(ExerciseOutcome.NotAttempted, result.Outcome);
        Assert.Contains("not attempted yet", result.Message);
    }

    [Fact]
    public void ARightAnswerIsCorrectAndAWrongOneSaysBothValues()
    {
        Assert.Equal(ExerciseOutcome.Correct, Exercise.Check("e", () => 0.1 + 0.2, 0.3, 1e-12).Outcome);
        ExerciseResult wrong = Exercise.Check("e", () => 0.35, 0.3, 1e-3);
        Assert.Equal(ExerciseOutcome.Wrong, wrong.Outcome);
        Assert.Contains("expected 0.3", wrong.Message);
        Assert.Contains("gives 0.35", wrong.Message);
        Assert.Equal(ExerciseOutcome.Correct, Exercise.Check("e", () => 7, 7).Outcome);
    }

    [Fact]
    public void ArraysAreComparedElementByElementAndByLength()
    {
        Assert.Equal(ExerciseOutcome.Correct, Exercise.Check("e", () => new[] { 1f, 2f }, [1f, 2.00001f], 1e-4f).Outcome);
        Assert.Equal(ExerciseOutcome.Wrong, Exercise.Check("e", () => new[] { 1f, 2.1f }, [1f, 2f], 1e-4f).Outcome);
        Assert.Equal(ExerciseOutcome.Wrong, Exercise.Check("e", () => new[] { 1f }, [1f, 2f], 1e-4f).Outcome);
    }

    [Fact]
    public void AnAnswerThatThrowsIsWrongWithTheReason()
    {
        int[] empty = [];
        ExerciseResult result = Exercise.Check("e", () => empty[1], 0);
        Assert.Equal(ExerciseOutcome.Wrong, result.Outcome);
        Assert.Contains("IndexOutOfRangeException", result.Message);
    }
}
