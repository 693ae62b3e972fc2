using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using NotebookNet.Activations;
using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Serialization.Onnx;

namespace NotebookNet.Serialization;

/// <summary>
/// Writes a <see cref="Sequential"/> as a standard ONNX model (IR version 7, operator set 13) that ONNX Runtime, Netron or
/// any ONNX tool reads: <c>Linear</c> → <c>Gemm</c> with <c>transB</c> (our weights are stored (out, in)), <c>Conv2d</c> →
/// <c>Conv</c>, <c>MaxPool2d</c> → <c>MaxPool</c>, <c>BatchNorm</c> → <c>BatchNormalization</c> with its running statistics,
/// <c>ReLU</c>/<c>Sigmoid</c>/<c>Tanh</c>/<c>Softmax</c> → <c>Relu</c>/<c>Sigmoid</c>/<c>Tanh</c>/<c>Softmax</c>,
/// <c>Flatten</c> → <c>Flatten</c>; <c>Dropout</c> is left out, as it does nothing at inference. The batch dimension is
/// symbolic (<c>N</c>). The input is the <em>scaled</em> picture the model was trained on: the scaling is not folded into
/// the first layer but recorded in the model's metadata (<c>notebooknet.scaling</c>, with its formula) and in the input's
/// description, beside the class names — so the weights stay exactly the library's. The protobuf types come from
/// <c>Onnx/onnx-subset.proto</c>, whose field numbers are the official format's.
/// </summary>
internal static class OnnxExport
{
    public const long IrVersion = 7;
    public const long OperatorSet = 13;

