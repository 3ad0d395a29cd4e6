using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Grid.Serialization;

/// <summary>
/// Types that make no sense in another process. Refusing them up front, with a message that says
/// what to send instead, beats writing their fields and handing the other side a broken object.
/// </summary>
internal static class UnsupportedTypes
{
    /// <summary>Why <paramref name="type"/> cannot be serialized, or null when it can (as far as the type alone says).</summary>
    public static string? Reason(Type type)
    {
        if (type.IsByRef)
            return "by-reference types cannot be stored in a value.";
        if (type.IsPointer || type.IsFunctionPointer || type.IsUnmanagedFunctionPointer || type == typeof(IntPtr) || type == typeof(UIntPtr))
            return "pointers and native handles (IntPtr, nint, T*) only mean something inside the process that made them; send the data they point to instead.";
        if (type.IsByRefLike)
            return "Span-like (ref struct) types live on the stack and cannot be stored or sent; use an array, ReadOnlyMemory<T> or Memory<T> instead.";
        if (type.ContainsGenericParameters)
            return "it is an open generic type; serialize a closed type such as List<int>.";
        if (typeof(Delegate).IsAssignableFrom(type))
            return "delegates (lambdas, Action, Func, events) cannot be sent to another process; send the data they need and call a remote function there, or mark the field [NonSerialized].";
        if (typeof(Stream).IsAssignableFrom(type))
            return "a stream is a live connection to a file, socket or memory of this process; read it into a byte[] (or Put it and pass the ObjectRef) and send that.";
        if (typeof(Task).IsAssignableFrom(type) || type == typeof(ValueTask)
            || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
            return "a Task is a computation running in this process; await it and send its result, or pass the ObjectRef of a remote task.";
        if (type == typeof(CancellationToken) || type == typeof(CancellationTokenSource) || type == typeof(CancellationTokenRegistration))
            return "cancellation tokens only work inside one process; pass a timeout or cancel the remote task through Grid instead.";
        if (typeof(Thread).IsAssignableFrom(type) || typeof(WaitHandle).IsAssignableFrom(type) || type == typeof(Timer)
            || type == typeof(SemaphoreSlim) || type == typeof(ManualResetEventSlim) || type == typeof(ReaderWriterLockSlim)
            || type == typeof(Lock) || typeof(SynchronizationContext).IsAssignableFrom(type) || typeof(TaskScheduler).IsAssignableFrom(type)
            || type == typeof(ExecutionContext) || IsGenericOf(type, typeof(ThreadLocal<>)) || IsGenericOf(type, typeof(AsyncLocal<>)))
            return "threads, locks and other synchronization objects belong to one process; each node makes its own.";
        if (typeof(SafeHandle).IsAssignableFrom(type) || typeof(CriticalHandle).IsAssignableFrom(type))
            return "an OS handle only means something inside the process that opened it; send the data instead.";
        if ((typeof(MemberInfo).IsAssignableFrom(type) && !typeof(Type).IsAssignableFrom(type))
            || typeof(Assembly).IsAssignableFrom(type) || typeof(Module).IsAssignableFrom(type) || typeof(ParameterInfo).IsAssignableFrom(type))
            return "reflection objects are tied to this process's loaded assemblies; send a name (or the Type) instead.";
        return null;
    }

    private static bool IsGenericOf(Type type, Type definition) => type.IsGenericType && type.GetGenericTypeDefinition() == definition;

    public static UnsupportedTypeException Exception(Type type, string reason) => new(type, reason);
}

/// <summary>
/// Raised while building or running codecs when a type cannot be serialized. Composite codecs add
/// the member they were in as it unwinds; <see cref="GridSerializer"/> turns it into a
/// <see cref="GridSerializationException"/> naming the path, e.g. "Job.Callback (System.Action)".
/// </summary>
internal sealed class UnsupportedTypeException : Exception
{
    private readonly List<string> _segments = []; // innermost first

    public UnsupportedTypeException(Type offending, string reason) : base(reason)
    {
        Offending = offending;
        Reason = reason;
    }

    public Type Offending { get; }
    public string Reason { get; }
    /// <summary>The outermost type the path starts at.</summary>
    public Type? Root { get; private set; }

    /// <summary>Adds a step, e.g. ".Callback" in <paramref name="owner"/>, or "[]" for an element.</summary>
    public UnsupportedTypeException In(Type owner, string segment)
    {
        _segments.Add(segment);
        Root = owner;
        return this;
    }

    public string Path
    {
        get
        {
            if (Root is null) return TypeNames.Full(Offending);
            var segments = Enumerable.Reverse(_segments);
            return $"{TypeNames.Short(Root)}{string.Concat(segments)} ({TypeNames.Full(Offending)})";
        }
    }

    public GridSerializationException ToGridException() =>
        new($"Grid cannot serialize {Path}: {Reason}", this);
}
