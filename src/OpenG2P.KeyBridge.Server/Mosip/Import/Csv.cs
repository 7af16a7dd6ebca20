using System.Text;

namespace OpenG2P.KeyBridge.Server.Mosip.Import;

/// <summary>
/// RFC 4180 CSV with a header row, as PostgreSQL's <c>COPY … (FORMAT csv, HEADER)</c> writes it: fields quoted with
/// '"' when needed, '""' inside quotes, line breaks inside quoted fields (PEM certificates have them).
/// </summary>
public static class Csv
{
    /// <summary>Rows as column name → value; null when the text is not well-formed CSV.</summary>
    public static List<Dictionary<string, string>>? Parse(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                        continue;
                    }
                    quoted = false;
                    i++;
                    continue;
                }
                field.Append(c);
                i++;
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    break;
                case '"':
                    return null; // a quote inside an unquoted field
                case ',':
                    record.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    record.Add(field.ToString());
                    field.Clear();
                    records.Add(record);
                    record = [];
                    break;
                default:
                    field.Append(c);
                    break;
            }
            i++;
        }
        if (quoted)
        {
            return null;
        }
        if (field.Length > 0 || record.Count > 0)
        {
            record.Add(field.ToString());
            records.Add(record);
        }
        records.RemoveAll(r => r.Count == 1 && r[0].Length == 0); // blank lines
        if (records.Count == 0)
        {
            return [];
        }
        var header = records[0].Select(h => h.Trim()).ToList();
        var rows = new List<Dictionary<string, string>>();
        foreach (var r in records.Skip(1))
        {
            if (r.Count != header.Count)
            {
                return null;
            }
            rows.Add(header.Zip(r).ToDictionary(p => p.First, p => p.Second, StringComparer.OrdinalIgnoreCase));
        }
        return rows;
    }
}
