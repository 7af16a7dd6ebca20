using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Server.Mosip;

/// <summary>
/// MOSIP's <c>/jwtSign</c> and <c>/jwtVerify</c>, on KeyBridge's JWS code (<see cref="SignatureOperations"/>). Tokens carry
/// MOSIP-form kids, the ones <c>getAllCertificates</c> lists. Verification finds the version by kid among all versions
/// and never uses a certificate the token carries (<c>x5c</c>): that is where it deliberately differs from MOSIP.
/// </summary>
[ApiController]
[Route("v1/keymanager")]
public sealed class SignatureController(MosipRuntime runtime, MosipKeys mosipKeys, SignatureOperations signatures, TimeProvider time,
    IOptions<SigningOptions> signing) : ControllerBase
{
    private const string ValidationSuccessful = "Validation Successful";
    private const string ValidationFailed = "Validation Failed";

    [HttpPost("jwtSign")]
    public Task<IActionResult> JwtSignAsync() =>
        runtime.RunAsync(HttpContext, MosipOperations.JwtSign, [Roles.Signer], hasBody: true, async call =>
        {
            var r = call.Request;
            var payload = r.Base64("dataToSign", MosipCodes.InvalidSignInput);
            if (payload is not { Length: > 0 })
            {
                throw new MosipException(MosipCodes.InvalidSignInput, "dataToSign should not be null or empty", KeyBridgeError.InvalidParams.Name);
            }
            var binding = await mosipKeys.ForSigningAsync(r.String("applicationId"), r.String("referenceId"), HttpContext.RequestAborted);
            var key = await mosipKeys.GetOrCreateAsync(binding, HttpContext.RequestAborted);
            call.Context.RequireKey(key.Name);
            var options = new JwtSignOptions
            {
                // MOSIP's defaults: every flag false, so a call that omits includePayload gets a detached JWS.
                IncludePayload = r.Bool("includePayload") ?? false,
                IncludeCertificate = r.Bool("includeCertificate") ?? false,
                IncludeCertHash = r.Bool("includeCertHash") ?? false,
                CertificateUrl = CertificateUrl(r.String("certificateUrl")),
                KeyId = await mosipKeys.KidsAsync(key, HttpContext.RequestAborted),
            };
            // Any bytes may be signed (OpenG2P's credential issuer signs raw digests); a JSON object payload gets typ JWT.
            var signed = await signatures.JwtSignAsync(key.Name, payload, SignatureOperations.ReadClaims(payload) is not null, options,
                HttpContext.RequestAborted);
            call.Context.Note(signed);
            return new JwtSignResponse(signed.Value.Jws, MosipTime.Write(time.GetUtcNow()));
        });

    [HttpPost("jwtVerify")]
    public Task<IActionResult> JwtVerifyAsync() =>
        runtime.RunAsync(HttpContext, MosipOperations.JwtVerify, [Roles.Verifier, Roles.Signer], hasBody: true, async call =>
        {
            var r = call.Request;
            var token = r.Required("jwtSignatureData", MosipCodes.InvalidSignInput).Trim();
            var actual = r.Base64("actualData", MosipCodes.InvalidVerifyInput);
            var binding = await mosipKeys.ForSigningAsync(r.String("applicationId"), r.String("referenceId"), HttpContext.RequestAborted);
            // Spelled out: a null byte[] would convert to an empty, non-null ReadOnlyMemory.
            ReadOnlyMemory<byte>? detached = null;
            if (actual is not null)
            {
                detached = actual;
            }
            var result = await signatures.JwtVerifyAsync(token, detached, null, call.Context.RequireKey, time.GetUtcNow(),
                TimeSpan.FromSeconds(signing.Value.ClockSkewSeconds), HttpContext.RequestAborted,
                kid => mosipKeys.ResolveKidAsync(kid, binding, HttpContext.RequestAborted));
            if (result.Key is { } k && result.Version is { } v)
            {
                call.Context.NoteVersion(k, v);
            }
            if (result.Reason == JwtReasons.Malformed)
            {
                throw new MosipException(MosipCodes.InvalidVerifyInput, result.Message!, KeyBridgeError.InvalidParams.Name);
            }
            var validateTrust = r.Bool("validateTrust") ?? false;
            // KeyBridge keeps no partner trust store, so trust is never claimed verified.
            var trust = !validateTrust ? "TRUST_NOT_VERIFIED"
                : string.IsNullOrWhiteSpace(r.String("domain")) ? "TRUST_NOT_VERIFIED_NO_DOMAIN" : "TRUST_NOT_VERIFIED";
            return new JwtVerifyResponse(result.Valid, result.Valid ? ValidationSuccessful : ValidationFailed, trust);
        });

    private static string? CertificateUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }
        return Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? url.Trim()
            : throw new MosipException(MosipCodes.InvalidSignInput, "certificateUrl must be an absolute https (or http) URL", KeyBridgeError.InvalidParams.Name);
    }

    private sealed record JwtSignResponse(string JwtSignedData, string Timestamp);

    private sealed record JwtVerifyResponse(bool SignatureValid, string Message, string TrustValid);
}
