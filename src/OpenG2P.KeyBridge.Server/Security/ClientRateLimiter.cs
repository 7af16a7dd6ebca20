using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Server.Hosting;

namespace OpenG2P.KeyBridge.Server.Security;

/// <summary>A token bucket per client (<c>Limits:RequestsPerSecondPerClient</c>); refusals answer <c>rate_limited</c>.</summary>
public sealed class ClientRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;

    public ClientRateLimiter(IOptions<LimitsOptions> options)
    {
        var rate = options.Value.RequestsPerSecondPerClient;
        if (rate <= 0)
        {
            return;
        }
        var burst = options.Value.BurstPerClient > 0 ? options.Value.BurstPerClient : rate * 2;
        _limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetTokenBucketLimiter(client, _ =>
            new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = rate,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public bool TryAcquire(string clientId)
    {
        if (_limiter is null)
        {
            return true;
        }
        using var lease = _limiter.AttemptAcquire(clientId);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter?.Dispose();
}
