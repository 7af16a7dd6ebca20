using System.Security.Cryptography;
using OpenG2P.KeyBridge.Certificates;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Signing;
using StreamJsonRpc;
using static OpenG2P.KeyBridge.Server.Rpc.Methods.Params;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

/// <summary>key.*: create, inspect, rotate, configure, revoke, destroy and export keys. Never returns material except key.export of an exportable key.</summary>
public sealed class KeyMethods(RpcServices s)
{
    [JsonRpcMethod("key.create")]
    [RpcAccess(Roles.KeyAdmin)]
    [RpcSummary("Create a key (version 1) with its policy.", typeof(KeyView))]
    public async Task<KeyView> CreateAsync(KeyCreateParams p, RpcContext ctx)
    {
        var name = KeyName(p.Name, ctx, "name");
        var policy = new KeyPolicy
        {
            RotationPeriod = Durations.Parse(p.RotationPeriod, "rotation_period"),
            Exportable = p.Exportable,
            DeletionAllowed = p.DeletionAllowed,
            HsmResident = p.HsmResident,
            RequiredContext = p.RequiredContext ?? [],
            SigningAlgorithm = SignatureAlgorithms.ParseOptional(p.Algorithm, "algorithm"),
        };
        return KeyView.From(await s.Keys.CreateAsync(name, KeyTypes.Parse(p.Type), policy));
    }

    [JsonRpcMethod("key.get")]
    [RpcAccess(Roles.KeyAdmin, Roles.Auditor, Roles.JobOperator)]
    [RpcSummary("A key's metadata, policy and versions (never material).", typeof(KeyView))]
    public async Task<KeyView> GetAsync(KeyNameParams p, RpcContext ctx)
    {
        var name = KeyNames.Validate(p.Name);
        ctx.RequireKey(name);
        var key = await s.Keys.GetAsync(name);
        return KeyView.From(key);
    }

    [JsonRpcMethod("key.list")]
    [RpcAccess(Roles.KeyAdmin, Roles.Auditor, Roles.JobOperator)]
    [RpcSummary("Keys ordered by name, with prefix filter and keyset paging (after, limit ≤ 1000).", typeof(KeyListResult))]
    public async Task<KeyListResult> ListAsync(KeyListParams p, RpcContext ctx)
    {
        Params.PageLimit(p.Limit);
        var keys = await s.Keys.ListAsync(p.Prefix, p.After, p.Limit);
        var visible = keys.Where(k => ctx.Caller.MayUseKey(k.Name)).Select(KeyView.From).ToList();
        return new KeyListResult(visible, keys.Count == p.Limit ? keys[^1].Name : null);
    }

    [JsonRpcMethod("key.rotate")]
    [RpcAccess(Roles.KeyAdmin)]
    [RpcSummary("Add a new version; it becomes the one used for new encryptions. Older versions keep decrypting.", typeof(VersionView))]
    public async Task<VersionView> RotateAsync(KeyNameParams p, RpcContext ctx)
    {
        var name = ManagedKey(ctx, p.Name);
        var v = await s.Keys.RotateAsync(name);
        ctx.NoteVersion(name, v.Version);
        var signing = (await s.Keys.GetAsync(name)).Type.IsSigningType();
        return new VersionView(v.Version, v.State.ToName(), v.CreatedAt, null, null,
            signing ? KeyIds.Format(name, v.Version) : null, signing ? false : null);
    }

    [JsonRpcMethod("key.configure")]
    [RpcAccess(Roles.KeyAdmin)]
    [RpcSummary("Change a key's policy: rotation_period, deletion_allowed, min_decryption_version, required_context.", typeof(KeyView))]
    public async Task<KeyView> ConfigureAsync(KeyConfigureParams p, RpcContext ctx)
    {
        var name = ManagedKey(ctx, p.Name);
        var key = await s.Keys.ConfigureAsync(name, policy =>
        {
            if (p.Exportable is { } e && e != policy.Exportable)
            {
                throw new KeyBridgeException(KeyBridgeError.InvalidPolicy, "'exportable' is fixed when the key is created");
            }
            return policy with
            {
                RotationPeriod = p.RotationPeriod is null ? policy.RotationPeriod : Durations.Parse(p.RotationPeriod, "rotation_period"),
                DeletionAllowed = p.DeletionAllowed ?? policy.DeletionAllowed,
                MinDecryptionVersion = p.MinDecryptionVersion ?? policy.MinDecryptionVersion,
                RequiredContext = p.RequiredContext ?? policy.RequiredContext,
                SigningAlgorithm = SignatureAlgorithms.ParseOptional(p.Algorithm, "algorithm") ?? policy.SigningAlgorithm,
            };
        });
        return KeyView.From(key);
    }

