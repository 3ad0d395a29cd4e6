using ParquetSharp;
using ParquetSharp.Arrow;

namespace Grid.Data.Formats;

/// <summary>
/// Parquet through ParquetSharp's Arrow API. Files are written with their Arrow schema stored in the footer, so a
/// round trip keeps types Parquet itself lacks (unsigned integers, time zones, large strings); only timestamps in
/// seconds, which Parquet cannot store, come back in milliseconds. Snappy compression, one row group per batch. Reads open the file through <see cref="IFileSystem.OpenRead"/> and read only a
/// fragment's row groups and the projected columns.
/// </summary>
internal static class ParquetFormat
{
    public static IEnumerable<ReadFragment> Fragments(IFileSystem fs, string path, bool perRowGroup)
    {
        var rowGroups = Guard(path, () =>
        {
            using var stream = fs.OpenRead(path);
            using var reader = new ParquetFileReader(stream, leaveOpen: false);
            using var metadata = reader.FileMetaData;
            return Enumerable.Range(0, metadata.NumRowGroups).Select(i =>
            {
                using var rowGroup = reader.RowGroup(i);
                return (Index: i, Rows: rowGroup.MetaData.NumRows, Bytes: rowGroup.MetaData.TotalByteSize);
            }).ToList();
        });
        return perRowGroup
            ? rowGroups.Select(g => new ReadFragment(path, [g.Index], g.Rows, g.Bytes))
            : [new ReadFragment(path, rowGroups.Select(g => g.Index).ToArray(), rowGroups.Sum(g => g.Rows), rowGroups.Sum(g => g.Bytes))];
    }

    public static Schema ReadSchema(IFileSystem fs, string path) => Guard(path, () =>
    {
        using var stream = fs.OpenRead(path);
        using var reader = new FileReader(stream, leaveOpen: false);
        return reader.Schema;
    });

    public static IEnumerable<RecordBatch> Read(IFileSystem fs, ReadFragment fragment, IReadOnlyList<string>? columns, int maxRowsPerBatch)
    {
        string path = fragment.Path;
        using var stream = fs.OpenRead(path);
        using var properties = ArrowReaderProperties.GetDefault();
        properties.BatchSize = maxRowsPerBatch;
        properties.UseThreads = false; // a read task is one of many on the node: it takes one core
        using var reader = Guard(path, () => new FileReader(stream, arrowProperties: properties, leaveOpen: true));
        var schema = Guard(path, () => reader.Schema);
        int[] projection = FileFormats.Projection(schema, columns, path);
        int[] rowGroups = fragment.RowGroups ?? Enumerable.Range(0, Guard(path, () => reader.NumRowGroups)).ToArray();
        // The reader takes Parquet leaf columns (a list or struct column has its own leaves) and returns the selected
        // fields in file order; the batches are put back in the projection's order below.
        int[]? leaves = columns is null ? null : projection.Order().SelectMany(i => Leaves(reader.SchemaManifest.SchemaField(i))).ToArray();
        using var batches = Guard(path, () => reader.GetRecordBatchReader(rowGroups, leaves));
        while (Guard(path, () => batches.ReadNextRecordBatchAsync().AsTask().GetAwaiter().GetResult()) is { } batch)
            yield return columns is null ? batch : Reorder(batch, columns);
    }

    /// <summary>Writes one row group per batch, the Arrow schema stored in the footer, Snappy compressed.</summary>
    internal sealed class Writer : IFormatWriter
    {
        readonly FileWriter _writer;

        public Writer(Stream stream, Schema schema)
        {
            using var properties = new WriterPropertiesBuilder().Compression(Compression.Snappy).Build();
            using var arrowProperties = new ArrowWriterPropertiesBuilder().StoreSchema().Build();
            _writer = new FileWriter(stream, schema, properties, arrowProperties, leaveOpen: true);
        }

        public void Write(RecordBatch batch) => _writer.WriteRecordBatch(batch, Math.Max(batch.Length, 1));

        public void Finish() => _writer.Close();

        public void Dispose() => _writer.Dispose();
    }

    static IEnumerable<int> Leaves(SchemaField field) =>
        field.Children.Count == 0 ? [field.ColumnIndex] : field.Children.SelectMany(Leaves);

    static RecordBatch Reorder(RecordBatch batch, IReadOnlyList<string> columns)
    {
        int[] order = columns.Select(c => batch.Schema.GetFieldIndex(c)).ToArray();
        return new RecordBatch(FileFormats.Project(batch.Schema, order), order.Select(batch.Column), batch.Length);
    }

    /// <summary>Runs a ParquetSharp call, turning its errors (corrupt, truncated, not Parquet) into <see cref="DataFileException"/>.</summary>
    static T Guard<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not DataException and not OperationCanceledException and not OutOfMemoryException)
        {
            throw new DataFileException(path, $"not a readable Parquet file: {e.Message}", e);
        }
    }
}
