using System.Runtime.CompilerServices;

// The serializer's tests check internals (that the fast paths match the general codecs byte for byte).
[assembly: InternalsVisibleTo("Grid.Abstractions.Tests")]
