using System.Text.Json;

namespace OpenG2P.KeyBridge.Signing;

/// <summary>
/// The members of a JWS protected header that verification reads: alg and kid. Key-carrying members
/// (jwk, jku, x5c, x5u) are deliberately not read: a token never chooses the key that verifies it.
/// </summary>
internal sealed record JwsHeader(string? Alg, string? Kid)
{
    /// <summary>Null with a reason when the header is not a JSON object with unique member names, or uses what KeyBridge does not support.</summary>
    public static JwsHeader? Read(byte[] json, out string? problem)
    {
        problem = null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = "the JWS header is not a JSON object";
                return null;
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string? alg = null, kid = null;
            foreach (var member in doc.RootElement.EnumerateObject())
            {
                // RFC 7515 §4: names must be unique; a second "alg" or "kid" could mean different things to different parsers.
                if (!seen.Add(member.Name))
                {
                    problem = $"the JWS header repeats '{member.Name}'";
                    return null;
                }
                switch (member.Name)
                {
                    case "alg":
                        alg = member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString() : null;
                        break;
                    case "kid":
                        kid = member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString() : null;
                        break;
                    case "crit":
                        // No extension is understood, so any critical one makes the JWS unusable (RFC 7515 §4.1.11).
                        problem = "the JWS header lists critical extensions ('crit'), which KeyBridge does not support";
                        return null;
                    case "b64" when member.Value.ValueKind != JsonValueKind.True:
                        problem = "unencoded payloads (b64: false, RFC 7797) are not supported";
                        return null;
                }
            }
            if (alg is null)
            {
                problem = "the JWS header has no 'alg' string";
                return null;
            }
            return new JwsHeader(alg, kid);
        }
        catch (JsonException)
        {
            problem = "the JWS header is not valid JSON";
            return null;
        }
    }
}
