namespace Grid.Core;

/// <summary>An untyped argument as the submitter sees it: a value with its declared type, or a ref.</summary>
internal readonly record struct TaskArgument(object? Value, Type DeclaredType, ObjectRef? Reference)
{
    public static TaskArgument Of(object? value, Type declaredType) => new(value, declaredType, null);
    public static TaskArgument Of(ObjectRef reference) =>
        new(null, reference?.ValueType ?? throw new ArgumentNullException(nameof(reference)), reference);
}
