using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Kek;

namespace OpenG2P.KeyBridge.Hsm;

/// <summary>
/// The KEK as a non-extractable, sensitive AES-256 key inside a PKCS#11 token. Material is
/// wrapped with CKM_AES_GCM inside the token (not CKM_AES_KEY_WRAP_PAD): the material is bytes,
/// not a token object, and GCM authenticates the key name and version as associated data.
/// Blob: 0x02 ‖ IV (12) ‖ ciphertext ‖ tag (16).
/// </summary>
public sealed class Pkcs11Kek : IKekProvider
{
    private const byte BlobVersion = 2;
    private const int IvSize = 12;
    private const int TagSize = 16;
    private readonly Pkcs11Token _token;
    private readonly string _label;
    private (IObjectHandle Handle, long Generation)? _key;

    public Pkcs11Kek(Pkcs11Token token, string label, bool createIfMissing)
    {
        _token = token;
        _label = label;
        _token.Run(session =>
        {
            if (Find(session) is null)
            {
                if (!createIfMissing)
                {
                    throw new KeyBridgeException(KeyBridgeError.HsmUnavailable, $"the token has no KEK labelled '{label}'");
                }
                Generate(session);
            }
            return 0;
        });
        KekId = $"pkcs11:{token.TokenSerial}:{label}";
    }

    public string KekId { get; }

    public byte[] Wrap(ReadOnlySpan<byte> material, ReadOnlySpan<byte> associatedData)
    {
        var iv = RandomNumberGenerator.GetBytes(IvSize);
        var aad = associatedData.ToArray();
        var plain = material.ToArray();
        try
        {
            var sealedBytes = _token.Run(s => s.Encrypt(Gcm(iv, aad), Handle(s), plain));
            return [BlobVersion, .. iv, .. sealedBytes];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    public byte[] Unwrap(ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> associatedData)
    {
        if (wrapped.Length < 1 + IvSize + TagSize || wrapped[0] != BlobVersion)
        {
            throw new KeyBridgeException(KeyBridgeError.KeyMaterialCorrupt,
                "stored key material was not wrapped by a PKCS#11 KEK (migrate it to the token first)");
        }
        var iv = wrapped.Slice(1, IvSize).ToArray();
        var body = wrapped[(1 + IvSize)..].ToArray();
        var aad = associatedData.ToArray();
        try
        {
            return _token.Run(s => s.Decrypt(Gcm(iv, aad), Handle(s), body));
        }
        catch (Pkcs11Exception e) when (e.RV is CKR.CKR_ENCRYPTED_DATA_INVALID or CKR.CKR_ENCRYPTED_DATA_LEN_RANGE or CKR.CKR_FUNCTION_FAILED
                                           or CKR.CKR_GENERAL_ERROR)
        {
            throw new KeyBridgeException(KeyBridgeError.KeyMaterialCorrupt,
                "stored key material does not authenticate under the token's KEK (wrong KEK, or the row was altered)", e);
        }
    }

    public bool IsHealthy() => _token.Probe();

    private IMechanism Gcm(byte[] iv, byte[] aad) =>
        _token.Factories.MechanismFactory.Create(CKM.CKM_AES_GCM,
            _token.Factories.MechanismParamsFactory.CreateCkGcmParams(iv, IvSize * 8, aad, TagSize * 8));

    /// <summary>The KEK's handle, found again after a reconnect (handles do not survive a new login).</summary>
    private IObjectHandle Handle(ISession session)
    {
        var generation = _token.Generation;
        if (_key is { } k && k.Generation == generation)
        {
            return k.Handle;
        }
        var handle = Find(session) ?? throw new KeyBridgeException(KeyBridgeError.HsmUnavailable,
            $"the token no longer holds the KEK labelled '{_label}'");
        _key = (handle, generation);
        return handle;
    }

    private IObjectHandle? Find(ISession session)
    {
        var f = _token.Factories.ObjectAttributeFactory;
        var found = session.FindAllObjects([f.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY), f.Create(CKA.CKA_LABEL, _label)]);
        return found.Count switch
        {
            0 => null,
            1 => found[0],
            _ => throw new KeyBridgeException(KeyBridgeError.HsmUnavailable, $"the token holds {found.Count} keys labelled '{_label}'; keep exactly one"),
        };
    }

    private void Generate(ISession session)
    {
        var f = _token.Factories.ObjectAttributeFactory;
        session.GenerateKey(_token.Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN),
        [
            f.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            f.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
            f.Create(CKA.CKA_VALUE_LEN, 32UL),
            f.Create(CKA.CKA_TOKEN, true),
            f.Create(CKA.CKA_PRIVATE, true),
            f.Create(CKA.CKA_SENSITIVE, true),
            f.Create(CKA.CKA_EXTRACTABLE, false),
            f.Create(CKA.CKA_MODIFIABLE, false),
            f.Create(CKA.CKA_ENCRYPT, true),
            f.Create(CKA.CKA_DECRYPT, true),
            f.Create(CKA.CKA_SIGN, false),
            f.Create(CKA.CKA_VERIFY, false),
            f.Create(CKA.CKA_WRAP, false),
            f.Create(CKA.CKA_UNWRAP, false),
            f.Create(CKA.CKA_LABEL, _label),
        ]);
    }
}
