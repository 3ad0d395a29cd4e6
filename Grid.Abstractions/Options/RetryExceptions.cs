namespace Grid;

/// <summary>
/// Which exceptions thrown by a task or an actor method make Grid run it again (Ray's <c>retry_exceptions</c>):
/// <see cref="None"/> (Ray's default), <see cref="All"/>, or those of listed types and their subclasses
/// (<see cref="Of(Type[])"/>). Types travel by full name, so a listed type matches in any job's code.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class RetryExceptions
{
    [Id(0)] private readonly bool _all;
    [Id(1)] private readonly string[] _typeNames;

    private RetryExceptions(bool all, string[] typeNames)
    {
        _all = all;
        _typeNames = typeNames;
    }

    /// <summary>No exception is retried (the default; in call options it turns off a method's attribute).</summary>
    public static RetryExceptions None { get; } = new(false, []);

    /// <summary>Every exception the user's code throws is retried while retries are left.</summary>
    public static RetryExceptions All { get; } = new(true, []);

    /// <summary>Exceptions of these types, or of types derived from them, are retried.</summary>
    /// <exception cref="ArgumentException">A type is not an exception type.</exception>
    public static RetryExceptions Of(params Type[] types)
    {
        ArgumentNullException.ThrowIfNull(types);
        var names = new string[types.Length];
        for (var i = 0; i < types.Length; i++)
        {
            var type = types[i] ?? throw new ArgumentNullException(nameof(types), "RetryExceptions.Of got a null type.");
            if (!typeof(Exception).IsAssignableFrom(type) || type.ContainsGenericParameters)
                throw new ArgumentException($"RetryExceptions.Of: {type} is not an exception type; list types derived from System.Exception.", nameof(types));
            names[i] = type.FullName!;
        }
        return names.Length == 0 ? None : new(false, names);
    }

    /// <summary>Exceptions of type <typeparamref name="TException"/>, or of types derived from it, are retried.</summary>
    public static RetryExceptions Of<TException>() where TException : Exception => Of(typeof(TException));

    /// <summary>True for <see cref="All"/>.</summary>
    public bool RetriesAll => _all;

    /// <summary>True when nothing is retried.</summary>
    public bool IsNone => !_all && _typeNames.Length == 0;

    /// <summary>The full names of the listed types (empty for <see cref="All"/> and <see cref="None"/>).</summary>
    public IReadOnlyList<string> TypeNames => _typeNames;

    /// <summary>Whether <paramref name="error"/> is retried: its type, or a base type, is listed (by full name).</summary>
    public bool Matches(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (_all) return true;
        for (var type = error.GetType(); type is not null; type = type.BaseType)
            if (Array.IndexOf(_typeNames, type.FullName) >= 0) return true;
        return false;
    }

    public override string ToString() => _all ? "All" : IsNone ? "None" : $"Of({string.Join(", ", _typeNames)})";
}

/// <summary>
/// How a task or actor call is retried when the user's code throws, as it travels with the work. Null on the wire
/// (the common case) retries nothing; an actor call's policy holds only what its call options set, the rest coming
/// from the method's <see cref="ActorMethodAttribute"/> on the node.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record RetryPolicy([property: Id(0)] int? MaxRetries, [property: Id(1)] RetryExceptions? Exceptions)
{
    public const int DefaultMaxRetries = 3;

    /// <summary>A task's policy: null unless its options retry some exceptions.</summary>
    public static RetryPolicy? ForTask(TaskOptions options) =>
        options.RetryExceptions is { IsNone: false } exceptions ? new(options.MaxRetries, exceptions) : null;

    /// <summary>What an actor call's options set, or null when they set nothing.</summary>
    public static RetryPolicy? ForCall(ActorCallOptions? options) =>
        options is null || options.MaxRetries is null && options.RetryExceptions is null ? null : new(options.MaxRetries, options.RetryExceptions);

    /// <summary>An actor call's policy: its options' settings over the method's attribute's.</summary>
    public static RetryPolicy? ForActorCall(RetryPolicy? call, ActorMethodAttribute? method)
    {
        var exceptions = call?.Exceptions ?? method?.RetryExceptions;
        return exceptions is null or { IsNone: true } ? null : new(call?.MaxRetries ?? method?.MaxRetries ?? DefaultMaxRetries, exceptions);
    }

    /// <summary>
    /// Whether a run that threw <paramref name="error"/> as attempt <paramref name="attempt"/> (0 the first) runs again:
    /// attempts count from the first run of the work, node-death resubmits included, so one budget bounds both.
    /// </summary>
    public bool Retries(Exception error, int attempt)
    {
        var max = MaxRetries ?? DefaultMaxRetries;
        return (max < 0 || attempt < max) && Exceptions is { } exceptions && exceptions.Matches(error);
    }
}
