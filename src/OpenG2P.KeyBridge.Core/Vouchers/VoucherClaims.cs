using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Vouchers;

/// <summary>
/// The voucher token's payload: <c>jti, iss, iat, nbf, exp, program, beneficiary, amount, currency</c>, compact and
/// in this order. The JWS header is <c>{"alg", "kid", "typ": "voucher+jwt"}</c>.
/// </summary>
public static class VoucherClaims
{
    /// <summary>The JWS <c>typ</c> of every voucher; jwt_sign never writes it, so a voucher cannot be forged through jwt_sign.</summary>
    public const string Type = "voucher+jwt";

    /// <summary>Claims a voucher always has (checked again by offline verifiers).</summary>
    public static IReadOnlyList<string> Required { get; } = ["jti", "iss", "iat", "nbf", "exp", "program", "beneficiary", "amount", "currency"];

    public static string NewId() => Base64Url.Encode(RandomNumberGenerator.GetBytes(16));

    public static byte[] Build(string id, string issuer, DateTimeOffset issuedAt, VoucherRequest r, DateTimeOffset validFrom)
    {
        using var buffer = new MemoryStream(256);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Jws.Json.Encoder }))
        {
            w.WriteStartObject();
            w.WriteString("jti", id);
            w.WriteString("iss", issuer);
            w.WriteNumber("iat", issuedAt.ToUnixTimeSeconds());
            w.WriteNumber("nbf", validFrom.ToUnixTimeSeconds());
            w.WriteNumber("exp", r.ValidUntil.ToUnixTimeSeconds());
            w.WriteString("program", r.Program);
            w.WriteString("beneficiary", r.Beneficiary);
            w.WriteString("amount", r.Amount);
            w.WriteString("currency", r.Currency);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>The <c>typ</c> header of a compact JWS, or null.</summary>
    public static string? TypeOf(string token)
    {
        var jws = Jws.Parse(token, out _);
        if (jws is null)
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(jws.Header);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("typ", out var typ)
                && typ.ValueKind == JsonValueKind.String ? typ.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The payload of a compact JWS as a JSON object (only for tokens whose signature was already checked).</summary>
    public static JsonElement? PayloadOf(string token) =>
        Jws.Parse(token, out _) is { } jws ? SignatureOperations.ReadClaims(jws.Payload) : null;

    /// <summary>
    /// Fingerprint of an issuing request as the client sent it (valid_from and key as given, so that a retry that
    /// again leaves them out matches), to tell a retry from a different voucher under the same idempotency key.
    /// </summary>
    public static string Fingerprint(VoucherRequest r)
    {
        var text = string.Join('\n', r.Program, r.Beneficiary, r.Amount, r.Currency,
            r.ValidFrom?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
            r.ValidUntil.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), r.Key ?? "-");
        return Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

/// <summary>A validated <c>voucher.issue</c> item: amount canonical, times in whole seconds.</summary>
public sealed record VoucherRequest
{
    public required string Program { get; init; }

    public required string Beneficiary { get; init; }

    public required string Amount { get; init; }

    public required string Currency { get; init; }

    public required DateTimeOffset ValidUntil { get; init; }

    /// <summary>Default: the time of issue.</summary>
    public DateTimeOffset? ValidFrom { get; init; }

    /// <summary>The signing key the caller named; default the program's key or <c>Vouchers:SigningKey</c>.</summary>
    public string? Key { get; init; }

    public string? IdempotencyKey { get; init; }
}
