namespace Grid.Inference;

/// <summary>
/// A model file could not be loaded: it is missing, or it is not what the loader reads (a TorchSharp state dict, a
/// TorchScript archive, an ONNX model). <see cref="Path"/> names the file; the library's error is the inner exception.
/// Thrown by a model actor's constructor, it is what every later call to the actor fails with.
/// </summary>
public sealed class ModelLoadException : GridException
{
    public ModelLoadException(string path, string problem, Exception? inner = null)
        : base($"Could not load the model file '{path}': {problem}", inner) => Path = path;

    public string Path { get; }
}
