using System.Runtime.CompilerServices;

// The serializer's tests check internals (that the fast paths match the general codecs byte for byte).
[assembly: InternalsVisibleTo("Grid.Abstractions.Tests")]

// Grid.Inference writes TorchSharp tensors with a codec of its own (see ExternalCodecs).
[assembly: InternalsVisibleTo("Grid.Inference")]
// Grid.Data writes Arrow record batches with a codec of its own (see ExternalCodecs), and runs user functions by descriptor.
[assembly: InternalsVisibleTo("Grid.Data")]
