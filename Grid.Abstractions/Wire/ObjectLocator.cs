namespace Grid.Wire;

/// <summary>
/// Where a node keeps an object's bytes on its machine: the file (in its memory directory or its spill directory)
/// and the machine's identity. A node on the same machine that can see the file reads it directly instead of
/// asking for chunks over the network.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record ObjectLocator([property: Id(0)] string Host, [property: Id(1)] string Path, [property: Id(2)] long Size);
