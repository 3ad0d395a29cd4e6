using System.Text;

namespace Grid.Data.Formats;

/// <summary>
/// Reads the records of an RFC 4180 CSV text: fields separated by a delimiter, records by CRLF or LF; a field in
/// double quotes may hold delimiters, line breaks and doubled quotes (""). An unquoted empty field is null, a quoted
/// one ("") the empty string, so that text written by <see cref="CsvFormat.Writer"/> keeps nulls and empty strings
/// apart. Empty lines are skipped. A quote left open, or text after a closing quote, is a <see cref="DataFileException"/>
/// naming the line.
/// </summary>
internal sealed class CsvParser(TextReader reader, char delimiter, string path) : IDisposable
{
    readonly StringBuilder _field = new();
    readonly char[] _buffer = new char[1 << 16];
    int _position, _length;
    long _line = 1;

    /// <summary>The line (1-based) where the last record read by <see cref="Read"/> starts.</summary>
    public long RecordLine { get; private set; }

    /// <summary>The next record's fields, or null at the end of the text.</summary>
    public string?[]? Read()
    {
        var fields = new List<string?>();
        while (true)
        {
            RecordLine = _line;
            int c = Peek();
            if (c < 0)
                return null;
            if (c is '\r' or '\n')
            {
                EndOfLine(); // an empty line: no record
                continue;
            }
            while (true)
            {
                fields.Add(ReadField());
                c = Next();
                if (c == delimiter)
                    continue;
                if (c is '\r' or '\n')
                {
                    if (c == '\r' && Peek() == '\n')
                        Next();
                    _line++;
                }
                return [.. fields];
            }
        }
    }

    /// <summary>One field, leaving the delimiter, line break or end after it unread.</summary>
    string? ReadField()
    {
        _field.Clear();
        if (Peek() != '"')
        {
            while (Peek() is int c and >= 0 && c != delimiter && c is not ('\r' or '\n'))
                _field.Append((char)Next());
            return _field.Length == 0 ? null : _field.ToString();
        }
        long start = _line;
        Next();
        while (true)
        {
            int c = Next();
            if (c < 0)
                throw new DataFileException(path, $"a quoted field that starts on line {start} is never closed.");
            if (c == '"')
            {
                if (Peek() != '"')
                    break;
                Next();
            }
            else if (c == '\n')
                _line++;
            _field.Append((char)c);
        }
        if (Peek() is int after and >= 0 && after != delimiter && after is not ('\r' or '\n'))
            throw new DataFileException(path, $"line {_line} has text after the closing quote of a field (a quote inside a field must be doubled, and the field quoted).");
        return _field.ToString();
    }

    void EndOfLine()
    {
        if (Next() == '\r' && Peek() == '\n')
            Next();
        _line++;
    }

    int Peek()
    {
        if (_position == _length)
        {
            _length = reader.Read(_buffer, 0, _buffer.Length);
            _position = 0;
            if (_length == 0)
                return -1;
        }
        return _buffer[_position];
    }

    int Next()
    {
        int c = Peek();
        if (c >= 0)
            _position++;
        return c;
    }

    public void Dispose() => reader.Dispose();
}
