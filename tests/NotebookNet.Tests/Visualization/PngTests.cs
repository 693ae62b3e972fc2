using NotebookNet.Preprocessing;
using NotebookNet.Visualization;

namespace NotebookNet.Tests.Visualization;

public class PngTests
{
    [Fact]
    public void AGrayPngDecodesToThePixelsItWasMadeOf()
    {
        byte[] pixels = Enumerable.Range(0, 7 * 5).Select(i => (byte)(i * 7)).ToArray();
        byte[] png = Png.EncodeGray(pixels, 7, 5);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        GrayImage decoded = ImageDecoder.Decode(png, "gray.png");
        Assert.Equal((7, 5), (decoded.Width, decoded.Height));
        Assert.Equal(pixels, decoded.ToBytes());
        Assert.Throws<ArgumentException>(() => Png.EncodeGray(pixels, 6, 5));
    }
}

public class ShowTests
{
    [Fact]
    public void StepsOfARunThatKeptNoneIsAnErrorNotAnEmptyGrid()
    {
        var picture = NotebookNet.Preprocessing.GrayImage.FromBytes(Enumerable.Range(0, 40 * 40).Select(i => (byte)(i % 40 is > 15 and < 25 ? 255 : 0)).ToArray(), 40, 40);
        var preprocessor = new NotebookNet.Preprocessing.DigitPreprocessor();
        Assert.Throws<ArgumentException>(() => Show.Steps(preprocessor.Process(picture)));
        Assert.Contains("<img", Show.Steps(preprocessor.Process(picture, keepSteps: true)).Html);
    }
}
