using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Signing;

/// <summary>
/// Where a signing key version's private key is reached. Today every version is a software key:
/// its PKCS#8 material is unwrapped through the <see cref="KeyRing"/> (cached, wiped on eviction)
/// and the imported key object is pooled per version. HSM-resident keys (<c>hsm_resident</c>) are
/// the seam for the PKCS#11 provider: such a version's private key is a token object, and its
/// <see cref="ISigner"/> will call <c>C_Sign</c> in the token instead of unwrapping anything.
/// </summary>
public sealed class SignerSource(KeyRing ring, Hsm.HsmAccess? hsm = null)
{
    public Lease Acquire(KeyRecord key, KeyVersionRecord version)
    {
        SignatureAlgorithms.RequireSigningKey(key, "signing");
        if (key.Policy.HsmResident)
        {
            // The private key is a token object: C_Sign in the token, nothing to unwrap.
            var keys = (hsm ?? new Hsm.HsmAccess(null)).Require(key.Name);
            return new Lease(default, keys.Signer(key.Type, Hsm.HsmObjectRef.Decode(key, version)));
        }
        var material = ring.Lease(key, version);
        try
        {
            var type = key.Type;
            return new Lease(material, material.Rent(m => SoftwareSigners.Load(type, m)));
        }
        catch
        {
            material.Dispose();
            throw;
        }
    }

    /// <summary>A signer rented for one operation; disposing returns it to the version's pool.</summary>
    public readonly struct Lease(MaterialCache.Lease material, ISigner signer) : IDisposable
    {
        public ISigner Signer => signer;

        public byte[] Sign(SignatureAlgorithm algorithm, ReadOnlySpan<byte> data) => signer.Sign(algorithm, data);

        public void Dispose()
        {
            if (!material.HasEntry)
            {
                signer.Dispose();
                return;
            }
            material.Return(signer);
            material.Dispose();
        }
    }
}
