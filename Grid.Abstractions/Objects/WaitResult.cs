namespace Grid;

/// <summary>The answer of a wait: refs that are ready (in completion order) and those that are not.</summary>
public sealed record WaitResult<T>(IReadOnlyList<ObjectRef<T>> Ready, IReadOnlyList<ObjectRef<T>> NotReady);
