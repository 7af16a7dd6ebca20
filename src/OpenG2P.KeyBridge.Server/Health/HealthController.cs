using Microsoft.AspNetCore.Mvc;
using OpenG2P.KeyBridge.Kek;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Health;

/// <summary>Liveness (the process answers) and readiness (storage and KEK usable). No authentication.</summary>
[ApiController]
[Route("health")]
public sealed class HealthController(IKeyStore store, IKekProvider kek) : ControllerBase
{
    [HttpGet("live")]
    public IActionResult Live() => Ok(new { status = "live" });

    [HttpGet("ready")]
    public async Task<IActionResult> ReadyAsync()
    {
        bool storage;
        try
        {
            storage = await store.PingAsync(HttpContext.RequestAborted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            storage = false;
        }
        var kekOk = kek.IsHealthy();
        var body = new
        {
            status = storage && kekOk ? "ready" : "unavailable",
            checks = new { storage = storage ? "ok" : "unavailable", kek = kekOk ? "ok" : "unavailable" },
        };
        return storage && kekOk ? Ok(body) : StatusCode(StatusCodes.Status503ServiceUnavailable, body);
    }
}
