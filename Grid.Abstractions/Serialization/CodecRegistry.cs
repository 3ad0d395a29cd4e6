using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace Grid.Serialization;

/// <summary>
/// One codec per type, built on first use and cached for the life of the process: after warm-up a
/// value is written without any reflection. Two tables: the codec for a slot *declared* as a type
/// (which for object, interfaces and non-sealed classes is a <see cref="PolymorphicCodec{T}"/>
/// that writes the runtime type), and the codec for values of *exactly* a type.
/// </summary>
/// <remarks>
/// Lookups are lock-free. Building takes one global lock (it is rare) so that recursive types work:
/// a codec is registered as "pending" before its children are resolved, so a child that refers
/// back to it (class Node { Node Next; }) finds it. Pending codecs become visible to other threads
/// only when the outermost build succeeds; a failed build (an unsupported member) discards what it
/// made.
/// </remarks>
internal static class CodecRegistry
{
    private static readonly ConcurrentDictionary<Type, Codec> Declared = new();
    private static readonly ConcurrentDictionary<Type, Codec> Exact = new();
    private static readonly object BuildLock = new();
    private static Dictionary<(Type Type, bool Declared), Codec>? s_pending;
    private static List<(Type Type, bool Declared)>? s_pendingOrder;

    /// <summary>The codec for a slot declared as <paramref name="type"/>.</summary>
    public static Codec ForDeclared(Type type) => Declared.TryGetValue(type, out var codec) ? codec : Build(type, declared: true);

    /// <summary>The codec for values whose runtime type is exactly <paramref name="type"/>.</summary>
    public static Codec ForExact(Type type) => Exact.TryGetValue(type, out var codec) ? codec : Build(type, declared: false);

    /// <summary>Typed lookup through a static generic cache: one field read after the first call.</summary>
    public static Codec<T> For<T>() => Cache<T>.Codec ?? (Cache<T>.Codec = (Codec<T>)ForDeclared(typeof(T)));

    /// <summary>
    /// Forgets the codecs of types for which <paramref name="unloaded"/> is true, and what other
    /// codecs cached about them, so a collectible load context can be collected.
    /// </summary>
    public static void Forget(Func<Type, bool> unloaded)
    {
        lock (BuildLock)
        {
            foreach (var table in (ConcurrentDictionary<Type, Codec>[])[Declared, Exact])
            {
                foreach (var (type, codec) in table)
                {
                    if (unloaded(type)) table.TryRemove(type, out _);
                    else codec.ForgetTypes(unloaded);
                }
            }
        }
    }

    private static class Cache<T>
    {
        public static Codec<T>? Codec;
    }

    private static Codec Build(Type type, bool declared)
    {
        lock (BuildLock)
        {
            if ((declared ? Declared : Exact).TryGetValue(type, out var codec)) return codec;
            bool outermost = s_pending is null;
            s_pending ??= [];
            s_pendingOrder ??= [];
            int mark = s_pendingOrder.Count;
            try
            {
                if (s_pending.TryGetValue((type, declared), out codec)) return codec;
                codec = declared ? CreateDeclared(type) : CreateExact(type);
                if (outermost)
                {
                    foreach (var (key, built) in s_pending) (key.Declared ? Declared : Exact).TryAdd(key.Type, built);
                }
                return codec;
            }
            catch
            {
                // Forget everything this attempt registered: some of it is half-initialized.
                for (int i = mark; i < s_pendingOrder.Count; i++) s_pending.Remove(s_pendingOrder[i]);
                s_pendingOrder.RemoveRange(mark, s_pendingOrder.Count - mark);
                throw;
            }
            finally
            {
                if (outermost)
                {
                    s_pending = null;
                    s_pendingOrder = null;
                }
            }
        }
    }

    private static Codec Register(Type type, bool declared, Codec codec, bool initialize)
    {
        s_pending![(type, declared)] = codec;
        s_pendingOrder!.Add((type, declared));
        if (initialize) codec.Initialize();
        return codec;
    }

