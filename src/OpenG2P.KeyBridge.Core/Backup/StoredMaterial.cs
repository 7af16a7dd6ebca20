using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Backup;

/// <summary>What a version's stored material is, as far as backups care.</summary>
public static class StoredMaterial
{
    /// <summary>
    /// The <c>kek_id</c> of an HSM-resident version (the HSM branch's <c>HsmObjectRef.KekId</c>): its "material" only names a
    /// token object, the private key itself never leaves the token. Bundles carry the reference as it is; the token's own
    /// backup carries the key.
    /// </summary>
    public const string TokenObjectKekId = "hsm-object";

    /// <summary>Material a KEK wrapped (and a restore may need to rewrap); false for destroyed versions and token object references.</summary>
    public static bool IsKekWrapped(KeyVersionRecord v) => v.WrappedMaterial is not null && v.KekId != TokenObjectKekId;
}
