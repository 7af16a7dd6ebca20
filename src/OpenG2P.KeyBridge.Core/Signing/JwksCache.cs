using System.Security.Cryptography;
using System.Text.Json;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Signing;

/// <summary>
/// The serialized JWK Set of every signing key, with its ETag. Rebuilt at once after a key change on
/// this node (<see cref="KeyRing.Changes"/>) and at most <c>ttl</c> old otherwise, so other nodes'
/// rotations show within the metadata cache time.
/// </summary>
public sealed class JwksCache(IKeyStore store, KeyRing ring, TimeSpan ttl, IJwksKidAliases? aliases = null)
{
    private const int PageSize = 1000;
    private volatile Snapshot? _current;

    public sealed record Snapshot(byte[] Body, string ETag, long Changes, long BuiltAt);

    public async ValueTask<Snapshot> GetAsync(CancellationToken ct = default)
    {
        // Read the change count before loading: a change during the build leaves the snapshot stale, so the next call rebuilds.
        var changes = ring.Changes;
        var current = _current;
        if (current is not null && current.Changes == changes && Environment.TickCount64 - current.BuiltAt < (long)ttl.TotalMilliseconds)
        {
            return current;
        }
        var keys = new List<KeyRecord>();
        string? after = null;
        while (true)
        {
            var page = await store.ListKeysAsync(null, after, PageSize, ct).ConfigureAwait(false);
            keys.AddRange(page.Where(k => k.Type.IsSigningType()));
            if (page.Count < PageSize)
            {
                break;
            }
            after = page[^1].Name;
        }
        var alias = aliases is null ? null : await aliases.AliasesAsync(keys, ct).ConfigureAwait(false);
        var body = JsonSerializer.SerializeToUtf8Bytes(Jwks.Build(keys, alias), Jws.Json);
        var etag = "\"" + Base64Url.Encode(SHA256.HashData(body).AsSpan(0, 16)) + "\"";
        var snapshot = new Snapshot(body, etag, changes, Environment.TickCount64);
        _current = snapshot;
        return snapshot;
    }
}

/// <summary>Second kids under which some key versions are also published (the MOSIP-compatible endpoints' key ids).</summary>
public interface IJwksKidAliases
{
    Task<IReadOnlyDictionary<(string Key, int Version), string>> AliasesAsync(IReadOnlyList<KeyRecord> keys, CancellationToken ct = default);
}
