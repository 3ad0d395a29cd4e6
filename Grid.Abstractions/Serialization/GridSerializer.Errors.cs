using Grid.Wire;

namespace Grid.Serialization;

// Exceptions crossing processes: a task's exception becomes a RemoteError where it ran and is
// rebuilt as the same exception type where its result is read.
internal sealed partial class GridSerializer
{
    /// <summary>Key of <see cref="Exception.Data"/> that <see cref="ToException"/> sets to where the error happened.</summary>
    public const string OriginDataKey = "grid.origin";

    /// <summary>
    /// Describes <paramref name="ex"/> for the wire: its type name, message and stack trace as text,
    /// plus the exception itself Grid-serialized (null if it cannot be: the text still travels).
    /// </summary>
    public RemoteError ToRemoteError(Exception ex, string? origin)
    {
        ArgumentNullException.ThrowIfNull(ex);
        byte[]? bytes;
        try
        {
            bytes = Serialize(ex, typeof(Exception));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            bytes = null; // never let describing an error fail the error path
        }
        return new RemoteError
        {
            TypeName = ex.GetType().FullName ?? ex.GetType().Name,
            Message = ex.Message,
            StackTrace = ex.StackTrace,
            Origin = origin,
            Exception = bytes,
        };
    }

    /// <summary>
    /// Rebuilds the exception a <see cref="RemoteError"/> describes: the original type, message,
    /// derived fields and inner exceptions, with the remote stack trace attached (it shows first in
    /// StackTrace) and <see cref="OriginDataKey"/> in Data. When the type cannot be found or rebuilt
    /// here, a <see cref="GridTaskException"/> carrying the remote type, message and stack trace.
    /// </summary>
    public Exception ToException(RemoteError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Exception? exception = null;
        if (error.Exception is { } bytes)
        {
            try { exception = Deserialize<Exception>(bytes); }
            catch (GridSerializationException) { } // e.g. its type is not loaded here: try by name, then give up
        }
        exception ??= CreateByName(error);
        if (exception is null) return new GridTaskException(error.TypeName, error.Message, error.StackTrace, error.Origin);
        if (exception.StackTrace is null) ExceptionBuilder.SetRemoteStackTrace(exception, error.StackTrace);
        if (error.Origin is not null)
        {
            try { exception.Data[OriginDataKey] = error.Origin; }
            catch (Exception e) when (e is ArgumentException or NotSupportedException) { }
        }
        return exception;
    }

    /// <summary>When only the text arrived: an exception of the named type with the message, if that type exists here.</summary>
    private Exception? CreateByName(RemoteError error)
    {
        try
        {
            var type = ResolveType(error.TypeName);
            if (type is null || !typeof(Exception).IsAssignableFrom(type) || type.IsAbstract || type.ContainsGenericParameters) return null;
            return ExceptionBuilder.Create(type, error.Message, inner: null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }
}
