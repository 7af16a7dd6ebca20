using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Server.Rpc;
using OpenG2P.KeyBridge.Server.Rpc.Methods;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Audit;

/// <summary>
/// <c>GET /audit/export?after_seq=N&amp;limit=M</c>: audit records as JSON lines
/// (<c>application/x-ndjson</c>), oldest first, for a SIEM to tail. Needs an auditor or admin
/// token. The last line's <c>seq</c> is the next call's <c>after_seq</c>.
/// </summary>
[ApiController]
[Route("audit/export")]
public sealed class AuditExportController(IAuditStore store, BearerAuthenticator auth) : ControllerBase
{
    [HttpGet]
    public async Task<IActionResult> ExportAsync([FromQuery(Name = "after_seq")] long afterSeq = 0, [FromQuery] int limit = 10_000)
    {
        var result = await auth.AuthenticateAsync(HttpContext, RequestIds.For(HttpContext));
        if (result.Caller is not { } caller)
        {
            return StatusCode(401, new { error = "authentication_failed", message = result.Error });
        }
        if (!caller.HasRole(Roles.Auditor) && !caller.HasRole(Roles.Admin))
        {
            return StatusCode(403, new { error = "forbidden", message = "exporting the audit log needs the auditor role" });
        }
        if (limit is < 1 or > 100_000 || afterSeq < 0)
        {
            return BadRequest(new { error = "invalid_params", message = "limit must be 1-100000 and after_seq non-negative" });
        }
        var records = await store.ReadAsync(afterSeq, limit, HttpContext.RequestAborted);
        Response.ContentType = "application/x-ndjson";
        await using var writer = new StreamWriter(Response.Body, leaveOpen: true);
        foreach (var r in records)
        {
            await writer.WriteLineAsync(JsonSerializer.Serialize(AuditRecordView.From(r), JsonRpcDispatcher.DataOptions));
        }
        return new EmptyResult();
    }
}
