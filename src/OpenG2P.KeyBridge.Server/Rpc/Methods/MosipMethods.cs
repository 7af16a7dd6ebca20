using System.Text.Json;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Mosip;
using OpenG2P.KeyBridge.Server.Mosip.Import;
using StreamJsonRpc;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

/// <summary>mosip.import_keystore: bring a MOSIP keymanager's keys (PKCS12 keystore and keymgr rows) into KeyBridge.</summary>
public sealed class MosipMethods(RpcServices s)
{
    [JsonRpcMethod("mosip.import_keystore")]
    [RpcAccess(Roles.KeyAdmin)]
    [RpcSummary("Import a MOSIP keymanager's RSA keys (PKCS12 keystore + key_alias/key_store rows) as key versions, so MOSIP ciphertexts decrypt and MOSIP kids verify.", typeof(ImportResult))]
    public async Task<ImportResult> ImportKeystoreAsync(MosipImportParams p, RpcContext ctx)
    {
        if (!MosipBase64.TryDecode(Params.Required(p.Pkcs12, "pkcs12"), out var pkcs12) || pkcs12.Length == 0)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidBase64, "'pkcs12' must be the keystore file in base64");
        }
        var aliases = KeymgrRows.KeyAlias(p.KeyAlias ?? throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'key_alias' is required"));
        var stores = KeymgrRows.KeyStore(p.KeyStore);
        var result = await s.MosipImporter.ImportAsync(pkcs12, Params.Required(p.Password, "password"), aliases, stores, ctx.RequireKey);
        foreach (var k in result.Imported)
        {
            ctx.NoteVersion(k.Key, k.Version);
        }
        return result;
    }
}

public sealed record MosipImportParams
{
    /// <summary>The PKCS12 keystore file (MOSIP's keystore.p12), base64.</summary>
    public string? Pkcs12 { get; init; }

    /// <summary>The keystore password (MOSIP's mosip.kernel.keymanager.hsm.keystore-pass).</summary>
    public string? Password { get; init; }

    /// <summary>keymgr.key_alias rows: a JSON array of objects, or CSV text with a header.</summary>
    public JsonElement? KeyAlias { get; init; }

    /// <summary>keymgr.key_store rows, likewise (needed for base keys such as REGISTRATION/ENCRYPT).</summary>
    public JsonElement? KeyStore { get; init; }
}
