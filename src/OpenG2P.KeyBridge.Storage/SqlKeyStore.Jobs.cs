using System.Data.Common;
using OpenG2P.KeyBridge.Jobs;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>The job tables (migration 0003): state, lease, checkpoint and failures.</summary>
public abstract partial class SqlKeyStore : IJobStore
{
    private const string Active = "state IN ('queued', 'running')";

    public Task CreateJobAsync(JobRecord job, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        return RunAsync(c => Db.ExecuteAsync(c, null, """
            INSERT INTO jobs (id, kind, state, parameters, secret, created_by, created_at, updated_at, hangfire_id, total)
            VALUES (@id, @kind, @state, @parameters, @secret, @created_by, @created, @created, @hangfire, @total)
            """, ct,
            ("id", job.Id), ("kind", job.Kind), ("state", job.State.ToName()), ("parameters", job.Parameters), ("secret", job.Secret),
            ("created_by", job.CreatedBy), ("created", Time.Write(job.CreatedAt)), ("hangfire", job.HangfireId),
            ("total", job.Progress.Total)), null, ct);
    }

    public Task<JobRecord?> GetJobAsync(string id, CancellationToken ct = default) =>
        RunAsync(c => ReadJobAsync(c, null, id, ct), null, ct);

    public Task<IReadOnlyList<JobRecord>> ListJobsAsync(string? kind, JobState? state, string? beforeId, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var where = new List<string>();
        var parameters = new List<(string, object?)> { ("limit", limit) };
        if (kind is not null)
        {
            where.Add("kind = @kind");
            parameters.Add(("kind", kind));
        }
        if (state is { } s)
        {
            where.Add("state = @state");
            parameters.Add(("state", s.ToName()));
        }
        if (beforeId is not null)
        {
            where.Add("seq < (SELECT seq FROM jobs WHERE id = @before)");
            parameters.Add(("before", beforeId));
        }
        var filter = where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);
        var sql = $"SELECT {JobRows.Columns} FROM jobs{filter} ORDER BY seq DESC LIMIT @limit";
        return RunAsync<IReadOnlyList<JobRecord>>(
            async c => await Db.QueryAsync(c, null, sql, r => JobRows.Read(r, Time), ct, [.. parameters]).ConfigureAwait(false), null, ct);
    }

    public Task SetHangfireIdAsync(string id, string hangfireId, CancellationToken ct = default) =>
        RunAsync(c => Db.ExecuteAsync(c, null, "UPDATE jobs SET hangfire_id = @hangfire, updated_at = @now WHERE id = @id", ct,
            ("hangfire", hangfireId), ("now", Time.Write(Now())), ("id", id)), null, ct);

    public Task<JobRecord?> RequestCancelAsync(string id, CancellationToken ct = default) =>
        InTransactionAsync(async (c, tx) =>
        {
            // Every SET expression sees the old row, so a queued job (no worker yet) ends here at once.
            await Db.ExecuteAsync(c, tx, $"""
                UPDATE jobs SET cancel_requested = @yes, updated_at = @now,
                                finished_at = CASE WHEN state = 'queued' THEN @now ELSE finished_at END,
                                state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END
                WHERE id = @id AND {Active}
                """, ct, ("yes", true), ("now", Time.Write(Now())), ("id", id)).ConfigureAwait(false);
            return await ReadJobAsync(c, tx, id, ct).ConfigureAwait(false);
        }, null, ct);

    public Task<JobRecord?> TryClaimAsync(string id, string owner, DateTimeOffset leaseUntil, CancellationToken ct = default) =>
        InTransactionAsync(async (c, tx) =>
        {
            var now = Time.Write(Now());
            var rows = await Db.QueryAsync(c, tx, $"""
                UPDATE jobs SET lease_owner = @owner, lease_until = @lease, state = 'running', updated_at = @now,
                                started_at = COALESCE(started_at, @now), run_started_at = @now, run_done_start = done
                WHERE id = @id AND {Active} AND (lease_owner IS NULL OR lease_owner = @owner OR lease_until < @now)
                RETURNING {JobRows.Columns}
                """, r => JobRows.Read(r, Time), ct,
                ("owner", owner), ("lease", Time.Write(leaseUntil)), ("now", now), ("id", id)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }, null, ct);

    public Task<bool?> CheckpointAsync(string id, string owner, DateTimeOffset leaseUntil, JobProgress progress, long fromItemNo, long toItemNo,
        IReadOnlyList<JobFailure> failures, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(failures);
        return InTransactionAsync<bool?>(async (c, tx) =>
        {
            var now = Time.Write(Now());
            var cancel = await Db.QueryAsync(c, tx, """
                UPDATE jobs SET resume_after = @cursor, total = @total, done = @done, changed = @changed, min_version = @min,
                                lease_until = @lease, updated_at = @now
                WHERE id = @id AND lease_owner = @owner AND state = 'running'
                RETURNING cancel_requested
                """, r => r.GetBoolean(0), ct,
                ("cursor", progress.Cursor), ("total", progress.Total), ("done", progress.Done), ("changed", progress.Changed),
                ("min", progress.MinVersion), ("lease", Time.Write(leaseUntil)), ("now", now), ("id", id), ("owner", owner))
                .ConfigureAwait(false);
            if (cancel.Count == 0)
            {
                return null;
            }
            // A page processed again after a crash replaces what its first attempt recorded.
            await Db.ExecuteAsync(c, tx, "DELETE FROM job_failures WHERE job_id = @id AND item_no > @from AND item_no <= @to", ct,
                ("id", id), ("from", fromItemNo), ("to", toItemNo)).ConfigureAwait(false);
            foreach (var f in failures)
            {
                await Db.ExecuteAsync(c, tx, """
                    INSERT INTO job_failures (job_id, item, item_no, reason, failed_at) VALUES (@id, @item, @no, @reason, @now)
                    ON CONFLICT (job_id, item) DO UPDATE SET item_no = excluded.item_no, reason = excluded.reason, failed_at = excluded.failed_at
                    """, ct, ("id", id), ("item", f.Item), ("no", f.ItemNo), ("reason", f.Reason), ("now", now)).ConfigureAwait(false);
            }
            await Db.ExecuteAsync(c, tx, "UPDATE jobs SET failed = (SELECT COUNT(*) FROM job_failures WHERE job_id = @id) WHERE id = @id", ct,
                ("id", id)).ConfigureAwait(false);
            return cancel[0];
        }, null, ct);
    }

    public Task<bool?> RenewLeaseAsync(string id, string owner, DateTimeOffset leaseUntil, CancellationToken ct = default) =>
        RunAsync<bool?>(async c =>
        {
            var cancel = await Db.QueryAsync(c, null, """
                UPDATE jobs SET lease_until = @lease, updated_at = @now
                WHERE id = @id AND lease_owner = @owner AND state = 'running'
                RETURNING cancel_requested
                """, r => r.GetBoolean(0), ct,
                ("lease", Time.Write(leaseUntil)), ("now", Time.Write(Now())), ("id", id), ("owner", owner)).ConfigureAwait(false);
            return cancel.Count == 0 ? null : cancel[0];
        }, null, ct);

    public Task<bool> FinishJobAsync(string id, string owner, JobState state, string? error, CancellationToken ct = default)
    {
        if (!state.IsFinal())
        {
            throw new ArgumentOutOfRangeException(nameof(state), "a job can only finish as succeeded, failed or cancelled");
        }
        return RunAsync(async c => await Db.ExecuteAsync(c, null, """
            UPDATE jobs SET state = @state, error = @error, finished_at = @now, updated_at = @now, lease_owner = NULL, lease_until = NULL
            WHERE id = @id AND lease_owner = @owner AND state = 'running'
            """, ct, ("state", state.ToName()), ("error", error), ("now", Time.Write(Now())), ("id", id), ("owner", owner))
            .ConfigureAwait(false) == 1, null, ct);
    }

    public Task ReleaseJobAsync(string id, string owner, CancellationToken ct = default) =>
        RunAsync(c => Db.ExecuteAsync(c, null, """
            UPDATE jobs SET lease_owner = NULL, lease_until = NULL, updated_at = @now WHERE id = @id AND lease_owner = @owner
            """, ct, ("now", Time.Write(Now())), ("id", id), ("owner", owner)), null, ct);

    public Task<IReadOnlyList<JobRecord>> ListOrphanedJobsAsync(DateTimeOffset untouchedSince, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return RunAsync<IReadOnlyList<JobRecord>>(async c => await Db.QueryAsync(c, null, $"""
            SELECT {JobRows.Columns} FROM jobs
            WHERE {Active} AND (lease_until IS NULL OR lease_until < @now) AND updated_at < @untouched
            ORDER BY seq LIMIT @limit
            """, r => JobRows.Read(r, Time), ct,
            ("now", Time.Write(Now())), ("untouched", Time.Write(untouchedSince)), ("limit", limit)).ConfigureAwait(false), null, ct);
    }

    public Task<IReadOnlyList<JobFailure>> ListFailuresAsync(string id, long? afterItemNo, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var after = afterItemNo is null ? "" : " AND item_no > @after";
        (string, object?)[] parameters = afterItemNo is { } a ? [("id", id), ("limit", limit), ("after", a)] : [("id", id), ("limit", limit)];
        return RunAsync<IReadOnlyList<JobFailure>>(async c => await Db.QueryAsync(c, null,
            $"SELECT item, item_no, reason FROM job_failures WHERE job_id = @id{after} ORDER BY item_no, item LIMIT @limit",
            r => new JobFailure(r.GetString(0), r.GetInt64(1), r.GetString(2)), ct, parameters).ConfigureAwait(false), null, ct);
    }

    private async Task<JobRecord?> ReadJobAsync(DbConnection c, DbTransaction? tx, string id, CancellationToken ct)
    {
        var rows = await Db.QueryAsync(c, tx, $"SELECT {JobRows.Columns} FROM jobs WHERE id = @id", r => JobRows.Read(r, Time), ct,
            ("id", id)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }
}
