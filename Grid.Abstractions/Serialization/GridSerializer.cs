using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Grid.Serialization;

/// <summary>
/// Grid's value serializer: task arguments, return values and put values to bytes and back. Users
/// never annotate their types: records, POCOs and structs are written field by field, collections
/// by content, unmanaged arrays as one raw block. Thread-safe; codecs are built once per type and
/// shared by all instances.
/// </summary>
/// <remarks>
/// <para>Format: a version byte (<see cref="FormatVersion"/>), then the value as the declared type
/// reads it. The bytes do not say the top-level type: read with the type you wrote.</para>
/// <para>Values are trees: an object referenced twice is written twice and read back as two copies;
/// a cycle is an error. Raw blocks of unmanaged data are 8-aligned relative to the start of the
/// buffer, so a reader holding it at an aligned address can view them in place.</para>
/// <para>Type names in the data are resolved to types (see <see cref="TypeResolver"/>): deserialize
/// only data from your own cluster, as with any serializer that names types.</para>
/// </remarks>
internal sealed partial class GridSerializer
{
    /// <summary>
    /// The first byte of everything this serializer writes. 2: a ref names its owner by a tag (none, the previous
    /// ref's owner, or the owner written out), so a process of an older build fails with a version error.
    /// </summary>
    public const byte FormatVersion = 2;

    private readonly ConcurrentDictionary<string, Type> _resolvedTypes = new(StringComparer.Ordinal);
    private readonly int _maxDepth = 256;

    public static GridSerializer Instance { get; } = new();

    /// <summary>
    /// Resolves a type name found in the data ("Namespace.Type, AssemblyName", or a full name for
    /// <see cref="ToException"/>), e.g. from a job's own assembly load context. When it returns null,
    /// Type.GetType and then a scan of the loaded assemblies are tried.
    /// </summary>
    public Func<string, Type?>? TypeResolver { get; init; }

