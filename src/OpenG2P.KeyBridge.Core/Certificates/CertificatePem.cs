using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Certificates;

/// <summary>PEM text of X.509 certificates ("-----BEGIN CERTIFICATE-----").</summary>
public static class CertificatePem
{
    /// <summary>Every CERTIFICATE block, in order, each checked to be an X.509 certificate; <c>certificate_malformed</c> otherwise.</summary>
    public static List<byte[]> ReadAll(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'certificate' is required (PEM)");
        }
        var result = new List<byte[]>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (!rest[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                throw new KeyBridgeException(KeyBridgeError.CertificateMalformed,
                    $"expected only CERTIFICATE PEM blocks, found '{rest[fields.Label].ToString()}'");
            }
            var der = Convert.FromBase64String(rest[fields.Base64Data].ToString());
            try
            {
                using var check = X509CertificateLoader.LoadCertificate(der);
            }
            catch (CryptographicException)
            {
                throw new KeyBridgeException(KeyBridgeError.CertificateMalformed, $"PEM block {result.Count + 1} is not an X.509 certificate");
            }
            result.Add(der);
            rest = rest[fields.Location.End..];
        }
        if (result.Count == 0)
        {
            throw new KeyBridgeException(KeyBridgeError.CertificateMalformed, "no PEM CERTIFICATE block found");
        }
        return result;
    }

    /// <summary>One PEM block ending in a newline, so blocks concatenate into a valid bundle.</summary>
    public static string Write(byte[] der) => PemEncoding.WriteString("CERTIFICATE", der) + "\n";
}
