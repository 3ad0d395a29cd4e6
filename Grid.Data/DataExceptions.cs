namespace Grid.Data;

/// <summary>A dataset failed: the base of Grid.Data's errors.</summary>
public class DataException : GridException
{
    public DataException(string message) : base(message) { }
    public DataException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>
/// A user function of a dataset's operator threw: names the operator and the block, and carries the function's own
/// exception as <see cref="Exception.InnerException"/>. The dataset's other blocks are abandoned (nothing is written
/// under a final name for them).
/// </summary>
public sealed class DatasetOperatorException : DataException
{
    public DatasetOperatorException(string operatorName, int blockIndex, Exception inner)
        : base($"Dataset operator {operatorName} failed on block {blockIndex}: {inner.GetType().Name}: {inner.Message}. Fix the function (its exception is the inner one) and run the dataset again.", inner)
    {
        OperatorName = operatorName;
        BlockIndex = blockIndex;
    }

    /// <summary>The operator whose function threw, as <see cref="Dataset.ToString"/> names it (e.g. "Map(Parse)").</summary>
    public string OperatorName { get; }

    /// <summary>The index of the input block, in the order the source produced them.</summary>
    public int BlockIndex { get; }
}

/// <summary>A path given to a read matched no file (a missing file or directory, a glob that matched nothing).</summary>
public sealed class DataPathNotFoundException : DataException
{
    public DataPathNotFoundException(string path, string what)
        : base($"No {what} found at '{path}': check the path (a file, a directory or a glob), and that every node can read it.")
    {
        Path = path;
    }

    public string Path { get; }
}

/// <summary>A file could not be read or written as its format (corrupt, truncated, not that format, no permission).</summary>
public sealed class DataFileException : DataException
{
    public DataFileException(string path, string problem, Exception? inner = null)
        : base($"Cannot use '{path}': {problem}", inner)
    {
        Path = path;
    }

    public string Path { get; }
}

/// <summary>
/// Rows or blocks do not match the schema expected of them: a record property with no column of that name or of a
/// type it cannot take, blocks of one dataset with different columns, a missing key column. Names the column.
/// </summary>
public sealed class SchemaMismatchException : DataException
{
    public SchemaMismatchException(string column, string problem)
        : base($"Column '{column}': {problem}")
    {
        Column = column;
    }

    public string Column { get; }
}
