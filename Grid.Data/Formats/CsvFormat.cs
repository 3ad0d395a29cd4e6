using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Grid.Data.Formats;

/// <summary>
/// CSV: UTF-8 (a byte order mark is skipped), RFC 4180 quoting (see <see cref="CsvParser"/>), a header row by default.
/// Column types are inferred over the whole file, before the first batch: int64 when every value is an integer,
/// double when every value is a number, bool (true/false, any case), timestamp when every value is an ISO 8601
/// date or date-time (microseconds, UTC; a value without an offset is UTC), else string. An empty field is null; a
/// column with only nulls is string. A record with a different number of fields than the header is a
/// <see cref="DataFileException"/> naming the line.
/// </summary>
internal static class CsvFormat
{
    public static Schema ReadSchema(IFileSystem fs, string path, CsvReadOptions options) => Infer(fs, path, options).Schema;

    public static IEnumerable<RecordBatch> Read(IFileSystem fs, string path, IReadOnlyList<string>? columns, int maxRowsPerBatch, CsvReadOptions options)
    {
        var (schema, kinds) = Infer(fs, path, options);
        int[] projection = FileFormats.Projection(schema, columns, path);
        var projected = FileFormats.Project(schema, projection);
        using var parser = Open(fs, path, options);
        if (options.HasHeader)
            parser.Read();
        var rows = new List<string?[]>(maxRowsPerBatch);
        while (true)
        {
            var record = parser.Read();
            if (record is not null)
                rows.Add(CheckWidth(record, kinds.Length, parser, path));
            if (rows.Count == maxRowsPerBatch || (record is null && rows.Count > 0))
            {
                var arrays = projection.Select(c => ScalarColumns.Build(kinds[c], new Fields(rows, c, kinds[c]))).ToList();
                yield return new RecordBatch(projected, arrays, rows.Count);
                rows.Clear();
            }
            if (record is null)
                yield break;
        }
    }

    /// <summary>The first pass over a file: its column names and the kind of each column.</summary>
    static (Schema Schema, ScalarKind[] Kinds) Infer(IFileSystem fs, string path, CsvReadOptions options)
    {
        using var parser = Open(fs, path, options);
        var first = parser.Read();
        if (first is null)
            throw new DataFileException(path, options.HasHeader ? "the file is empty: a CSV file needs a header row." : "the file is empty.");
        string[] names = options.HasHeader
            ? first.Select((n, i) => string.IsNullOrEmpty(n) ? $"f{i}" : n).ToArray()
            : first.Select((_, i) => $"f{i}").ToArray();
        var guesses = new KindGuess[names.Length];
        for (var record = options.HasHeader ? parser.Read() : first; record is not null; record = parser.Read())
        {
            CheckWidth(record, names.Length, parser, path);
            for (int c = 0; c < names.Length; c++)
                guesses[c].Observe(record[c]);
        }
        var kinds = guesses.Select(g => g.Kind).ToArray();
        var schema = new Schema(names.Select((n, c) => new Field(n, ScalarColumns.ArrowType(kinds[c]), nullable: true)), null);
        return (schema, kinds);
    }

    static CsvParser Open(IFileSystem fs, string path, CsvReadOptions options) =>
        new(new StreamReader(fs.OpenRead(path), Encoding.UTF8, detectEncodingFromByteOrderMarks: true), options.Delimiter, path);

    static string?[] CheckWidth(string?[] record, int width, CsvParser parser, string path) => record.Length == width ? record
        : throw new DataFileException(path, $"line {parser.RecordLine} has {record.Length} fields where the first row has {width}.");

    /// <summary>What one column's values so far can all be: narrowed by each value, never widened back.</summary>
    struct KindGuess
    {
        bool _seen, _notLong, _notDouble, _notBool, _notTimestamp;

        public void Observe(string? value)
        {
            if (string.IsNullOrEmpty(value))
                return;
            _seen = true;
            _notLong = _notLong || !Values.TryLong(value, out _);
            _notDouble = _notDouble || !Values.TryDouble(value, out _);
            _notBool = _notBool || !Values.TryBool(value, out _);
            _notTimestamp = _notTimestamp || !Values.TryTimestamp(value, out _);
        }

