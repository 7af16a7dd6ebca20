using OpenG2P.KeyBridge.Mosip;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>The index of key versions imported from a MOSIP keymanager (by certificate thumbprint and by kid).</summary>
public interface IMosipKeyStore
{
    /// <summary>Records an imported version; false when its thumbprint is already recorded (a repeated import).</summary>
    Task<bool> AddMosipKeyAsync(MosipKeyRecord record, CancellationToken ct = default);

    Task<MosipKeyRecord?> FindMosipKeyByThumbprintAsync(byte[] thumbprint, CancellationToken ct = default);

    Task<MosipKeyRecord?> FindMosipKeyByKeyIdAsync(string keyId, CancellationToken ct = default);

    /// <summary>The imported versions of one KeyBridge key, by version.</summary>
    Task<IReadOnlyList<MosipKeyRecord>> ListMosipKeysAsync(string keyName, CancellationToken ct = default);
}
