using NotebookNet.Activations;
using NotebookNet.Layers;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Tests.Training;

public class SaliencyTests
{
    public static TheoryData<string> Models => new() { "mlp", "cnn" };

    private static (Sequential Model, Tensor Example) Build(string kind) => kind == "mlp"
        ? (new Sequential(new Linear(12, 8, new Rng(1)), new Tanh(), new Dropout(0.5f, new Rng(2)), new Linear(8, 4, new Rng(3))),
            Tensor.RandomNormal(new Rng(4), 0f, 1f, 1, 12))
        : (new Sequential(new Conv2d(1, 3, 3, new Rng(1), padding: 1), new Tanh(), new MaxPool2d(2), new Flatten(), new Linear(3 * 3 * 3, 4, new Rng(3))),
            Tensor.RandomNormal(new Rng(4), 0f, 1f, 1, 1, 6, 6));

    [Theory]
    [MemberData(nameof(Models))]
    public void SaliencyIsTheScoresGradientByFiniteDifferences(string kind)
    {
        (Sequential model, Tensor example) = Build(kind);
        model.IsTraining = true;
        for (int target = 0; target < 4; target++)
        {
            Tensor saliency = Saliency.Of(model, example, target);
            Assert.Equal(example.Shape.ToArray(), saliency.Shape.ToArray());
            double Score()
            {
                using ModeScope evaluation = model.EvaluationMode();   // dropout off, as Saliency measures
                return model.Forward(example)[0, target];
            }
            GradientCheckResult check = GradientCheck.Compare("x", example, saliency, Score);
            Assert.True(check.Passes(), check.ToString());
        }
        Assert.True(model.IsTraining, "the model's mode is restored");
        Assert.All(model.Parameters, p => Assert.All(p.Gradient.Data, g => Assert.Equal(0f, g)));
    }

    [Fact]
    public void TheDefaultTargetIsThePredictedClassAndBadInputIsRefused()
    {
        (Sequential model, Tensor example) = Build("mlp");
        int predicted = model.EvaluationMode() is var scope ? Use(scope, () => model.Forward(example).ArgMaxRows()[0]) : -1;
        Assert.Equal(Saliency.Of(model, example, predicted).Data, Saliency.Of(model, example).Data);
        Assert.Throws<ArgumentException>(() => Saliency.Of(model, example, 4));
        Assert.Throws<ArgumentException>(() => Saliency.Of(model, Tensor.RandomNormal(new Rng(5), 0f, 1f, 2, 12)));
    }

    private static int Use(ModeScope scope, Func<int> body)
    {
        using (scope)
        {
            return body();
        }
    }
}
