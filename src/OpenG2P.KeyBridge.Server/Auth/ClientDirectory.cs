using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Auth;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Auth;

/// <summary>
/// Client records with a short cache (<c>Auth:ClientCacheSeconds</c>), so token validation does
/// not hit the database per call while disabling or rotating a client takes effect within that
/// time on every node (at once on the node that made the change).
/// </summary>
public sealed class ClientDirectory(IKeyStore store, IOptions<AuthOptions> options)
{
    private readonly ConcurrentDictionary<string, (ClientRecord? Client, long LoadedAt)> _cache = new(StringComparer.Ordinal);

    public async ValueTask<ClientRecord?> GetAsync(string clientId, CancellationToken ct)
    {
        var ttl = options.Value.ClientCacheSeconds * 1000L;
        if (_cache.TryGetValue(clientId, out var c) && Environment.TickCount64 - c.LoadedAt < ttl)
        {
            return c.Client;
        }
        var client = await store.GetClientAsync(clientId, ct);
        if (_cache.Count > 10_000)
        {
            _cache.Clear();
        }
        _cache[clientId] = (client, Environment.TickCount64);
        return client;
    }

    public void Invalidate(string clientId) => _cache.TryRemove(clientId, out _);
}
