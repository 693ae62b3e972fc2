// System.Numerics.Tensors also declares a Tensor type; the library needs only its span kernels.
global using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