    private static Codec CreateDeclared(Type type)
    {
        if (UnsupportedTypes.Reason(type) is { } reason) throw UnsupportedTypes.Exception(type, reason);
        if (!TypeFacts.NeedsTypeTag(type)) return Register(type, true, ForExact(type), initialize: false);
        return Register(type, true, Make(typeof(PolymorphicCodec<>), type), initialize: true);
    }

    private static Codec CreateExact(Type type) => Register(type, false, ChooseExact(type), initialize: true);

    /// <summary>Picks the codec for values of exactly <paramref name="type"/>; the order of the checks matters.</summary>
    private static Codec ChooseExact(Type type)
    {
        if (UnsupportedTypes.Reason(type) is { } reason) throw UnsupportedTypes.Exception(type, reason);
        if (type.GetCustomAttribute<GridCodecAttribute>(inherit: false) is { } named)
            return named.Codec.IsGenericTypeDefinition ? Make(named.Codec, type.GetGenericArguments()) : (Codec)Activator.CreateInstance(named.Codec)!;
        if (ExternalCodecs.For(type) is { } external) return external;
        if (type.IsInterface || type.IsAbstract)
            throw UnsupportedTypes.Exception(type, "it is abstract, so no value has exactly this type.");
        if (type == typeof(string)) return new StringCodec();
        if (typeof(Type).IsAssignableFrom(type)) return new TypeCodec(type);
        if (type == typeof(Uri)) return new UriCodec();
        if (type.IsArray) return ChooseArray(type);
        if (Nullable.GetUnderlyingType(type) is { } underlying) return Make(typeof(NullableCodec<>), underlying);
        if (TypeFacts.IsUnmanaged(type))
        {
            // Primitives, enums, DateTime, Guid, decimal and structs of them: one raw copy.
            TypeFacts.RejectPointerFields(type);
            return Make(typeof(UnmanagedCodec<>), type);
        }
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var args = type.GetGenericArguments();
            if (definition == typeof(ReadOnlyMemory<>))
                return Make(IsRawElement(type, args[0]) ? typeof(RawReadOnlyMemoryCodec<>) : typeof(ReadOnlyMemoryCodec<>), args);
            if (definition == typeof(Memory<>))
                return Make(IsRawElement(type, args[0]) ? typeof(RawMemoryCodec<>) : typeof(MemoryCodec<>), args);
            if (definition == typeof(ObjectRef<>)) return Make(typeof(ObjectRefCodec<>), args);
            if (definition == typeof(List<>)) return Make(typeof(ListCodec<>), args);
            if (definition == typeof(Dictionary<,>)) return Make(typeof(DictionaryCodec<,>), args);
            if (definition == typeof(HashSet<>)) return Make(typeof(HashSetCodec<>), args);
            if (definition == typeof(Queue<>)) return Make(typeof(QueueCodec<>), args);
            if (definition == typeof(Stack<>)) return Make(typeof(StackCodec<>), args);
        }
        if (typeof(Exception).IsAssignableFrom(type)) return Make(typeof(ExceptionCodec<>), type);
        if (!type.IsValueType && TypeFacts.CollectionElement(type) is { } element && TypeFacts.HasPublicParameterlessConstructor(type))
            return Make(typeof(CollectionCodec<,>), type, element);
        // Records, POCOs, structs, tuples, KeyValuePair…: every instance field.
        return type.IsValueType ? Make(typeof(StructCodec<>), type) : Make(typeof(ClassObjectCodec<>), type);
    }

    private static Codec ChooseArray(Type type)
    {
        var element = type.GetElementType()!;
        bool raw = IsRawElement(type, element);
        if (!type.IsSZArray) return Make(typeof(MdArrayCodec<,>), type, element);
        return raw ? Make(typeof(UnmanagedArrayCodec<>), element) : Make(typeof(ArrayCodec<>), element);
    }

    /// <summary>Whether a container's elements are raw memory (resolving, and so validating, their codec).</summary>
    private static bool IsRawElement(Type container, Type element)
    {
        try { return ForDeclared(element) is IRawCodec; }
        catch (UnsupportedTypeException e) { throw e.In(container, "[]"); }
    }

    private static Codec Make(Type open, params Type[] args)
    {
        try { return (Codec)Activator.CreateInstance(open.MakeGenericType(args))!; }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
