namespace Grid.Data.Formats;

// CONTRACT STUB (helper "formats" fills it in; signatures are used by the executor).

/// <summary>The file formats a dataset reads and writes.</summary>
public enum FileFormat { Parquet, Csv, Json }

/// <summary>A piece of a source that one read task reads: a file, or some row groups of a Parquet file.</summary>
internal sealed record ReadFragment(string Path, int[]? RowGroups, long EstimatedRows, long EstimatedBytes);

/// <summary>Options of CSV reads.</summary>
public sealed record CsvReadOptions
{
    public char Delimiter { get; init; } = ',';
    public bool HasHeader { get; init; } = true;
}

internal static class FileFormats
{
    /// <summary>The read fragments of <paramref name="files"/>: one per file, or for Parquet with <paramref name="perRowGroup"/> one per row group.</summary>
    public static IReadOnlyList<ReadFragment> Fragments(IFileSystem fs, FileFormat format, IReadOnlyList<DataFile> files, bool perRowGroup) => throw new NotImplementedException();

    /// <summary>
    /// Reads one fragment as record batches of at most <paramref name="maxRowsPerBatch"/> rows, keeping only
    /// <paramref name="columns"/> (in that order) when given. Errors: <see cref="DataFileException"/> (unreadable),
    /// <see cref="SchemaMismatchException"/> (a projected column the file lacks).
    /// </summary>
    public static IEnumerable<RecordBatch> Read(IFileSystem fs, FileFormat format, ReadFragment fragment, IReadOnlyList<string>? columns, int maxRowsPerBatch, CsvReadOptions? csv = null) => throw new NotImplementedException();

    /// <summary>The schema of a file, read from its footer or header (inferred for CSV and JSON from its first rows).</summary>
    public static Schema ReadSchema(IFileSystem fs, FileFormat format, string path, CsvReadOptions? csv = null) => throw new NotImplementedException();

    /// <summary>
    /// Writes <paramref name="batches"/> (one schema) as one file <paramref name="fileName"/> under
    /// <paramref name="directory"/>: to a temporary name, renamed when complete, deleted on failure. Returns the final path.
    /// </summary>
    public static string WriteFile(IFileSystem fs, FileFormat format, string directory, string fileName, IEnumerable<RecordBatch> batches) => throw new NotImplementedException();

    /// <summary>The file name extension of a format, with its dot (".parquet", ".csv", ".jsonl").</summary>
    public static string Extension(FileFormat format) => format switch { FileFormat.Parquet => ".parquet", FileFormat.Csv => ".csv", _ => ".jsonl" };
}
