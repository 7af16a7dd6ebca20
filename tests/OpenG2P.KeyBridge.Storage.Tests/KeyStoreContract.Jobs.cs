using OpenG2P.KeyBridge.Jobs;
using OpenG2P.KeyBridge.Storage;
using static OpenG2P.KeyBridge.Storage.Tests.TestData;

namespace OpenG2P.KeyBridge.Storage.Tests;

public abstract partial class KeyStoreContract
{
    private IJobStore Jobs => (IJobStore)Store;

    private static JobRecord NewJob(string? kind = null) => new()
    {
        Id = Unique("job"),
        Kind = kind ?? "reencryption",
        Parameters = """{"model":"res.partner"}""",
        Secret = "kb:secret",
        CreatedBy = "operator",
        CreatedAt = Now(),
        Progress = new JobProgress { Total = 10 },
    };

    private static DateTimeOffset In(int seconds) => DateTimeOffset.UtcNow.AddSeconds(seconds);

    [Fact]
    public async Task A_new_job_is_queued_and_read_back_whole()
    {
        var job = NewJob();

        await Jobs.CreateJobAsync(job);
        var read = (await Jobs.GetJobAsync(job.Id))!;

        Assert.Equal(JobState.Queued, read.State);
        Assert.Equal((job.Kind, job.Parameters, job.Secret, job.CreatedBy, job.CreatedAt), (read.Kind, read.Parameters, read.Secret, read.CreatedBy, read.CreatedAt));
        Assert.Equal(10, read.Progress.Total);
        Assert.Null(await Jobs.GetJobAsync(Unique("job")));
    }

    [Fact]
    public async Task Only_one_worker_holds_a_job_until_its_lease_lapses()
    {
        var job = NewJob();
        await Jobs.CreateJobAsync(job);
        var other = (IJobStore)Fixture.OtherNode;

        var first = await Jobs.TryClaimAsync(job.Id, "w1", In(60));
        var second = await other.TryClaimAsync(job.Id, "w2", In(60));

        Assert.Equal(JobState.Running, first!.State);
        Assert.NotNull(first.StartedAt);
        Assert.Null(second);
        Assert.NotNull(await Jobs.TryClaimAsync(job.Id, "w1", In(60)));
        Assert.Null(await Jobs.RenewLeaseAsync(job.Id, "w2", In(60)));

        await Jobs.RenewLeaseAsync(job.Id, "w1", In(-1));
        var taken = await other.TryClaimAsync(job.Id, "w2", In(60));

        Assert.Equal("w2", taken!.Owner);
        // The old worker is fenced off: it can neither save progress nor finish the job.
        Assert.Null(await Jobs.CheckpointAsync(job.Id, "w1", In(60), new JobProgress { Cursor = "99", Done = 99 }, 0, 99, []));
        Assert.False(await Jobs.FinishJobAsync(job.Id, "w1", JobState.Succeeded, null));
        Assert.Null((await Jobs.GetJobAsync(job.Id))!.Progress.Cursor);
    }

    [Fact]
    public async Task Checkpoints_save_progress_and_replace_failures_of_a_repeated_page()
    {
        var job = NewJob();
        await Jobs.CreateJobAsync(job);
        await Jobs.TryClaimAsync(job.Id, "w", In(60));

        await Jobs.CheckpointAsync(job.Id, "w", In(60), new JobProgress { Cursor = "10", Total = 30, Done = 10, Changed = 7, MinVersion = 3 }, 0, 10,
            [new JobFailure("4", 4, "context_mismatch"), new JobFailure("9", 9, "bad")]);
        // The same page again (a resumed run): record 4 now succeeds, record 9 fails differently.
        var cancel = await Jobs.CheckpointAsync(job.Id, "w", In(60), new JobProgress { Cursor = "10", Total = 30, Done = 10, Changed = 8, MinVersion = 3 }, 0, 10,
            [new JobFailure("9", 9, "worse")]);
        await Jobs.CheckpointAsync(job.Id, "w", In(60), new JobProgress { Cursor = "20", Total = 30, Done = 20, Changed = 15, MinVersion = 3 }, 10, 20,
            [new JobFailure("12", 12, "x"), new JobFailure("11", 11, "y")]);
        var read = (await Jobs.GetJobAsync(job.Id))!;
        var failures = await Jobs.ListFailuresAsync(job.Id, null, 10);

        Assert.False(cancel);
        Assert.Equal(new JobProgress { Cursor = "20", Total = 30, Done = 20, Changed = 15, Failed = 3, MinVersion = 3 }, read.Progress);
        Assert.Equal([("9", "worse"), ("11", "y"), ("12", "x")], failures.Select(f => (f.Item, f.Reason)));
        Assert.Equal(["12"], (await Jobs.ListFailuresAsync(job.Id, 11, 10)).Select(f => f.Item));
    }

