namespace OpenG2P.KeyBridge.Server.Auth;

/// <summary>The roles of SPEC §10. Which methods each role may call is declared on the methods (<see cref="Rpc.RpcAccessAttribute"/>).</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string KeyAdmin = "key-admin";
    public const string Encrypter = "encrypter";
    public const string Decrypter = "decrypter";
    public const string Signer = "signer";
    public const string Verifier = "verifier";
    public const string VoucherIssuer = "voucher-issuer";
    public const string VoucherRedeemer = "voucher-redeemer";
    public const string JobOperator = "job-operator";
    public const string Auditor = "auditor";

    /// <summary>Pseudo-role for methods any authenticated client may call.</summary>
    public const string Any = "*";

    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Admin, KeyAdmin, Encrypter, Decrypter, Signer, Verifier, VoucherIssuer, VoucherRedeemer, JobOperator, Auditor,
    };
}
