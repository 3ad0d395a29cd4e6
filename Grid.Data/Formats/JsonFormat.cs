using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Grid.Data.Formats;

/// <summary>
/// JSON lines: one JSON object per line (UTF-8; blank lines skipped). The columns are the members of the lines'
/// objects in the order first seen, their types inferred over the whole file (see <see cref="JsonShape"/>): numbers
/// int64 when all integral else double, strings, bools, arrays as Arrow lists, nested objects as Arrow structs.
/// Timestamps are strings in JSON and stay strings. A missing member is null. A line that is not a JSON object is a
/// <see cref="DataFileException"/> naming the path and line number.
/// </summary>
internal static class JsonFormat
{
    static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public static Schema ReadSchema(IFileSystem fs, string path) => Schema(Infer(fs, path));

    public static IEnumerable<RecordBatch> Read(IFileSystem fs, string path, IReadOnlyList<string>? columns, int maxRowsPerBatch)
    {
        var shape = Infer(fs, path);
        var schema = Schema(shape);
        int[] projection = FileFormats.Projection(schema, columns, path);
        var projected = FileFormats.Project(schema, projection);
        var members = shape.Members;
        var lines = new List<JsonDocument>(maxRowsPerBatch);
        try
        {
            foreach (var line in Lines(fs, path))
            {
                lines.Add(line);
                if (lines.Count == maxRowsPerBatch)
                {
                    yield return Batch(projected, projection.Select(i => members[i]), lines);
                    DisposeAll(lines);
                }
            }
            if (lines.Count > 0)
                yield return Batch(projected, projection.Select(i => members[i]), lines);
        }
        finally
        {
            DisposeAll(lines);
        }
    }

    /// <summary>The first pass over a file: the shape of its lines.</summary>
    static JsonShape Infer(IFileSystem fs, string path)
    {
        var shape = new JsonShape();
        foreach (var line in Lines(fs, path))
            using (line)
                shape.Observe(line.RootElement);
        return shape;
    }

    static Schema Schema(JsonShape shape) =>
        new(shape.Members.Select(m => new Field(m.Key, m.Value.ArrowType, nullable: true)), null);

    static RecordBatch Batch(Schema schema, IEnumerable<KeyValuePair<string, JsonShape>> columns, List<JsonDocument> lines)
    {
        var arrays = columns.Select(c => c.Value.Build(lines.Select(l =>
            l.RootElement.TryGetProperty(c.Key, out var value) ? value : (JsonElement?)null).ToList())).ToList();
        return new RecordBatch(schema, arrays, lines.Count);
    }

    /// <summary>The objects of a file's lines, each to be disposed by the caller.</summary>
    static IEnumerable<JsonDocument> Lines(IFileSystem fs, string path)
    {
        using var reader = new StreamReader(fs.OpenRead(path), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        long number = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            var document = Parse(line, number, path);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new DataFileException(path, $"line {number} is not a JSON object (each line of a JSON lines file must be one object).");
            }
            yield return document;
        }
    }

    static JsonDocument Parse(string line, long number, string path)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new DataFileException(path, $"line {number} is not valid JSON: {e.Message}", e);
        }
    }

    static void DisposeAll(List<JsonDocument> documents)
    {
        foreach (var document in documents)
            document.Dispose();
        documents.Clear();
    }

    /// <summary>A value of <see cref="ArrowValues.Get"/> as JSON text (lists and structs in CSV cells).</summary>
    public static string ToJson(object? value)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
            WriteValue(json, value);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// Writes a JSON object per row and a line feed after it; null values as null. Timestamps are ISO 8601 strings
    /// ("O"), dates yyyy-MM-dd strings, binary base64 strings, lists arrays, structs objects, doubles with a decimal
    /// point (so that they read back as doubles); NaN and infinities, which JSON lacks, the strings "NaN",
    /// "Infinity" and "-Infinity".
    /// </summary>
    internal sealed class Writer : IFormatWriter
    {
        readonly Stream _stream;
        readonly Utf8JsonWriter _json;
        readonly Schema _schema;

        public Writer(Stream stream, Schema schema)
        {
            ArrowValues.EnsureWritable(schema, "JSON");
            _stream = stream;
            _schema = schema;
            _json = new Utf8JsonWriter(stream, WriterOptions);
        }

        public void Write(RecordBatch batch)
        {
            for (int row = 0; row < batch.Length; row++)
            {
                _json.WriteStartObject();
                for (int c = 0; c < batch.ColumnCount; c++)
                {
                    _json.WritePropertyName(_schema.FieldsList[c].Name);
                    WriteValue(_json, ArrowValues.Get(batch.Column(c), row));
                }
                _json.WriteEndObject();
                _json.Flush();
                _json.Reset();
                _stream.WriteByte((byte)'\n');
            }
        }

        public void Finish() => _json.Flush();

        public void Dispose() => _json.Dispose();
    }

    static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case string s: json.WriteStringValue(s); break;
            case bool b: json.WriteBooleanValue(b); break;
            case double d: WriteDouble(json, d, ScalarColumns.FormatDouble); break;
            case float f: WriteDouble(json, f, _ => ScalarColumns.FormatFloat(f)); break;
            case decimal m: json.WriteNumberValue(m); break;
            case ulong u: json.WriteNumberValue(u); break;
            case DateTimeOffset t: json.WriteStringValue(ScalarColumns.FormatTimestamp(t)); break;
            case DateOnly d: json.WriteStringValue(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
            case byte[] bytes: json.WriteBase64StringValue(bytes); break;
            case List<KeyValuePair<string, object?>> members:
                json.WriteStartObject();
                foreach (var (name, member) in members)
                {
                    json.WritePropertyName(name);
                    WriteValue(json, member);
                }
                json.WriteEndObject();
                break;
            case List<object?> items:
                json.WriteStartArray();
                foreach (var item in items)
                    WriteValue(json, item);
                json.WriteEndArray();
                break;
            default: json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break; // the other integers
        }
    }

    static void WriteDouble(Utf8JsonWriter json, double value, Func<double, string> format)
    {
        if (double.IsFinite(value))
            json.WriteRawValue(format(value), skipInputValidation: true);
        else
            json.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }
}
