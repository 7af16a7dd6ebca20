using System.Data.Common;
using System.Globalization;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>
/// Applies the embedded <c>Migrations/&lt;dialect&gt;/NNNN_name.sql</c> scripts in order and records each in
/// <c>schema_migrations</c>. The caller provides a transaction that already excludes other migrators.
/// </summary>
internal static class MigrationRunner
{
    public sealed record Migration(int Version, string Name, string Sql);

    public static IReadOnlyList<Migration> Load(string dialect)
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var prefix = $"{assembly.GetName().Name}.Migrations.{dialect}.";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(prefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }
            // "0001_initial.sql" (MSBuild may prefix names that start with a digit with '_').
            var name = resource[prefix.Length..^".sql".Length].TrimStart('_');
            var digits = name.Split('_', 2)[0];
            var version = int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(version, name, reader.ReadToEnd()));
        }
        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        if (migrations.Count == 0 || migrations.Select(m => m.Version).Distinct().Count() != migrations.Count)
        {
            throw new InvalidOperationException($"embedded {dialect} migrations are missing or numbered twice");
        }
        return migrations;
    }

    /// <summary>Applies what is missing; returns how many scripts ran.</summary>
    public static async Task<int> ApplyAsync(DbConnection c, DbTransaction tx, IReadOnlyList<Migration> migrations,
        string createTable, object appliedAt, CancellationToken ct)
    {
        await Db.ExecuteAsync(c, tx, createTable, ct).ConfigureAwait(false);
        var applied = (await Db.QueryAsync(c, tx, "SELECT version FROM schema_migrations", r => Convert.ToInt32(r.GetValue(0),
            CultureInfo.InvariantCulture), ct).ConfigureAwait(false)).ToHashSet();
        var ran = 0;
        foreach (var m in migrations.Where(m => !applied.Contains(m.Version)))
        {
            await Db.ExecuteAsync(c, tx, m.Sql, ct).ConfigureAwait(false);
            await Db.ExecuteAsync(c, tx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)", ct,
                ("version", m.Version), ("name", m.Name), ("at", appliedAt)).ConfigureAwait(false);
            ran++;
        }
        return ran;
    }
}
