using System.Data.Common;
using OpenG2P.KeyBridge.Jobs;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>Column list and row reader for <c>jobs</c>.</summary>
internal static class JobRows
{
    public const string Columns = """
        id, kind, state, parameters, secret, created_by, created_at, updated_at, started_at, finished_at, cancel_requested,
        lease_owner, lease_until, hangfire_id, resume_after, total, done, changed, failed, min_version, run_started_at,
        run_done_start, error
        """;

    public static JobRecord Read(DbDataReader r, TimeCodec time) => new()
    {
        Id = r.GetString(0),
        Kind = r.GetString(1),
        State = JobStates.Parse(r.GetString(2)),
        Parameters = r.GetString(3),
        Secret = r.GetNullable<string>(4),
        CreatedBy = r.GetString(5),
        CreatedAt = time.Read(r, 6),
        UpdatedAt = time.Read(r, 7),
        StartedAt = time.ReadNullable(r, 8),
        FinishedAt = time.ReadNullable(r, 9),
        CancelRequested = r.GetBoolean(10),
        Owner = r.GetNullable<string>(11),
        LeaseUntil = time.ReadNullable(r, 12),
        HangfireId = r.GetNullable<string>(13),
        Progress = new JobProgress
        {
            Cursor = r.GetNullable<string>(14),
            Total = r.IsDBNull(15) ? null : r.GetInt64(15),
            Done = r.GetInt64(16),
            Changed = r.GetInt64(17),
            Failed = r.GetInt64(18),
            MinVersion = r.IsDBNull(19) ? null : r.GetInt32(19),
        },
        RunStartedAt = time.ReadNullable(r, 20),
        RunDoneAtStart = r.GetInt64(21),
        Error = r.GetNullable<string>(22),
    };
}