    [JsonRpcMethod("key.revoke_version")]
    [RpcAccess(Roles.KeyAdmin)]
    [RpcSummary("Mark a version compromised: refused everywhere and reported as revoked.", typeof(KeyView))]
    public async Task<KeyView> RevokeVersionAsync(KeyVersionParams p, RpcContext ctx)
    {
        var name = ManagedKey(ctx, p.Name);
        return KeyView.From(await s.Keys.RevokeVersionAsync(name, RequiredVersion(p)));
    }

    [JsonRpcMethod("key.destroy_version")]
    [RpcAccess(Roles.KeyAdmin)]
    [RpcSummary("Schedule the erasure of a version's material after Keys:DeletionWaitingPeriod (state pending_destruction, cancellable with key.cancel_destruction); needs deletion_allowed and is refused for the latest version.", typeof(KeyView))]
    public async Task<KeyView> DestroyVersionAsync(KeyVersionParams p, RpcContext ctx)
    {
        var name = ManagedKey(ctx, p.Name);
        return KeyView.From(await s.Destruction.DestroyVersionAsync(name, RequiredVersion(p)));
    }

    [JsonRpcMethod("key.export")]
    [RpcAccess(Roles.KeyAdmin)]
    [RpcSummary("Export a key version: symmetric keys as a JWK (exportable keys only); signing keys' public key as jwk, pem or certificate, private parts only for exportable keys.", typeof(ExportResult))]
    public async Task<ExportResult> ExportAsync(KeyExportParams p, RpcContext ctx)
    {
        var format = p.Format ?? "jwk";
        if (format is not ("jwk" or "pem" or "certificate"))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'format' must be jwk, pem or certificate");
        }
        // Public parts of internal keys (the root CA certificate) may be exported; secrets of internal keys never.
        var name = p.Private ? KeyName(p.Name, ctx, "name") : ManagedKey(ctx, p.Name);
        var key = await s.Keys.GetAsync(name);
        if (!key.Type.IsSigningType())
        {
            return await ExportSymmetricAsync(ctx, KeyName(name, ctx, "name"), p.Version, format);
        }
        if (p.Private)
        {
            if (format == "certificate")
            {
                throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'private' applies to the jwk and pem formats");
            }
            var (_, number, pkcs8) = await s.Keys.ExportSecretAsync(name, p.Version);
            try
            {
                var v = key.FindVersion(number)!;
                if (format == "pem")
                {
                    return new ExportResult(key.Name, number, format, PemEncoding.WriteString("PRIVATE KEY", pkcs8) + "\n");
                }
                var jwk = Jwks.ToJwk(key, v);
                PrivateKeyExport.AddPrivateMembers(jwk, key.Type, pkcs8);
                return new ExportResult(key.Name, number, format, jwk);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }
        var version = p.Version is { } n ? key.FindVersion(n) ?? throw new KeyBridgeException(KeyBridgeError.VersionNotFound,
            $"key '{name}' has no version {n}") : KeyRing.LatestForUse(key);
        if (version.State is VersionState.Revoked or VersionState.Destroyed)
        {
            throw new KeyBridgeException(version.State == VersionState.Revoked ? KeyBridgeError.VersionRevoked : KeyBridgeError.VersionDestroyed,
                $"version {version.Version} of key '{name}' is {version.State.ToName()}");
        }
        object exported = format switch
        {
            "jwk" => Jwks.ToJwk(key, version),
            "pem" => SigningPublicKey.Of(key, version).ToPem(),
            _ => version.Certificate is { } c
                ? string.Concat(new[] { c.Certificate }.Concat(c.Chain).Select(CertificatePem.Write))
                : throw new KeyBridgeException(KeyBridgeError.CertificateNotFound,
                    $"version {version.Version} of key '{name}' has no certificate; attach one with cert.issue or cert.import"),
        };
        return new ExportResult(key.Name, version.Version, format, exported);
    }

    private async Task<ExportResult> ExportSymmetricAsync(RpcContext ctx, string name, int? version, string format)
    {
        if (format != "jwk")
        {
            throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation,
                $"format '{format}' is not available for symmetric keys; use 'jwk'");
        }
        var (key, number, material) = await s.Keys.ExportSecretAsync(name, version);
        ctx.NoteVersion(key.Name, number);
        var jwk = new Dictionary<string, string>
        {
            ["kty"] = "oct",
            ["kid"] = KeyIds.Format(key.Name, number),
            ["alg"] = key.Type == KeyType.Aes256Gcm ? "A256GCM" : "HS256",
            ["k"] = Base64Url.Encode(material),
        };
        CryptographicOperations.ZeroMemory(material);
        return new ExportResult(key.Name, number, format, jwk);
    }

    /// <summary>Management calls may name internal keys (so an admin can rotate the token-signing key) but still honour grants.</summary>
    private string ManagedKey(RpcContext ctx, string? name)
    {
        KeyNames.Validate(name, "name");
        ctx.RequireKey(name!);
        return name!;
    }

    private static int RequiredVersion(KeyVersionParams p) =>
        p.Version is { } v && v > 0 ? v : throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'version' must be a positive integer");
}
