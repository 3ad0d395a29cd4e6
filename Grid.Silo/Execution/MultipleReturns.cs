using System.Collections;
using System.Runtime.CompilerServices;
using Grid.Wire;

namespace Grid.Silo.Execution;

/// <summary>
/// A task with several returns (Ray's <c>num_returns</c>): its function's value — a tuple, or an array, list or sequence —
/// is split into its elements, each stored as an object of its own under <see cref="ObjectId.ForReturn"/>(task, i)
/// (inline when small, in this node's store when large), and the owner gets every element's payload in one outcome
/// (<see cref="ObjectPayload.Several"/>).
/// </summary>
internal static class MultipleReturns
{
    /// <summary>Stores each of the <paramref name="count"/> elements of <paramref name="value"/>; throws <see cref="ReturnCountMismatchException"/> when it has another number.</summary>
    public static async ValueTask<ObjectPayload> StoreAsync(Core.CoreWorker worker, ObjectId taskId, object? value, Type type, int count, GrainId owner, string function)
    {
        var (elements, types) = Split(value, type);
        if (elements is null || elements.Count != count)
        {
            var returned = elements?.Count ?? -1;
            throw new ReturnCountMismatchException(
                $"{function} declared {count} returns but returned {(elements is null ? "null" : $"{returned} value{(returned == 1 ? "" : "s")}")}: " +
                "return exactly as many elements as TaskOptions.NumReturns says (a tuple's arity for RemoteSplit).", count, returned);
        }
        var parts = new ObjectPayload[count];
        var stored = 0;
        try
        {
            for (; stored < count; stored++)
                parts[stored] = await worker.StoreValueAsync(ObjectId.ForReturn(taskId, stored), elements[stored], types(stored), owner: owner).ConfigureAwait(false);
        }
        catch
        {
            // The task fails (a full store, an element that cannot be serialized): the owner never hears of the elements
            // stored so far, so nobody would free them.
            for (var i = 0; i < stored; i++)
                if (parts[i].Kind == PayloadKind.Stored && parts[i].Node == worker.LocalNode) worker.LocalStore?.Delete(ObjectId.ForReturn(taskId, i));
            throw;
        }
        return ObjectPayload.Several(parts);
    }

    /// <summary>The elements of a tuple (each declared as its type argument) or of a sequence (each as its element type); null elements for null.</summary>
    private static (IReadOnlyList<object?>? Elements, Func<int, Type> Types) Split(object? value, Type type)
    {
        if (value is null) return (null, _ => typeof(object));
        if (value is ITuple tuple && (IsTuple(type) || IsTuple(type = value.GetType())))
        {
            var arguments = type.GetGenericArguments();
            var elements = new object?[tuple.Length];
            for (var i = 0; i < tuple.Length; i++) elements[i] = tuple[i];
            // Up to 7 elements the type arguments are the elements' types; past that (a nested rest) they are read as object.
            return (elements, i => i < 7 ? arguments[i] : typeof(object));
        }
        if (value is IEnumerable sequence and not string)
        {
            var elementType = type.IsArray ? type.GetElementType()! : ElementTypeOf(type) ?? typeof(object);
            var elements = new List<object?>();
            foreach (var e in sequence) elements.Add(e);
            return (elements, _ => elementType);
        }
        return ([value], _ => type); // one value: a mismatch unless one return was declared
    }

    private static bool IsTuple(Type type) =>
        type.IsGenericType && type.FullName is { } name && (name.StartsWith("System.ValueTuple`", StringComparison.Ordinal) || name.StartsWith("System.Tuple`", StringComparison.Ordinal));

    private static Type? ElementTypeOf(Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)) return type.GetGenericArguments()[0];
        return type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
    }
}
