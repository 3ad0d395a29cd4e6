using Grid.Core;

namespace Grid;

/// <summary>
/// One argument of a remote call: a plain value, or an <see cref="ObjectRef{T}"/> whose value the
/// task receives. Both convert implicitly, so <c>f.Remote(3)</c> and <c>f.Remote(ref3)</c> both work.
/// </summary>
public readonly struct Arg<T>
{
    private Arg(TaskArgument argument) => Argument = argument;

    internal TaskArgument Argument { get; }

    public static implicit operator Arg<T>(T value) => new(TaskArgument.Of(value, typeof(T)));
    public static implicit operator Arg<T>(ObjectRef<T> reference) => new(TaskArgument.Of(reference));
}
