namespace Grid;

/// <summary>
/// Per-method defaults of an actor method (Ray's <c>@ray.method</c>): how often it is run again when it throws one
/// of the listed exceptions, and the concurrency group it runs in. <see cref="ActorCallOptions"/> given to a call
/// override them.
/// </summary>
/// <example><c>[ActorMethod(MaxRetries = 2, RetryExceptionTypes = new[] { typeof(IOException) })]</c></example>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class ActorMethodAttribute : Attribute
{
    /// <summary>How often the method is run again after throwing a retried exception; -1 forever. 3 by default.</summary>
    public int MaxRetries { get; set; } = RetryPolicy.DefaultMaxRetries;
    /// <summary>Retry on every exception (Ray's <c>retry_exceptions=True</c>).</summary>
    public bool RetryAllExceptions { get; set; }
    /// <summary>Retry on exceptions of these types and their subclasses.</summary>
    public Type[]? RetryExceptionTypes { get; set; }

    /// <summary>The concurrency group the method runs in (declared with <see cref="ConcurrencyGroupAttribute"/>); null: the default group.</summary>
    public string? ConcurrencyGroup { get; set; }

    internal RetryExceptions? RetryExceptions =>
        RetryAllExceptions ? Grid.RetryExceptions.All : RetryExceptionTypes is { Length: > 0 } types ? Grid.RetryExceptions.Of(types) : null;
}

/// <summary>
/// Options of one actor method call (<c>handle.Call(a =&gt; a.Method(), new ActorCallOptions { ... })</c>), as Ray's
/// <c>actor.method.options(...)</c>. A property left null takes the method's <see cref="ActorMethodAttribute"/>, else the default.
/// </summary>
public sealed record ActorCallOptions
{
    /// <summary>How often the call is run again after throwing a retried exception; -1 forever; null: the method's (3 by default).</summary>
    public int? MaxRetries { get; init; }
    /// <summary>Which exceptions are retried; null: the method's (none by default). <see cref="Grid.RetryExceptions.None"/> turns its attribute off.</summary>
    public RetryExceptions? RetryExceptions { get; init; }
    /// <summary>The concurrency group this call runs in; null: the method's (the default group unless its attribute names one).</summary>
    public string? ConcurrencyGroup { get; init; }
    /// <summary>For a call made as a stream (<c>CallStream</c>): as <see cref="TaskOptions.GeneratorBackpressure"/>; null: unbounded.</summary>
    public int? GeneratorBackpressure { get; init; }
}
