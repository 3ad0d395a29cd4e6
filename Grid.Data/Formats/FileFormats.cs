using ParquetSharp;

namespace Grid.Data.Formats;

/// <summary>The file formats a dataset reads and writes.</summary>
public enum FileFormat { Parquet, Csv, Json }

/// <summary>
/// A piece of a source that one read task reads: a file, or some row groups of a Parquet file. For Parquet the
/// estimates come from the footer (rows, and the uncompressed bytes of its row groups); for CSV and JSON lines
/// <see cref="EstimatedRows"/> is -1 (unknown without reading the file) and <see cref="EstimatedBytes"/> the file's size.
/// </summary>
internal sealed record ReadFragment(string Path, int[]? RowGroups, long EstimatedRows, long EstimatedBytes);

/// <summary>Options of CSV reads.</summary>
public sealed record CsvReadOptions
{
    public char Delimiter { get; init; } = ',';

    /// <summary>Whether the first row names the columns; without one they are named f0, f1, ...</summary>
    public bool HasHeader { get; init; } = true;
}

/// <summary>A writer of one file of a format: batches of one schema in, <see cref="Finish"/> when all are in.</summary>
internal interface IFormatWriter : IDisposable
{
    void Write(RecordBatch batch);

    /// <summary>Completes the file (a Parquet footer, the last buffered bytes); before it the file is not valid.</summary>
    void Finish();
}

/// <summary>
/// Reads and writes the files of datasets. Parquet keeps its schema exactly; CSV and JSON lines infer theirs from
/// the whole file (two passes over it: one to infer, one to read), so that every batch of a file has the same
/// schema, <see cref="ReadSchema"/> agrees with <see cref="Read"/>, and no value late in a file can fail a read.
/// </summary>
internal static class FileFormats
{
    /// <summary>The read fragments of <paramref name="files"/>: one per file, or for Parquet with <paramref name="perRowGroup"/> one per row group.</summary>
    public static IReadOnlyList<ReadFragment> Fragments(IFileSystem fs, FileFormat format, IReadOnlyList<DataFile> files, bool perRowGroup)
    {
        if (format != FileFormat.Parquet)
            return files.Select(f => new ReadFragment(f.Path, null, -1, f.Bytes)).ToList();
        var fragments = new List<ReadFragment>();
        foreach (var file in files)
            fragments.AddRange(ParquetFormat.Fragments(fs, file.Path, perRowGroup));
        return fragments;
    }

