namespace Grid.Cli;

/// <summary>A <c>grid</c> command failed for a reason the user can fix; the message says how. Printed without a stack trace.</summary>
public sealed class GridCliException(string message) : Exception(message);
