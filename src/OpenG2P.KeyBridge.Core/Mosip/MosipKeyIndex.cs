using System.Collections.Concurrent;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Mosip;

/// <summary>
/// Finds the imported key version a MOSIP ciphertext names by its certificate thumbprint, from memory after the
/// first lookup: the mapping never changes once imported (the version's state is checked on every use).
/// Only found entries are remembered, so unknown thumbprints cannot grow the cache.
/// </summary>
public sealed class MosipKeyIndex(IMosipKeyStore store)
{
    private readonly ConcurrentDictionary<string, MosipKeyRecord> _byThumbprint = new(StringComparer.Ordinal);

    public IMosipKeyStore Store => store;

    public async ValueTask<MosipKeyRecord?> FindAsync(byte[] thumbprint, CancellationToken ct = default)
    {
        var hex = Convert.ToHexString(thumbprint);
        if (_byThumbprint.TryGetValue(hex, out var known))
        {
            return known;
        }
        var found = await store.FindMosipKeyByThumbprintAsync(thumbprint, ct).ConfigureAwait(false);
        if (found is not null)
        {
            _byThumbprint[hex] = found;
        }
        return found;
    }
}
