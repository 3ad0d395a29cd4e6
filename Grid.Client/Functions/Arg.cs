namespace Grid;

/// <summary>
/// One argument of a remote call: a plain value, or an <see cref="ObjectRef{T}"/> whose value the
/// task receives. Both convert implicitly, so <c>f.Remote(3)</c> and <c>f.Remote(ref3)</c> both work.
/// </summary>
public readonly struct Arg<T>
{
    private Arg(TaskArgument argument) => Argument = argument;

    public TaskArgument Argument { get; }

    public static implicit operator Arg<T>(T value) => new(TaskArgument.Of(value, typeof(T)));
    public static implicit operator Arg<T>(ObjectRef<T> reference) => new(TaskArgument.Of(reference));
}

/// <summary>An untyped argument as the submitter sees it: a value with its declared type, or a ref.</summary>
public readonly record struct TaskArgument(object? Value, Type DeclaredType, ObjectRef? Reference)
{
    public static TaskArgument Of(object? value, Type declaredType) => new(value, declaredType, null);
    public static TaskArgument Of(ObjectRef reference) =>
        new(null, reference?.ValueType ?? throw new ArgumentNullException(nameof(reference)), reference);
}