    /// <summary>How deep values may nest (objects in objects, collections in collections); deeper means a cycle.</summary>
    public int MaxDepth
    {
        get => _maxDepth;
        init => _maxDepth = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxDepth), "must be at least 1");
    }

    // ---- serialize ----------------------------------------------------------------------------

    public byte[] Serialize<T>(T value)
    {
        // Fast paths: the JIT keeps only the branch for this T. Each writes the exact bytes the
        // general codec would, straight into the result array.
        if (typeof(T) == typeof(int)) return FastPath.Scalar(Unsafe.As<T, int>(ref value));
        if (typeof(T) == typeof(long)) return FastPath.Scalar(Unsafe.As<T, long>(ref value));
        if (typeof(T) == typeof(double)) return FastPath.Scalar(Unsafe.As<T, double>(ref value));
        if (typeof(T) == typeof(bool)) return FastPath.Scalar(Unsafe.As<T, bool>(ref value));
        if (typeof(T) == typeof(string)) return FastPath.String(Unsafe.As<T, string?>(ref value));
        if (typeof(T) == typeof(byte[])) return FastPath.RawArray(Unsafe.As<T, byte[]?>(ref value));
        if (typeof(T) == typeof(int[])) return FastPath.RawArray(Unsafe.As<T, int[]?>(ref value));
        if (typeof(T) == typeof(double[])) return FastPath.RawArray(Unsafe.As<T, double[]?>(ref value));

        var codec = CodecOf<T>();
        var writer = new GridWriter(this, output: null);
        try
        {
            writer.WriteByte(FormatVersion);
            codec.Write(ref writer, value);
            return writer.ToArray();
        }
        catch (Exception e) when (WriteError(e, typeof(T)) is { } error)
        {
            throw error;
        }
        finally
        {
            writer.Dispose();
        }
    }

    public byte[] Serialize(object? value, Type declaredType)
    {
        CheckFits(value, declaredType);
        if (FastPath.TrySerialize(value, declaredType) is { } bytes) return bytes;
        var codec = CodecOf(declaredType);
        var writer = new GridWriter(this, output: null);
        try
        {
            writer.WriteByte(FormatVersion);
            codec.WriteBoxed(ref writer, value);
            return writer.ToArray();
        }
        catch (Exception e) when (WriteError(e, declaredType) is { } error)
        {
            throw error;
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>
    /// A one-dimensional array of unmanaged elements, declared as its own type, serializes as a short header and
    /// then the elements' memory as it is. This writes that header into <paramref name="header"/> (at least
    /// <see cref="RawArrayHeaderMax"/> bytes), so a caller can place the elements itself, e.g. straight into
    /// object-store memory without a staging copy; false (nothing written) for any other value.
    /// </summary>
    public bool TryWriteRawArrayHeader(object? value, Type declaredType, Span<byte> header, out int headerLength)
    {
        headerLength = 0;
        if (value is not Array array || value.GetType() != declaredType || !declaredType.IsSZArray) return false;
        var codec = CodecOf(declaredType).GetType();
        if (!codec.IsGenericType || codec.GetGenericTypeDefinition() != typeof(UnmanagedArrayCodec<>)) return false;
        headerLength = FastPath.RawArrayHeader(array.Length, header);
        return true;
    }

    /// <summary>
    /// Whether <paramref name="value"/> is mostly one block of raw memory larger than <paramref name="bytes"/> and holds
    /// no refs (a large tensor): such a value is best measured and then serialized straight into its object, as a large
    /// array is, rather than built in a growing buffer first.
    /// </summary>
    /// <remarks>Only types with a codec from another library can be such values: others are not looked up, so a put of any other value (one that cannot be serialized among them) goes on to the general path and its errors.</remarks>
    public static bool IsLargeRawValue(object? value, long bytes)
    {
        if (value is null || !ExternalCodecs.Covers(value.GetType())) return false;
        try
        {
            return CodecRegistry.ForExact(value.GetType()) is IRawValueCodec raw && raw.RawBytes(value) > bytes;
        }
        catch (UnsupportedTypeException)
        {
            return false; // the general path reports it, wrapped in Grid's words
        }
    }

    /// <summary>
    /// Splits a large raw value (<see cref="IsLargeRawValue"/>) into the serialized bytes that come before its raw block
    /// and the block's memory itself, so a caller can place the block straight into object-store memory or onto the
    /// wire without a staging copy, as <see cref="TryWriteRawArrayHeader"/> does for arrays. False when the value has
    /// no block in place (a tensor on a GPU, or not contiguous) or bytes follow its block: serialize it whole then.
    /// </summary>
    /// <param name="keepAlive">Holds the block's memory valid until disposed (null when the value itself does).</param>
    public bool TrySplitRawValue(object? value, Type declaredType, out byte[] header, out ReadOnlyMemory<byte> block, out IDisposable? keepAlive)
    {
        header = [];
        block = default;
        keepAlive = null;
        if (value is null || CodecRegistry.ForExact(value.GetType()) is not IRawValueCodec raw || !raw.TryGetBlock(value, out block, out keepAlive)) return false;
        var writer = new GridWriter(this, output: null) { LeaveRawBlockOut = true };
        try
        {
            writer.WriteByte(FormatVersion);
            CodecOf(declaredType).WriteBoxed(ref writer, value);
            if (writer.RawBlockAt >= 0 && writer.RawBlockAt == writer.Position && writer.RawBlockLength == block.Length)
            {
                header = writer.ToArray();
                return true;
            }
        }
        catch (Exception e) when (WriteError(e, declaredType) is { } error)
        {
            keepAlive?.Dispose();
            throw error;
        }
        finally
        {
            writer.Dispose();
        }
        keepAlive?.Dispose();
        keepAlive = null;
        block = default;
        return false;
    }

    /// <summary>The room <see cref="TryWriteRawArrayHeader"/> needs.</summary>
    public const int RawArrayHeaderMax = FastPath.RawArrayHeaderMax;

    /// <summary>
    /// Writes into <paramref name="output"/> (e.g. object-store memory). Large raw blocks are copied
    /// straight into it; alignment is relative to the first byte this call writes.
    /// </summary>
    public void Serialize(object? value, Type declaredType, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        CheckFits(value, declaredType);
        var codec = CodecOf(declaredType);
        var writer = new GridWriter(this, output);
        try
        {
            writer.WriteByte(FormatVersion);
            codec.WriteBoxed(ref writer, value);
            writer.Flush();
        }
        catch (Exception e) when (WriteError(e, declaredType) is { } error)
        {
            throw error;
        }
        finally
        {
            writer.Dispose();
        }
    }

    // ---- deserialize --------------------------------------------------------------------------

    /// <summary>
    /// Reads a value written for <paramref name="type"/>. ObjectRefs in it are bound to
    /// <paramref name="resolver"/>. A ReadOnlyMemory&lt;T&gt;/Memory&lt;T&gt; of unmanaged T is a view
    /// into <paramref name="data"/> when that is backed by a MemoryManager (valid as long as it is).
    /// </summary>
    public object? Deserialize(ReadOnlyMemory<byte> data, Type type, IObjectResolver? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        var codec = CodecOf(type);
        var reader = new GridReader(data, this, resolver);
        try
        {
            reader.ReadVersion();
            var value = codec.ReadBoxed(ref reader);
            reader.EnsureEnd();
            return value;
        }
        catch (Exception e) when (ReadError(e, type) is { } error)
        {
            throw error;
        }
    }

    public T Deserialize<T>(ReadOnlyMemory<byte> data, IObjectResolver? resolver = null)
    {
        if (typeof(T) == typeof(int)) return FastPath.ReadScalar<int, T>(data.Span);
        if (typeof(T) == typeof(long)) return FastPath.ReadScalar<long, T>(data.Span);
        if (typeof(T) == typeof(double)) return FastPath.ReadScalar<double, T>(data.Span);

        var codec = CodecOf<T>();
        var reader = new GridReader(data, this, resolver);
        try
        {
            reader.ReadVersion();
            var value = codec.Read(ref reader);
            reader.EnsureEnd();
            return value;
        }
        catch (Exception e) when (ReadError(e, typeof(T)) is { } error)
        {
            throw error;
        }
    }

    // ---- checks -------------------------------------------------------------------------------

    /// <summary>
    /// Throws a <see cref="GridSerializationException"/> naming the offending type and member path
    /// (e.g. "Job.Callback (System.Action)") if values declared as <paramref name="type"/> cannot be
    /// serialized. Slots declared as object or an interface are checked when a value is written.
    /// </summary>
    public void EnsureSerializable(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        CodecOf(type);
    }

    /// <summary>Whether <see cref="EnsureSerializable"/> would succeed.</summary>
    public bool IsSerializable(Type type)
    {
        try
        {
            EnsureSerializable(type);
            return true;
        }
        catch (GridSerializationException)
        {
            return false;
        }
    }

    private static Codec<T> CodecOf<T>()
    {
        try { return CodecRegistry.For<T>(); }
        catch (UnsupportedTypeException e) { throw e.ToGridException(); }
    }

    private static Codec CodecOf(Type type)
    {
        try { return CodecRegistry.ForDeclared(type); }
        catch (UnsupportedTypeException e) { throw e.ToGridException(); }
    }

    private static void CheckFits(object? value, Type declaredType)
    {
        ArgumentNullException.ThrowIfNull(declaredType);
        if (value is null)
        {
            if (declaredType.IsValueType && Nullable.GetUnderlyingType(declaredType) is null)
                throw new GridSerializationException($"null is not a valid {TypeNames.Full(declaredType)}.");
            return;
        }
        var target = Nullable.GetUnderlyingType(declaredType) ?? declaredType;
        if (!target.IsInstanceOfType(value))
            throw new GridSerializationException($"A {TypeNames.Full(value.GetType())} cannot be serialized as a {TypeNames.Full(declaredType)}.");
    }

    /// <summary>Every failure to write becomes a GridSerializationException.</summary>
    private static GridSerializationException? WriteError(Exception e, Type type) => e switch
    {
        GridSerializationException => null, // already says what is wrong: rethrow as is
        UnsupportedTypeException u => u.ToGridException(),
        OutOfMemoryException => null,
        BoundedOutput.LimitReached => null, // TrySerializeWithin's signal, not a failure
        _ => new GridSerializationException($"Grid could not serialize a {TypeNames.Full(type)}: {e.Message}", e),
    };

    /// <summary>Every failure to read (corrupt data, a missing type…) becomes a GridSerializationException.</summary>
    private static GridSerializationException? ReadError(Exception e, Type type) => e switch
    {
        GridSerializationException => null,
        UnsupportedTypeException u => u.ToGridException(),
        _ => new GridSerializationException(
            $"Grid could not deserialize a {TypeNames.Full(type)}: {e.Message} The bytes are corrupt, truncated, or were written for another type.", e),
    };

    // ---- type names ---------------------------------------------------------------------------

    /// <summary>
    /// A type named in data: the <see cref="TypeResolver"/> hook, then Type.GetType, then the loaded
    /// assemblies (by simple name, ignoring versions). Found types are cached; misses are not (the
    /// assembly may load later).
    /// </summary>
    internal Type? ResolveType(string name)
    {
        // Work of a job that shipped its own code runs inside that job's load context: the same
        // name may mean another type there (another build of the same assembly).
        if (LoadContexts.Current is { } job) return LoadContexts.Resolve(job, name, TypeResolver);
        if (_resolvedTypes.TryGetValue(name, out var type)) return type;
        type = TypeResolver?.Invoke(name) ?? GetType(name) ?? ScanLoadedAssemblies(name, null);
        // Types of collectible assemblies are not cached here: that would keep their context alive.
        if (type is not null && !type.IsCollectible) _resolvedTypes.TryAdd(name, type);
        return type;
    }

    internal static Type? GetType(string name)
    {
        try { return Type.GetType(name, throwOnError: false); }
        catch (Exception e) when (e is IOException or BadImageFormatException or ArgumentException or TypeLoadException)
        {
            return null; // e.g. the named assembly exists but cannot be loaded in this context
        }
    }

    /// <summary>Looks in <paramref name="assemblies"/> (default: every loaded assembly) by simple assembly name, then in any of them.</summary>
    internal static Type? ScanLoadedAssemblies(string name, IEnumerable<System.Reflection.Assembly>? assemblies)
    {
        int comma = name.IndexOf(',');
        var typeName = comma < 0 ? name : name[..comma].Trim();
        var assemblyName = comma < 0 ? null : name[(comma + 1)..].Trim();
        assemblies ??= AppDomain.CurrentDomain.GetAssemblies();
        if (assemblyName is not null)
        {
            foreach (var assembly in assemblies)
            {
                if (assembly.GetName().Name == assemblyName && assembly.GetType(typeName, throwOnError: false) is { } type) return type;
            }
        }
        foreach (var assembly in assemblies)
        {
            if (assembly.GetType(typeName, throwOnError: false) is { } type) return type;
        }
        return null;
    }
}