    public static ModelProto Build(Sequential model, ModelInput input, bool softmax)
    {
        var graph = new GraphProto { Name = "notebooknet" };
        graph.Input.Add(Value("input", ["N", .. input.Shape.Select(size => (object)size)], $"{input.Dataset} pictures scaled as {Formula(input.Scaling)}"));
        string current = "input";
        int[] shape = [1, .. input.Shape];
        foreach ((ILayer layer, string prefix) in Flattened(model, ""))
        {
            string output = $"{prefix}output";
            switch (layer)
            {
                case Linear linear:
                    graph.Initializer.Add(Tensor($"{prefix}weight", linear.Weight.Value.Data, linear.OutFeatures, linear.InFeatures));
                    var gemm = Node("Gemm", prefix, [current, $"{prefix}weight"], output, Int("transB", 1));
                    if (linear.Bias is not null)
                    {
                        graph.Initializer.Add(Tensor($"{prefix}bias", linear.Bias.Value.Data, linear.OutFeatures));
                        gemm.Input.Add($"{prefix}bias");
                    }
                    graph.Node.Add(gemm);
                    break;
                case Conv2d conv:
                    graph.Initializer.Add(Tensor($"{prefix}weight", conv.Weight.Value.Data, conv.OutChannels, conv.InChannels, conv.KernelSize, conv.KernelSize));
                    var convolution = Node("Conv", prefix, [current, $"{prefix}weight"], output,
                        Ints("kernel_shape", conv.KernelSize, conv.KernelSize), Ints("strides", conv.Stride, conv.Stride),
                        Ints("pads", conv.Padding, conv.Padding, conv.Padding, conv.Padding));
                    if (conv.Bias is not null)
                    {
                        graph.Initializer.Add(Tensor($"{prefix}bias", conv.Bias.Value.Data, conv.OutChannels));
                        convolution.Input.Add($"{prefix}bias");
                    }
                    graph.Node.Add(convolution);
                    break;
                case MaxPool2d pool:
                    graph.Node.Add(Node("MaxPool", prefix, [current], output,
                        Ints("kernel_shape", pool.KernelSize, pool.KernelSize), Ints("strides", pool.Stride, pool.Stride)));
                    break;
                case BatchNorm norm:
                    graph.Initializer.Add(Tensor($"{prefix}weight", norm.Weight.Value.Data, norm.NumFeatures));
                    graph.Initializer.Add(Tensor($"{prefix}bias", norm.Bias.Value.Data, norm.NumFeatures));
                    graph.Initializer.Add(Tensor($"{prefix}running_mean", norm.RunningMean.Data, norm.NumFeatures));
                    graph.Initializer.Add(Tensor($"{prefix}running_var", norm.RunningVariance.Data, norm.NumFeatures));
                    graph.Node.Add(Node("BatchNormalization", prefix,
                        [current, $"{prefix}weight", $"{prefix}bias", $"{prefix}running_mean", $"{prefix}running_var"], output,
                        Float("epsilon", norm.Epsilon)));
                    break;
                case Flatten:
                    graph.Node.Add(Node("Flatten", prefix, [current], output, Int("axis", 1)));
                    break;
                case Dropout:
                    shape = layer.OutputShape(shape);
                    continue; // identity at inference: the next node reads what this one would have passed on
                case ReLU or Sigmoid or Tanh:
                    graph.Node.Add(Node(layer switch { ReLU => "Relu", Sigmoid => "Sigmoid", _ => "Tanh" }, prefix, [current], output));
                    break;
                case Softmax:
                    graph.Node.Add(Node("Softmax", prefix, [current], output, Int("axis", 1)));
                    break;
                default:
                    throw new NotSupportedException(
                        $"{layer.Spec} has no ONNX counterpart in this exporter (it writes Linear, Conv2d, MaxPool2d, BatchNorm, Flatten, Dropout, ReLU, Sigmoid, Tanh and Softmax)");
            }
            shape = layer.OutputShape(shape);
            current = output;
        }
        if (shape.Length != 2)
        {
            throw new NotSupportedException($"the model's output has shape {Tensors.Tensor.FormatShape(shape)} for one input; an exported classifier ends in (N, classes)");
        }
        string logits = softmax ? "logits" : "output";
        graph.Node.Add(Node("Identity", "", [current], logits));
        if (softmax)
        {
            graph.Node.Add(Node("Softmax", "", ["logits"], "probabilities", Int("axis", 1)));
        }
        graph.Output.Add(Value(softmax ? "probabilities" : "output", ["N", shape[1]],
            softmax ? $"the probability of each class: {string.Join(", ", input.ClassNames)}" : $"a score (logit) for each class: {string.Join(", ", input.ClassNames)}"));

        var onnx = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "NotebookNet",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            Graph = graph,
            DocString = $"{model} trained on {input.Dataset}",
        };
        onnx.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OperatorSet });
        onnx.MetadataProps.Add(new StringStringEntryProto { Key = "notebooknet.scaling", Value = $"{input.Scaling}: {Formula(input.Scaling)}" });
        onnx.MetadataProps.Add(new StringStringEntryProto { Key = "notebooknet.classes", Value = string.Join(",", input.ClassNames) });
        onnx.MetadataProps.Add(new StringStringEntryProto { Key = "notebooknet.dataset", Value = input.Dataset });
        return onnx;
    }

    public static void Write(Sequential model, ModelInput input, bool softmax, Stream stream) => Build(model, input, softmax).WriteTo(stream);

    /// <summary>How a pixel byte x becomes an input value.</summary>
    public static string Formula(PixelScaling scaling) => scaling switch
    {
        PixelScaling.ZeroToOne => "x/255",
        PixelScaling.Rashid => "x/255·0.99 + 0.01",
        PixelScaling.Standardized => "(x/255 − 0.1307)/0.3081",
        _ => scaling.ToString(),
    };

    /// <summary>The layers in order, nested <see cref="Sequential"/>s opened, each with the prefix of its state names (<c>3.</c>, <c>2.1.</c>).</summary>
    private static IEnumerable<(ILayer Layer, string Prefix)> Flattened(Sequential model, string prefix) =>
        model.Layers.SelectMany((layer, index) => layer is Sequential inner
            ? Flattened(inner, $"{prefix}{index}.")
            : [(layer, $"{prefix}{index.ToString(CultureInfo.InvariantCulture)}.")]);

    private static NodeProto Node(string operation, string prefix, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = operation, Name = prefix.Length == 0 ? operation : prefix + operation };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static TensorProto Tensor(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        // raw_data: fixed-width little-endian IEEE 754 floats, as the format prescribes.
        byte[] bytes = BitConverter.IsLittleEndian ? MemoryMarshal.AsBytes(values.AsSpan()).ToArray()
            : values.SelectMany(value => BitConverter.GetBytes(value).Reverse()).ToArray();
        tensor.RawData = ByteString.CopyFrom(bytes);
        return tensor;
    }

    private static ValueInfoProto Value(string name, object[] dims, string description)
    {
        var shape = new TensorShapeProto();
        foreach (object dim in dims)
        {
            shape.Dim.Add(dim is string symbol ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = (int)dim });
        }
        return new ValueInfoProto
        {
            Name = name,
            DocString = description,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
