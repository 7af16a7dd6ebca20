using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Audit;
using OpenG2P.KeyBridge.Server.Auth;
using StreamJsonRpc;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

public sealed record AuditQueryParams
{
    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public string? ClientId { get; init; }

    public string? Key { get; init; }

    public string? Method { get; init; }

    public string? Outcome { get; init; }

    public string? RequestId { get; init; }

    public long AfterSeq { get; init; }

    public int Limit { get; init; } = 100;
}

public sealed record AuditRecordView(
    long Seq, DateTimeOffset Time, string? ClientId, string Method, string? Keys, string? Versions, string Outcome,
    string? ErrorName, string? RequestId, string? RemoteAddress, int ItemCount, string Hash)
{
    public static AuditRecordView From(AuditRecord r) => new(r.Seq, r.Entry.Time, r.Entry.ClientId, r.Entry.Method, r.Entry.Keys,
        r.Entry.Versions, r.Entry.Outcome, r.Entry.ErrorName, r.Entry.RequestId, r.Entry.RemoteAddress, r.Entry.ItemCount, r.Hash);
}

public sealed record AuditQueryResult(IReadOnlyList<AuditRecordView> Records, long? NextAfterSeq);

/// <summary>audit.query and audit.verify (auditor).</summary>
public sealed class AuditMethods(RpcServices s)
{
    [JsonRpcMethod("audit.query")]
    [RpcAccess(Roles.Auditor)]
    [RpcSummary("Audit records filtered by time, client, key, method, outcome or request id; keyset paging by after_seq.", typeof(AuditQueryResult))]
    public async Task<AuditQueryResult> QueryAsync(AuditQueryParams p, RpcContext ctx)
    {
        Params.PageLimit(p.Limit);
        _ = ctx;
        var records = await s.Audit.QueryAsync(new AuditQuery
        {
            From = p.From, To = p.To, ClientId = p.ClientId, Key = p.Key, Method = p.Method, Outcome = p.Outcome,
            RequestId = p.RequestId, AfterSeq = p.AfterSeq, Limit = p.Limit,
        });
        return new AuditQueryResult(records.Select(AuditRecordView.From).ToList(), records.Count == p.Limit ? records[^1].Seq : null);
    }

    [JsonRpcMethod("audit.verify")]
    [RpcAccess(Roles.Auditor)]
    [RpcSummary("Recompute the hash chain: valid, or the first record that was changed, inserted, reordered or deleted.", typeof(AuditVerification))]
    public Task<AuditVerification> VerifyAsync(EmptyParams p, RpcContext ctx)
    {
        _ = p;
        return s.AuditVerifier.VerifyAsync();
    }
}
