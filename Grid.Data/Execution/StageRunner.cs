using System.Diagnostics;
using Grid.Data.Blocks;
using Grid.Data.Formats;

namespace Grid.Data.Execution;

/// <summary>
/// Runs a fused stage on blocks where a data task runs: builds each operator's transform once (resolving its user
/// function in the job's code), passes every block through them in order, and reports per operator the rows it put
/// out and the time it took.
/// </summary>
internal sealed class StageRunner
{
    private readonly StageOp[] _ops;
    private readonly BlockTransform?[] _transforms;
    private readonly IFileSystem _files;

    public StageRunner(StageSpec stage, object? actor = null, IFileSystem? files = null)
    {
        _ops = stage.Ops;
        _files = files ?? LocalFileSystem.Instance;
        _transforms = [.. _ops.Select(op => op.Kind == StageOpKind.Write ? null : TransformFactory.Build(op, actor))];
    }

    /// <summary>
    /// Passes <paramref name="block"/> through the stage: the two items to yield, the output block (an empty item when
    /// it has no rows or was written) and then its metadata.
    /// </summary>
    /// <remarks>
    /// The metadata counts rows and seconds per operator; with <paramref name="readSeconds"/> (a read task) the source
    /// comes first, with the block's rows and the time its read took.
    /// </remarks>
    public IEnumerable<BlockItem> Run(RecordBatch block, int blockIndex, int part, double? readSeconds = null)
    {
        int first = readSeconds is null ? 0 : 1;
        var rows = new long[first + _ops.Length];
        var seconds = new double[rows.Length];
        if (readSeconds is { } read) (rows[0], seconds[0]) = (block.Length, read);
        string[]? files = null;
        RecordBatch? current = block;
        for (int i = 0; i < _ops.Length && current is not null; i++)
        {
            long start = Stopwatch.GetTimestamp();
            var input = current;
            if (_transforms[i] is { } transform) current = transform.Apply(current, blockIndex);
            else
            {
                files = [Write(_ops[i].Write!, current, blockIndex, part)];
                current = null;
            }
            seconds[first + i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            rows[first + i] = current?.Length ?? input.Length;
        }
        return BlockItems.Of(current, files, rows, seconds);
    }

    private string Write(WriteSpec write, RecordBatch block, int blockIndex, int part) =>
        FileFormats.WriteFile(_files, write.Format, write.Directory, $"{write.Prefix}_{blockIndex:D6}_{part:D3}{FileFormats.Extension(write.Format)}", [block]);
}

/// <summary>Builds the transform of a stage operator, closing its user function's generic types over the job's row types.</summary>
internal static class TransformFactory
{
    public static BlockTransform Build(StageOp op, object? actor)
    {
        switch (op.Kind)
        {
            case StageOpKind.SelectColumns: return new ColumnsTransform(op.Name, b => SchemaOps.Select(b, op.Columns!));
            case StageOpKind.DropColumns: return new ColumnsTransform(op.Name, b => SchemaOps.Drop(b, op.Columns!));
            case StageOpKind.RenameColumns: return new ColumnsTransform(op.Name, b => SchemaOps.Rename(b, op.Columns!));
        }
        var method = UserFunctions.Resolve(op.Function!);
        var p = method.ParameterTypes;
        var r = method.ResultType;
        switch (op.Kind)
        {
            case StageOpKind.Map:
                return Make(typeof(MapTransform<,>), [p[0], r], op.Name, Func(method, p[0], r));
            case StageOpKind.Filter:
                return Make(typeof(FilterTransform<>), [p[0]], op.Name, Func(method, p[0], typeof(bool)));
            case StageOpKind.FlatMap:
                return Make(typeof(FlatMapTransform<,,>), [p[0], UserFunctions.ElementType(r), r], op.Name, Func(method, p[0], r));
            case StageOpKind.AddColumn:
                return Make(typeof(AddColumnTransform<,>), [p[0], r], op.Name, op.Column!, Func(method, p[0], r));
            case StageOpKind.MapBatches:
                return new ArrowBatchTransform(op.Name, op.BatchSize, (Func<RecordBatch, RecordBatch>)Func(method, typeof(RecordBatch), typeof(RecordBatch)));
            case StageOpKind.MapRowBatches:
                return Make(typeof(RowBatchTransform<,,>), [RowsOf(p[0]), UserFunctions.ElementType(r), r], op.Name, op.BatchSize, Func(method, p[0], r));
            case StageOpKind.ActorBatches:
                // A typed delegate, not DynamicInvoke: the function's exception must reach the dataset's error as itself
                // (DynamicInvoke wraps it in a TargetInvocationException), and a call per batch stays a plain call.
                return new ArrowBatchTransform(op.Name, op.BatchSize, (Func<RecordBatch, RecordBatch>)BindActor(method, actor!, p, r));
            case StageOpKind.ActorRowBatches:
            {
                var bound = BindActor(method, actor!, p, r);
                return Make(typeof(RowBatchTransform<,,>), [RowsOf(p[1]), UserFunctions.ElementType(r), r], op.Name, op.BatchSize, bound);
            }
            default: throw new DataException($"Unknown dataset operator kind {op.Kind}.");
        }
    }

    private static Delegate Func(Grid.Functions.RemoteMethod method, Type input, Type output) =>
        UserFunctions.CreateDelegate(method, typeof(Func<,>).MakeGenericType(input, output));

    /// <summary>A Func&lt;TRows, TResult&gt; calling (actor, rows) => method(actor, rows): rows an Arrow batch or an IReadOnlyList&lt;TIn&gt;.</summary>
    private static Delegate BindActor(Grid.Functions.RemoteMethod method, object actor, Type[] p, Type r)
    {
        var call = UserFunctions.CreateDelegate(method, typeof(Func<,,>).MakeGenericType(p[0], p[1], r));
        var binder = typeof(TransformFactory).GetMethod(nameof(Bind), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(p[0], p[1], r);
        return (Delegate)binder.Invoke(null, [call, actor])!;
    }

    private static Func<TRows, TResult> Bind<TActor, TRows, TResult>(Func<TActor, TRows, TResult> call, object actor) => rows => call((TActor)actor, rows);

    /// <summary>The TIn of a batch function's IReadOnlyList&lt;TIn&gt; parameter.</summary>
    private static Type RowsOf(Type parameter) =>
        parameter.IsGenericType && parameter.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) ? parameter.GetGenericArguments()[0]
            : throw new DataException($"A row batch function takes IReadOnlyList<TRow>, not {parameter}.");

    private static BlockTransform Make(Type definition, Type[] arguments, params object[] ctorArgs) =>
        (BlockTransform)Activator.CreateInstance(definition.MakeGenericType(arguments), ctorArgs)!;
}