        public readonly ScalarKind Kind =>
            !_seen ? ScalarKind.String
            : !_notLong ? ScalarKind.Int64
            : !_notDouble ? ScalarKind.Double
            : !_notBool ? ScalarKind.Boolean
            : !_notTimestamp ? ScalarKind.Timestamp
            : ScalarKind.String;
    }

    /// <summary>The parsing of CSV values, the same in inference and reading.</summary>
    static class Values
    {
        // ISO 8601: a date, or a date and time to seconds or fractions (up to 100 ns) with an optional offset or 'Z'.
        static readonly Regex Iso8601 = new(@"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$", RegexOptions.CultureInvariant);

        public static bool TryLong(string s, out long value) => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

        public static bool TryDouble(string s, out double value) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

        public static bool TryBool(string s, out bool value) => bool.TryParse(s, out value) && !s.Any(char.IsWhiteSpace);

        public static bool TryTimestamp(string s, out DateTimeOffset value)
        {
            value = default;
            return Iso8601.IsMatch(s)
                && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
        }
    }

    /// <summary>Column <c>column</c> of a batch's records, parsed as <c>kind</c>.</summary>
    sealed class Fields(List<string?[]> rows, int column, ScalarKind kind) : IScalarSource
    {
        public int Length => rows.Count;
        public bool IsNull(int row) => kind == ScalarKind.String ? rows[row][column] is null : string.IsNullOrEmpty(rows[row][column]);
        public long Int64(int row) => Values.TryLong(rows[row][column]!, out var v) ? v : throw Unparsable(row);
        public double Double(int row) => Values.TryDouble(rows[row][column]!, out var v) ? v : throw Unparsable(row);
        public bool Boolean(int row) => Values.TryBool(rows[row][column]!, out var v) ? v : throw Unparsable(row);
        public DateTimeOffset Timestamp(int row) => Values.TryTimestamp(rows[row][column]!, out var v) ? v : throw Unparsable(row);
        public string String(int row) => rows[row][column]!;

        // Unreachable while inference saw the same values; a file changed between the two passes can get here.
        InvalidOperationException Unparsable(int row) => new($"The value '{rows[row][column]}' is not a {kind}: the file changed while it was read.");
    }

    /// <summary>
    /// Writes a header row and then a line (LF) per row; fields with the delimiter, a quote, a line break or
    /// surrounding spaces are quoted, as is an empty string (an unquoted empty field is null). Timestamps are ISO
    /// 8601 ("O"), dates yyyy-MM-dd, binary base64, doubles always with a decimal point, lists and structs JSON.
    /// </summary>
    internal sealed class Writer : IFormatWriter
    {
        readonly StreamWriter _writer;
        readonly StringBuilder _line = new();

        public Writer(Stream stream, Schema schema)
        {
            ArrowValues.EnsureWritable(schema, "CSV");
            _writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true);
            WriteLine(schema.FieldsList.Count, i => schema.FieldsList[i].Name);
        }

        public void Write(RecordBatch batch)
        {
            for (int row = 0; row < batch.Length; row++)
                WriteLine(batch.ColumnCount, c => Text(ArrowValues.Get(batch.Column(c), row)));
        }

        public void Finish() => _writer.Flush();

        public void Dispose() => _writer.Dispose();

        void WriteLine(int count, Func<int, string?> field)
        {
            _line.Clear();
            for (int i = 0; i < count; i++)
            {
                if (i > 0)
                    _line.Append(',');
                AppendField(field(i));
            }
            _line.Append('\n');
            _writer.Write(_line);
        }

        void AppendField(string? value)
        {
            if (value is null)
                return;
            bool quote = value.Length == 0 || value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]);
            if (!quote)
            {
                _line.Append(value);
                return;
            }
            _line.Append('"').Append(value.Replace("\"", "\"\"")).Append('"');
        }

        static string? Text(object? value) => value switch
        {
            null => null,
            string s => s,
            bool b => b ? "true" : "false",
            double d => ScalarColumns.FormatDouble(d),
            float f => ScalarColumns.FormatFloat(f),
            DateTimeOffset t => ScalarColumns.FormatTimestamp(t),
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            byte[] bytes => Convert.ToBase64String(bytes),
            IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
            _ => JsonFormat.ToJson(value),
        };
    }
}
