using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Mosip;
using OpenG2P.KeyBridge.Signing;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Mosip;

/// <summary>
/// Publishes the versions of MOSIP keys in KeyBridge's JWKS under their MOSIP kid as well (imported: MOSIP's own;
/// others: <see cref="MosipKeyIds.ForVersion"/>), so verifiers that fetch KeyBridge's JWKS (also served at OpenG2P's
/// <c>/api/v1/security/.well-known/jwks.json</c>) find tokens from <c>/v1/keymanager/jwtSign</c> and from MOSIP.
/// </summary>
public sealed class MosipJwksAliases(MosipKeyMap map, IMosipKeyStore imported) : IJwksKidAliases
{
    public async Task<IReadOnlyDictionary<(string Key, int Version), string>> AliasesAsync(IReadOnlyList<KeyRecord> keys, CancellationToken ct = default)
    {
        var bound = map.All.Select(b => b.KeyName).ToHashSet(StringComparer.Ordinal);
        var aliases = new Dictionary<(string, int), string>();
        foreach (var key in keys.Where(k => k.Type.IsSigningType() && (bound.Contains(k.Name) || k.Name.StartsWith("mosip.", StringComparison.Ordinal))))
        {
            var rows = (await imported.ListMosipKeysAsync(key.Name, ct)).GroupBy(r => r.Version).ToDictionary(g => g.Key, g => g.First());
            foreach (var v in key.Versions)
            {
                aliases[(key.Name, v.Version)] = rows.TryGetValue(v.Version, out var row) && row.KeyId is { } kid ? kid : MosipKeyIds.ForVersion(key.Name, v.Version);
            }
        }
        return aliases;
    }
}
