using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Mosip;
using OpenG2P.KeyBridge.Operations;
using OpenG2P.KeyBridge.Server.Auth;

namespace OpenG2P.KeyBridge.Server.Mosip;

/// <summary>
/// MOSIP's <c>/encrypt</c> and <c>/decrypt</c>. New data is encrypted in KeyBridge's format (the <c>kb:</c> text, as bytes,
/// in <c>response.data</c>), bound to the caller's aad (<see cref="MosipContext"/>); <c>/decrypt</c> reads that and every
/// MOSIP format, with the key versions imported from MOSIP's keystore.
/// </summary>
[ApiController]
[Route("v1/keymanager")]
public sealed class CryptoController(MosipRuntime runtime, MosipKeys mosipKeys, DataCrypto data) : ControllerBase
{
    private static readonly byte[] TextPrefix = Encoding.ASCII.GetBytes(Ciphertext.TextPrefix);

    [HttpPost("encrypt")]
    public Task<IActionResult> EncryptAsync() =>
        runtime.RunAsync(HttpContext, MosipOperations.Encrypt, [Roles.Encrypter], hasBody: true, async call =>
        {
            var r = call.Request;
            var id = new MosipId(r.Required("applicationId", MosipCodes.EmptyField).Trim(), r.String("referenceId")?.Trim() ?? "");
            r.TimeStamp();
            var plaintext = r.Base64("data", MosipCodes.InvalidData) ?? throw EmptyField("data");
            var aad = r.Base64("aad", MosipCodes.InvalidData) ?? [];
            _ = r.Base64("salt", MosipCodes.InvalidData); // accepted and checked, not needed: KeyBridge draws its own nonce
            if (id.ReferenceId.Length == 0 || (id.ApplicationId == MosipKeyMap.SignApplicationId && id.ReferenceId is MosipKeyMap.SignReferenceId or "IDENTITY_CACHE"))
            {
                throw new MosipException(MosipCodes.EncryptNotAllowed, $"encryption with the master key of {id} is not allowed; use a reference id such as ENCRYPT",
                    KeyBridgeError.UnsupportedOperation.Name);
            }
            var binding = await mosipKeys.RequireAsync(id, HttpContext.RequestAborted);
            var key = await mosipKeys.GetOrCreateAsync(binding, HttpContext.RequestAborted);
            if (key.Type != KeyType.Aes256Gcm)
            {
                throw new MosipException(MosipCodes.EncryptNotAllowed,
                    $"{id} is bound to key '{key.Name}' ({key.Type.ToName()}); /encrypt needs an aes-256-gcm key", KeyBridgeError.UnsupportedOperation.Name);
            }
            call.Context.RequireKey(key.Name);
            try
            {
                var text = call.Context.Note(await data.EncryptAsync(key.Name, plaintext, MosipContext.ForAad(aad), HttpContext.RequestAborted));
                return new DataResponse(MosipBase64.Encode(Encoding.ASCII.GetBytes(text)));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        });

    [HttpPost("decrypt")]
    public Task<IActionResult> DecryptAsync() =>
        runtime.RunAsync(HttpContext, MosipOperations.Decrypt, [Roles.Decrypter], hasBody: true, async call =>
        {
            var r = call.Request;
            r.Required("applicationId", MosipCodes.EmptyField);
            r.TimeStamp();
            var bytes = r.Base64("data", MosipCodes.InvalidData) ?? throw EmptyField("data");
            var salt = r.Base64("salt", MosipCodes.InvalidData) ?? [];
            var aad = r.Base64("aad", MosipCodes.InvalidData) ?? [];
            byte[] plaintext;
            if (KeyBridgeCiphertext(bytes) is { } parsed)
            {
                call.Context.RequireKey(parsed.KeyName);
                plaintext = call.Context.Note(await data.DecryptAsync(parsed, MosipContext.ForAad(aad), HttpContext.RequestAborted));
            }
            else if (MosipCiphertext.LooksLike(bytes))
            {
                plaintext = call.Context.Note(await data.DecryptMosipAsync(bytes, salt, aad, call.Context.RequireKey, HttpContext.RequestAborted));
            }
            else
            {
                throw new MosipException(MosipCodes.InvalidData, "data sent to decrypt is without key splitter or invalid: neither a KeyBridge nor a MOSIP ciphertext",
                    KeyBridgeError.CiphertextMalformed.Name);
            }
            try
            {
                return new DataResponse(MosipBase64.Encode(plaintext));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        });

    /// <summary>
    /// A KeyBridge ciphertext as <c>/encrypt</c> returns it (the ASCII <c>kb:</c> text) or as its raw binary form; null when
    /// the bytes are neither (a MOSIP ciphertext always carries its key splitter, which is checked first for raw bytes).
    /// </summary>
    private static Ciphertext.Parsed? KeyBridgeCiphertext(byte[] bytes)
    {
        if (bytes.AsSpan().StartsWith(TextPrefix))
        {
            try
            {
                return Ciphertext.Parse(Encoding.ASCII.GetString(bytes));
            }
            catch (KeyBridgeException) when (MosipCiphertext.LooksLike(bytes))
            {
                return null; // a MOSIP ciphertext whose thumbprint happens to start with "kb:"
            }
        }
        if (MosipCiphertext.LooksLike(bytes))
        {
            return null;
        }
        try
        {
            return Ciphertext.Parse(Ciphertext.TextPrefix + Base64Url.Encode(bytes));
        }
        catch (KeyBridgeException)
        {
            return null;
        }
    }

    private static MosipException EmptyField(string field) => new(MosipCodes.EmptyField, $"{field} should not be null or empty", KeyBridgeError.InvalidParams.Name);

    private sealed record DataResponse(string Data);
}
