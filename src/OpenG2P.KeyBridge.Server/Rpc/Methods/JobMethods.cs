using OpenG2P.KeyBridge.Server.Auth;
using StreamJsonRpc;
using static OpenG2P.KeyBridge.Server.Rpc.Methods.Params;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

/// <summary>job.*: start, watch, list and cancel long-running jobs (re-encryption of Odoo data, KEK rotation).</summary>
public sealed class JobMethods(RpcServices s)
{
    [JsonRpcMethod("job.start_reencryption")]
    [RpcAccess(Roles.JobOperator)]
    [RpcSummary("Start re-encrypting Odoo data under the latest key versions: odoo {url, db, login, password}, model, fields, context?, key?, domain?, batch_size?, max_records_per_second?, raise_min_decryption_version?, storage?.", typeof(JobView))]
    public async Task<JobView> StartReencryptionAsync(JobStartReencryptionParams p, RpcContext ctx)
    {
        var key = p.Key is null ? null : KeyName(p.Key, ctx);
        return await s.Jobs.StartReencryptionAsync(ctx.Caller, p, key, CancellationToken.None);
    }

    [JsonRpcMethod("job.start_kek_rotation")]
    [RpcAccess(Roles.Admin)]
    [RpcSummary("Start rewrapping every stored key version that a previous KEK wrapped under the current KEK.", typeof(JobView))]
    public Task<JobView> StartKekRotationAsync(EmptyParams p, RpcContext ctx)
    {
        _ = p;
        return s.Jobs.StartKekRotationAsync(ctx.Caller, CancellationToken.None);
    }

    [JsonRpcMethod("job.status")]
    [RpcAccess(Roles.JobOperator)]
    [RpcSummary("A job's state and progress (done, total, failed, rate, eta_seconds) and its failed items with reasons.", typeof(JobView))]
    public Task<JobView> StatusAsync(JobStatusParams p, RpcContext ctx) => s.Jobs.StatusAsync(p ?? new(), CancellationToken.None);

    [JsonRpcMethod("job.list")]
    [RpcAccess(Roles.JobOperator)]
    [RpcSummary("Jobs, newest first, filtered by kind and state, with paging (before, limit ≤ 200).", typeof(JobListResult))]
    public Task<JobListResult> ListAsync(JobListParams p, RpcContext ctx) => s.Jobs.ListAsync(p ?? new(), CancellationToken.None);

    [JsonRpcMethod("job.cancel")]
    [RpcAccess(Roles.JobOperator)]
    [RpcSummary("Cancel a job: a queued job at once, a running one after its current page.", typeof(JobView))]
    public Task<JobView> CancelAsync(JobIdParams p, RpcContext ctx) => s.Jobs.CancelAsync(p.Id, CancellationToken.None);
}
