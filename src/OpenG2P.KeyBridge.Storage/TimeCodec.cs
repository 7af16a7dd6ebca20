using System.Data.Common;
using System.Globalization;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>How a store writes and reads UTC timestamps.</summary>
internal abstract class TimeCodec
{
    /// <summary>ISO-8601 UTC text with 100 ns precision; fixed width, so it sorts chronologically (SQLite).</summary>
    public static TimeCodec IsoText { get; } = new IsoTextCodec();

    /// <summary>The provider's own timestamp type (PostgreSQL <c>timestamptz</c>).</summary>
    public static TimeCodec Native { get; } = new NativeCodec();

    public abstract object Write(DateTimeOffset t);

    public abstract DateTimeOffset Read(DbDataReader r, int ordinal);

    public object? WriteNullable(DateTimeOffset? t) => t is { } v ? Write(v) : null;

    public DateTimeOffset? ReadNullable(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : Read(r, ordinal);

    private sealed class IsoTextCodec : TimeCodec
    {
        private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

        public override object Write(DateTimeOffset t) => t.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

        public override DateTimeOffset Read(DbDataReader r, int ordinal) =>
            DateTimeOffset.ParseExact(r.GetString(ordinal), Format, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
    }

    private sealed class NativeCodec : TimeCodec
    {
        // Npgsql only accepts UTC (offset 0) values for timestamptz.
        public override object Write(DateTimeOffset t) => t.ToUniversalTime();

        public override DateTimeOffset Read(DbDataReader r, int ordinal) => r.GetFieldValue<DateTimeOffset>(ordinal);
    }
}