    [Fact]
    public async Task Cancelling_a_queued_job_ends_it_and_a_running_job_is_asked_to_stop()
    {
        var queued = NewJob();
        var running = NewJob();
        await Jobs.CreateJobAsync(queued);
        await Jobs.CreateJobAsync(running);
        await Jobs.TryClaimAsync(running.Id, "w", In(60));

        var q = await Jobs.RequestCancelAsync(queued.Id);
        var r = await Jobs.RequestCancelAsync(running.Id);

        Assert.Equal(JobState.Cancelled, q!.State);
        Assert.NotNull(q.FinishedAt);
        Assert.Null(await Jobs.TryClaimAsync(queued.Id, "w", In(60)));
        Assert.Equal(JobState.Running, r!.State);
        Assert.True(r.CancelRequested);
        Assert.True(await Jobs.RenewLeaseAsync(running.Id, "w", In(60)));
        Assert.True(await Jobs.FinishJobAsync(running.Id, "w", JobState.Cancelled, null));
        Assert.Equal(JobState.Cancelled, (await Jobs.GetJobAsync(running.Id))!.State);
        Assert.Null(await Jobs.RequestCancelAsync(Unique("job")));
    }

    [Fact]
    public async Task Finished_jobs_cannot_be_claimed_and_failures_keep_their_reason()
    {
        var job = NewJob();
        await Jobs.CreateJobAsync(job);
        await Jobs.TryClaimAsync(job.Id, "w", In(60));

        Assert.True(await Jobs.FinishJobAsync(job.Id, "w", JobState.Failed, "Odoo refused access"));
        var read = (await Jobs.GetJobAsync(job.Id))!;

        Assert.Equal((JobState.Failed, "Odoo refused access"), (read.State, read.Error));
        Assert.Null(read.Owner);
        Assert.Null(await Jobs.TryClaimAsync(job.Id, "w", In(60)));
    }

    [Fact]
    public async Task Orphaned_jobs_are_active_jobs_with_no_live_lease_left_untouched()
    {
        var released = NewJob();
        var leased = NewJob();
        var finished = NewJob();
        foreach (var j in new[] { released, leased, finished })
        {
            await Jobs.CreateJobAsync(j);
            await Jobs.TryClaimAsync(j.Id, "w", In(60));
        }
        await Jobs.ReleaseJobAsync(released.Id, "w");
        await Jobs.FinishJobAsync(finished.Id, "w", JobState.Succeeded, null);

        var soon = (await Jobs.ListOrphanedJobsAsync(DateTimeOffset.UtcNow.AddSeconds(-30), 1000)).Select(j => j.Id).ToList();
        var later = (await Jobs.ListOrphanedJobsAsync(DateTimeOffset.UtcNow.AddSeconds(1), 1000)).Select(j => j.Id).ToList();

        Assert.DoesNotContain(released.Id, soon);
        Assert.Contains(released.Id, later);
        Assert.DoesNotContain(leased.Id, later);
        Assert.DoesNotContain(finished.Id, later);
    }

    [Fact]
    public async Task Jobs_are_listed_newest_first_with_filters_and_paging()
    {
        var kind = Unique("kind");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var j = NewJob(kind);
            await Jobs.CreateJobAsync(j);
            ids.Add(j.Id);
        }
        await Jobs.SetHangfireIdAsync(ids[0], "hf-1");
        await Jobs.RequestCancelAsync(ids[1]);

        var all = await Jobs.ListJobsAsync(kind, null, null, 10);
        var page = await Jobs.ListJobsAsync(kind, null, ids[2], 10);
        var cancelled = await Jobs.ListJobsAsync(kind, JobState.Cancelled, null, 10);

        Assert.Equal([ids[2], ids[1], ids[0]], all.Select(j => j.Id));
        Assert.Equal([ids[1], ids[0]], page.Select(j => j.Id));
        Assert.Equal([ids[1]], cancelled.Select(j => j.Id));
        Assert.Equal("hf-1", all[2].HangfireId);
    }
}