    /// <summary>
    /// Reads one fragment, lazily, as record batches of at most <paramref name="maxRowsPerBatch"/> rows, keeping only
    /// <paramref name="columns"/> (in that order) when given. Errors: <see cref="DataPathNotFoundException"/> (the
    /// file is gone), <see cref="DataFileException"/> (unreadable: corrupt, truncated, not that format, a malformed
    /// line), <see cref="SchemaMismatchException"/> (a projected column the file lacks).
    /// </summary>
    public static IEnumerable<RecordBatch> Read(IFileSystem fs, FileFormat format, ReadFragment fragment, IReadOnlyList<string>? columns, int maxRowsPerBatch, CsvReadOptions? csv = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRowsPerBatch, 1);
        return format switch
        {
            FileFormat.Parquet => ParquetFormat.Read(fs, fragment, columns, maxRowsPerBatch),
            FileFormat.Csv => CsvFormat.Read(fs, fragment.Path, columns, maxRowsPerBatch, csv ?? new CsvReadOptions()),
            _ => JsonFormat.Read(fs, fragment.Path, columns, maxRowsPerBatch),
        };
    }

    /// <summary>The schema of a file: from the Parquet footer, or inferred from all the rows of a CSV or JSON lines file.</summary>
    public static Schema ReadSchema(IFileSystem fs, FileFormat format, string path, CsvReadOptions? csv = null) => format switch
    {
        FileFormat.Parquet => ParquetFormat.ReadSchema(fs, path),
        FileFormat.Csv => CsvFormat.ReadSchema(fs, path, csv ?? new CsvReadOptions()),
        _ => JsonFormat.ReadSchema(fs, path),
    };

    /// <summary>
    /// Writes <paramref name="batches"/> (one schema) as one file <paramref name="fileName"/> under
    /// <paramref name="directory"/>: to a temporary name, renamed when complete, deleted on failure. Returns the final
    /// path. Parquet writes a row group per batch. A batch of zero rows still gives the schema: only zero-row batches
    /// write a valid empty file (a Parquet footer, a CSV header line, an empty JSON lines file). No batch at all is an
    /// <see cref="ArgumentException"/> (there is no schema to write) and writes nothing. Errors: the enumeration's
    /// own, <see cref="SchemaMismatchException"/> (a batch of another schema, a type the format cannot write),
    /// <see cref="DataFileException"/> (I/O and Parquet errors, wrapped). After any of them no file is left behind.
    /// </summary>
    public static string WriteFile(IFileSystem fs, FileFormat format, string directory, string fileName, IEnumerable<RecordBatch> batches)
    {
        string path = Path.Combine(directory, fileName);
        using var batch = batches.GetEnumerator();
        if (!batch.MoveNext())
            throw new ArgumentException($"No batches to write to '{path}': a file needs at least one batch (a batch of zero rows writes an empty file with its schema).", nameof(batches));
        var schema = batch.Current.Schema;
        string? temporary = null;
        try
        {
            fs.CreateDirectory(directory);
            using (var stream = fs.CreateTemporary(path, out temporary))
            using (var writer = CreateWriter(format, stream, schema))
            {
                do
                {
                    EnsureSameSchema(schema, batch.Current.Schema, path);
                    writer.Write(batch.Current);
                }
                while (batch.MoveNext());
                writer.Finish();
            }
            fs.Commit(temporary, path);
            return path;
        }
        catch (Exception e)
        {
            if (temporary is not null)
                DeleteQuietly(fs, temporary);
            if (e is IOException or UnauthorizedAccessException or ParquetException)
                throw new DataFileException(path, $"writing it as {format} failed: {e.Message}", e);
            throw;
        }
    }

    /// <summary>The file name extension of a format, with its dot (".parquet", ".csv", ".jsonl").</summary>
    public static string Extension(FileFormat format) => format switch { FileFormat.Parquet => ".parquet", FileFormat.Csv => ".csv", _ => ".jsonl" };

    /// <summary>
    /// The indices in <paramref name="schema"/> of <paramref name="columns"/>, in their order (every column when null).
    /// Throws <see cref="SchemaMismatchException"/> for a column the file lacks, listing the ones it has.
    /// </summary>
    internal static int[] Projection(Schema schema, IReadOnlyList<string>? columns, string path)
    {
        if (columns is null)
            return Enumerable.Range(0, schema.FieldsList.Count).ToArray();
        var indices = new int[columns.Count];
        for (int i = 0; i < columns.Count; i++)
        {
            indices[i] = schema.GetFieldIndex(columns[i]);
            if (indices[i] < 0)
                throw new SchemaMismatchException(columns[i], $"not in file '{path}' (its columns: {string.Join(", ", schema.FieldsList.Select(f => f.Name))}).");
        }
        return indices;
    }

    /// <summary>The schema of the fields of <paramref name="schema"/> at <paramref name="indices"/>, in that order.</summary>
    internal static Schema Project(Schema schema, int[] indices) =>
        new(indices.Select(i => schema.FieldsList[i]), schema.Metadata);

    static IFormatWriter CreateWriter(FileFormat format, Stream stream, Schema schema) => format switch
    {
        FileFormat.Parquet => new ParquetFormat.Writer(stream, schema),
        FileFormat.Csv => new CsvFormat.Writer(stream, schema),
        _ => new JsonFormat.Writer(stream, schema),
    };

    static void EnsureSameSchema(Schema expected, Schema actual, string path)
    {
        if (actual.FieldsList.Count != expected.FieldsList.Count)
            throw new SchemaMismatchException(actual.FieldsList.Count > expected.FieldsList.Count ? actual.FieldsList[^1].Name : expected.FieldsList[^1].Name,
                $"the batches written to '{path}' have different columns ({string.Join(", ", expected.FieldsList.Select(f => f.Name))} and then {string.Join(", ", actual.FieldsList.Select(f => f.Name))}).");
        for (int i = 0; i < expected.FieldsList.Count; i++)
        {
            Field e = expected.FieldsList[i], a = actual.FieldsList[i];
            if (e.Name != a.Name || !TypesEqual(e.DataType, a.DataType))
                throw new SchemaMismatchException(e.Name, $"the batches written to '{path}' differ at column {i}: {e.Name} {e.DataType.Name} and then {a.Name} {a.DataType.Name}.");
        }
    }

    /// <summary>Arrow types equal in what a file keeps: id, unit, time zone, precision, and element types.</summary>
    static bool TypesEqual(IArrowType a, IArrowType b) => (a, b) switch
    {
        (TimestampType x, TimestampType y) => x.Unit == y.Unit && x.Timezone == y.Timezone,
        (Decimal128Type x, Decimal128Type y) => x.Precision == y.Precision && x.Scale == y.Scale,
        (NestedType x, NestedType y) => x.TypeId == y.TypeId && x.Fields.Count == y.Fields.Count
            && x.Fields.Zip(y.Fields).All(p => p.First.Name == p.Second.Name && TypesEqual(p.First.DataType, p.Second.DataType)),
        _ => a.TypeId == b.TypeId,
    };

    static void DeleteQuietly(IFileSystem fs, string path)
    {
        try
        {
            fs.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The write's own error is the one to report; a temporary file left behind is hidden from listings.
        }
    }
}
