using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenG2P.KeyBridge.Certificates;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Signing;
using StreamJsonRpc;
using static OpenG2P.KeyBridge.Server.Rpc.Methods.Params;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

/// <summary>cert.issue, cert.create_csr, cert.import: X.509 certificates for signing key versions.</summary>
public sealed class CertificateMethods(RpcServices s)
{
    [JsonRpcMethod("cert.issue")]
    [RpcAccess(Roles.KeyAdmin)]
    [RpcSummary("Issue a certificate from KeyBridge's root CA for a signing key version (default: the latest) and attach it.", typeof(CertificateResult))]
    public async Task<CertificateResult> IssueAsync(CertIssueParams p, RpcContext ctx)
    {
        var name = KeyName(p.Name, ctx, "name");
        TimeSpan? validity = p.ValidityDays switch
        {
            null => null,
            >= 1 and <= 36500 => TimeSpan.FromDays(p.ValidityDays.Value),
            _ => throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'validity_days' must be between 1 and 36500"),
        };
        return View(await s.Certificates.IssueAsync(name, Version(p.Version), p.Subject, validity));
    }

    [JsonRpcMethod("cert.create_csr")]
    [RpcAccess(Roles.KeyAdmin)]
    [RpcSummary("A PKCS#10 certificate signing request (PEM) for a signing key version, signed by that version, for an external CA.", typeof(CsrResult))]
    public async Task<CsrResult> CreateCsrAsync(CertCsrParams p, RpcContext ctx)
    {
        var name = KeyName(p.Name, ctx, "name");
        var (key, version, csr) = await s.Certificates.CreateCsrAsync(name, Version(p.Version), p.Subject);
        return new CsrResult(key, version, KeyIds.Format(key, version), PemEncoding.WriteString("CERTIFICATE REQUEST", csr) + "\n");
    }

    [JsonRpcMethod("cert.import")]
    [RpcAccess(Roles.KeyAdmin)]
    [RpcSummary("Attach a CA-signed certificate (PEM, optionally with its chain) to a signing key version; its public key must be the version's.", typeof(CertificateResult))]
    public async Task<CertificateResult> ImportAsync(CertImportParams p, RpcContext ctx)
    {
        var name = KeyName(p.Name, ctx, "name");
        return View(await s.Certificates.ImportAsync(name, Version(p.Version), p.Certificate));
    }

    internal static CertificateResult View(IssuedCertificate c)
    {
        using var cert = X509CertificateLoader.LoadCertificate(c.Certificate);
        return new CertificateResult(c.Key, c.Version, KeyIds.Format(c.Key, c.Version), CertificatePem.Write(c.Certificate),
            c.Chain.Select(CertificatePem.Write).ToList(), cert.Subject, cert.Issuer, cert.SerialNumber,
            new DateTimeOffset(cert.NotBefore.ToUniversalTime()), new DateTimeOffset(cert.NotAfter.ToUniversalTime()));
    }

    private static int? Version(int? v) =>
        v is null or > 0 ? v : throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'version' must be a positive integer");
}
