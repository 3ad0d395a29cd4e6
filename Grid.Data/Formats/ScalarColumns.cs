using System.Globalization;

namespace Grid.Data.Formats;

/// <summary>The column types CSV and JSON reads infer (JSON adds lists and structs of them).</summary>
internal enum ScalarKind { Int64, Double, Boolean, Timestamp, String }

/// <summary>
/// The values of one column of a batch being read from text: CSV fields or JSON values. <see cref="ScalarColumns.Build"/>
/// asks <see cref="IsNull"/> first, then the getter of the column's kind, which must succeed (the kind was inferred
/// from these same values).
/// </summary>
internal interface IScalarSource
{
    int Length { get; }
    bool IsNull(int row);
    long Int64(int row);
    double Double(int row);
    bool Boolean(int row);
    DateTimeOffset Timestamp(int row);
    string String(int row);
}

/// <summary>Arrow arrays of the inferred scalar kinds, and the text forms of values that CSV and JSON share.</summary>
internal static class ScalarColumns
{
    /// <summary>Timestamps read from text: microseconds, UTC (what Parquet and most engines use).</summary>
    public static readonly TimestampType Timestamp = new(TimeUnit.Microsecond, "UTC");

    public static IArrowType ArrowType(ScalarKind kind) => kind switch
    {
        ScalarKind.Int64 => Int64Type.Default,
        ScalarKind.Double => DoubleType.Default,
        ScalarKind.Boolean => BooleanType.Default,
        ScalarKind.Timestamp => Timestamp,
        _ => StringType.Default,
    };

    public static IArrowArray Build(ScalarKind kind, IScalarSource source) => kind switch
    {
        ScalarKind.Int64 => Fill(new Int64Array.Builder(), source, (b, row) => b.Append(source.Int64(row)), b => b.AppendNull()).Build(),
        ScalarKind.Double => Fill(new DoubleArray.Builder(), source, (b, row) => b.Append(source.Double(row)), b => b.AppendNull()).Build(),
        ScalarKind.Boolean => Fill(new BooleanArray.Builder(), source, (b, row) => b.Append(source.Boolean(row)), b => b.AppendNull()).Build(),
        ScalarKind.Timestamp => Fill(new TimestampArray.Builder(Timestamp), source, (b, row) => b.Append(source.Timestamp(row)), b => b.AppendNull()).Build(),
        _ => (IArrowArray)Fill(new StringArray.Builder(), source, (b, row) => b.Append(source.String(row)), b => b.AppendNull()).Build(),
    };

    static TBuilder Fill<TBuilder>(TBuilder builder, IScalarSource source, Action<TBuilder, int> append, Action<TBuilder> appendNull)
    {
        for (int row = 0; row < source.Length; row++)
            if (source.IsNull(row)) appendNull(builder); else append(builder, row);
        return builder;
    }

    /// <summary>
    /// A double as text that reads back as a double: round-trippable, invariant, and with a decimal point when it
    /// would have none ("1" → "1.0"), so that text inference does not take a whole double for an integer.
    /// </summary>
    public static string FormatDouble(double value) => WithPoint(value.ToString("R", CultureInfo.InvariantCulture));

    public static string FormatFloat(float value) => WithPoint(value.ToString("R", CultureInfo.InvariantCulture));

    static string WithPoint(string text) => text.AsSpan().IndexOfAny(".EeNI") >= 0 ? text : text + ".0";

    /// <summary>Timestamps as text: ISO 8601 round-trip ("O"), e.g. 2024-05-01T12:30:00.0000000+00:00.</summary>
    public static string FormatTimestamp(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);
}
