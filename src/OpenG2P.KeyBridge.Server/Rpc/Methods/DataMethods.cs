using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Operations;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Mosip;
using StreamJsonRpc;
using static OpenG2P.KeyBridge.Server.Rpc.Methods.Params;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

/// <summary>encrypt_data, decrypt_data, rewrap_data, generate_data_key: single item or <c>items</c>.</summary>
public sealed class DataMethods(RpcServices s)
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    [JsonRpcMethod("encrypt_data")]
    [RpcAccess(Roles.Encrypter)]
    [RpcSummary("Encrypt data (base64url) or text under the key's latest version, bound to the optional context.", typeof(EncryptResult))]
    public async Task<object> EncryptDataAsync(EncryptParams p, RpcContext ctx)
    {
        if (p.Items is { } items)
        {
            return await Batch.RunAsync(ctx, s, items, async i =>
                (object)await EncryptOneAsync(ctx, i.Key ?? p.Key, i.Data, i.Text, i.Context ?? p.Context));
        }
        return await EncryptOneAsync(ctx, p.Key, p.Data, p.Text, p.Context);
    }

    [JsonRpcMethod("decrypt_data")]
    [RpcAccess(Roles.Decrypter)]
    [RpcSummary("Decrypt a KeyBridge ciphertext; the key and version come from the ciphertext itself.", typeof(DecryptResult))]
    public async Task<object> DecryptDataAsync(CiphertextParams p, RpcContext ctx)
    {
        if (p.Items is { } items)
        {
            return await Batch.RunAsync(ctx, s, items, async i => (object)await DecryptOneAsync(ctx, i.Ciphertext, i.Context ?? p.Context, i.Mosip ?? p.Mosip));
        }
        return await DecryptOneAsync(ctx, p.Ciphertext, p.Context, p.Mosip);
    }

    [JsonRpcMethod("rewrap_data")]
    [RpcAccess(Roles.Encrypter, Roles.JobOperator)]
    [RpcSummary("Re-encrypt a ciphertext under the key's latest version; the plaintext never leaves the service.", typeof(EncryptResult))]
    public async Task<object> RewrapDataAsync(CiphertextParams p, RpcContext ctx)
    {
        if (p.Mosip is not null || p.Items?.Any(i => i?.Mosip is not null) == true)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams,
                "'mosip' applies to decrypt_data; MOSIP ciphertexts move to KeyBridge's format with job.start_reencryption");
        }
        if (p.Items is { } items)
        {
            return await Batch.RunAsync(ctx, s, items, async i => (object)await RewrapOneAsync(ctx, i.Ciphertext, i.Context ?? p.Context));
        }
        return await RewrapOneAsync(ctx, p.Ciphertext, p.Context);
    }

    [JsonRpcMethod("generate_data_key")]
    [RpcAccess(Roles.Encrypter)]
    [RpcSummary("Generate a random data key, returned wrapped under the key and, if asked, in plaintext.", typeof(DataKeyResult))]
    public async Task<object> GenerateDataKeyAsync(DataKeyParams p, RpcContext ctx)
    {
        if (p.Items is { } items)
        {
            return await Batch.RunAsync(ctx, s, items, async i => (object)await DataKeyOneAsync(ctx, i.Key ?? p.Key, p, i.Context ?? p.Context));
        }
        return await DataKeyOneAsync(ctx, p.Key, p, p.Context);
    }

    private async ValueTask<EncryptResult> EncryptOneAsync(RpcContext ctx, string? key, string? data, string? text, JsonElement? context)
    {
        var name = KeyName(key ?? s.Defaults.EncryptionKey, ctx);
        if ((data is null) == (text is null))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "give exactly one of 'data' (base64url) or 'text'");
        }
        var plaintext = data is not null ? Base64Url.Decode(data, "data") : Encoding.UTF8.GetBytes(text!);
        try
        {
            var r = await s.Data.EncryptAsync(name, plaintext, EncryptionContext.FromJson(context));
            return new EncryptResult(ctx.Note(r), r.Key, r.Version);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private async ValueTask<DecryptResult> DecryptOneAsync(RpcContext ctx, string? ciphertext, JsonElement? context, MosipCipherParams? mosip)
    {
        Used<byte[]> r;
        if (ciphertext is not null && !ciphertext.StartsWith(Ciphertext.TextPrefix, StringComparison.Ordinal)
            && MosipBase64.TryDecode(ciphertext, out var bytes) && MosipCiphertext.LooksLike(bytes))
        {
            // A MOSIP keymanager ciphertext (base64 of its bytes), read with an imported MOSIP key.
            if (context is { ValueKind: not JsonValueKind.Null })
            {
                throw new KeyBridgeException(KeyBridgeError.InvalidParams, "a MOSIP ciphertext has no context; give 'mosip': {salt, aad}");
            }
            r = await s.Data.DecryptMosipAsync(bytes, MosipBytes(mosip?.Salt, "mosip.salt"), MosipBytes(mosip?.Aad, "mosip.aad"),
                name => KeyName(name, ctx, "ciphertext"));
        }
        else
        {
            var parsed = Ciphertext.Parse(ciphertext);
            KeyName(parsed.KeyName, ctx, "ciphertext");
            r = await s.Data.DecryptAsync(parsed, EncryptionContext.FromJson(context));
        }
        ctx.NoteVersion(r.Key, r.Version);
        string? text;
        try
        {
            text = StrictUtf8.GetString(r.Value);
        }
        catch (DecoderFallbackException)
        {
            text = null;
        }
        var result = new DecryptResult(Base64Url.Encode(r.Value), text, r.Key, r.Version);
        CryptographicOperations.ZeroMemory(r.Value);
        return result;
    }

    /// <summary>MOSIP's salt or aad: base64url or base64, padding optional, as MOSIP reads them; empty when absent.</summary>
    private static byte[] MosipBytes(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? []
        : MosipBase64.TryDecode(value, out var bytes) ? bytes
        : throw new KeyBridgeException(KeyBridgeError.InvalidBase64, $"'{field}' is not base64url");

    private async ValueTask<EncryptResult> RewrapOneAsync(RpcContext ctx, string? ciphertext, JsonElement? context)
    {
        var parsed = Ciphertext.Parse(ciphertext);
        KeyName(parsed.KeyName, ctx, "ciphertext");
        var r = await s.Data.RewrapAsync(parsed, EncryptionContext.FromJson(context));
        ctx.NoteVersion(parsed.KeyName, parsed.KeyVersion);
        return new EncryptResult(ctx.Note(r), r.Key, r.Version);
    }

    private async ValueTask<DataKeyResult> DataKeyOneAsync(RpcContext ctx, string? key, DataKeyParams p, JsonElement? context)
    {
        var name = KeyName(key ?? s.Defaults.EncryptionKey, ctx);
        var r = await s.Data.GenerateDataKeyAsync(name, p.Bits, p.WithPlaintext, EncryptionContext.FromJson(context));
        ctx.NoteVersion(r.Key, r.Version);
        var plaintext = r.Value.Plaintext is { } bytes ? Base64Url.Encode(bytes) : null;
        if (r.Value.Plaintext is { } b)
        {
            CryptographicOperations.ZeroMemory(b);
        }
        return new DataKeyResult(r.Value.Wrapped, plaintext, r.Key, r.Version);
    }
}
