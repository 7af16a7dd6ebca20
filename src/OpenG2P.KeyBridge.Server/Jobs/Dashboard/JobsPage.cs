using System.Globalization;
using System.Net;
using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;
using OpenG2P.KeyBridge.Jobs;
using OpenG2P.KeyBridge.Server.Rpc.Methods;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Jobs.Dashboard;

/// <summary>
/// The dashboard's "KeyBridge jobs" page (<c>/hangfire/keybridge-jobs</c>): every job with a
/// progress bar, counts, rate and ETA from KeyBridge's own job tables; <c>?id=</c> shows one job
/// with its failed items.
/// </summary>
public sealed class JobsPage : RazorPage
{
    public const string Route = "/keybridge-jobs";

    public override void Execute()
    {
        var services = ((AspNetCoreDashboardContext)Context).HttpContext.RequestServices;
        var store = services.GetRequiredService<IJobStore>();
        var view = services.GetRequiredService<JobService>();
        var id = Query("id");
        Layout = new LayoutPage(id is null ? "KeyBridge jobs" : $"KeyBridge job {id}");
        WriteLiteral("<div class=\"row\"><div class=\"col-md-12\">");
        if (id is null)
        {
            WriteLiteral("<h1 class=\"page-header\">KeyBridge jobs</h1>");
            // Dashboard pages render synchronously; these are short indexed reads.
            var jobs = store.ListJobsAsync(null, null, null, 100).GetAwaiter().GetResult();
            if (jobs.Count == 0)
            {
                WriteLiteral("<div class=\"alert alert-info\">No jobs yet. Start one with job.start_reencryption or job.start_kek_rotation.</div>");
            }
            foreach (var job in jobs)
            {
                Render(view.View(job), link: true);
            }
        }
        else
        {
            var job = store.GetJobAsync(id).GetAwaiter().GetResult();
            if (job is null)
            {
                WriteLiteral("<div class=\"alert alert-warning\">No such job.</div>");
            }
            else
            {
                Render(view.View(job), link: false);
                var failures = store.ListFailuresAsync(job.Id, null, 200).GetAwaiter().GetResult();
                WriteLiteral($"<h3>Failed items ({job.Progress.Failed})</h3><table class=\"table table-condensed\"><thead><tr><th>item</th><th>reason</th></tr></thead><tbody>");
                foreach (var f in failures)
                {
                    WriteLiteral($"<tr><td>{E(f.Item)}</td><td>{E(f.Reason)}</td></tr>");
                }
                WriteLiteral("</tbody></table>");
            }
        }
        WriteLiteral("</div></div>");
    }

    private void Render(JobView j, bool link)
    {
        var percent = j.Total is > 0 ? Math.Min(100.0, 100.0 * j.Done / j.Total.Value) : j.State == "succeeded" ? 100.0 : 0.0;
        var bar = j.State switch
        {
            "succeeded" => "progress-bar-success",
            "failed" => "progress-bar-danger",
            "cancelled" => "progress-bar-warning",
            _ => "progress-bar-info progress-bar-striped active",
        };
        var title = link ? $"<a href=\"{Url.To(Route)}?id={E(j.Id)}\">{E(j.Id)}</a>" : E(j.Id);
        var pct = percent.ToString("0.0", CultureInfo.InvariantCulture);
        WriteLiteral($"""
            <div class="keybridge-job" data-job="{E(j.Id)}" data-state="{E(j.State)}">
            <h4>{title} <small>{E(j.Kind)} · {E(j.State)} · by {E(j.CreatedBy)}</small></h4>
            <div class="progress"><div class="progress-bar {bar}" role="progressbar" aria-valuenow="{pct}" aria-valuemin="0" aria-valuemax="100" style="width: {pct}%">{pct}%</div></div>
            <p>done <b>{j.Done}</b> / {(j.Total?.ToString(CultureInfo.InvariantCulture) ?? "?")} · changed {j.Changed} · failed <b>{j.Failed}</b> · {j.Rate.ToString("0.#", CultureInfo.InvariantCulture)} items/s · ETA {Eta(j.EtaSeconds)}{(j.Error is null ? "" : $" · <span class=\"text-danger\">{E(j.Error)}</span>")}</p>
            </div>
            """);
    }

    private static string Eta(long? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s).ToString("c", CultureInfo.InvariantCulture) : "—";

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
