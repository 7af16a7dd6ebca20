using System.Text;
using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Server.Mosip;

/// <summary>A MOSIP key identifier: application id and reference id ("" for a master key).</summary>
public readonly record struct MosipId(string ApplicationId, string ReferenceId)
{
    public override string ToString() => ReferenceId.Length == 0 ? ApplicationId : $"{ApplicationId}/{ReferenceId}";
}

/// <summary>Which KeyBridge key serves a MOSIP id, and the type it gets when KeyBridge creates it on first use.</summary>
public sealed record MosipKeyBinding(MosipId Id, string KeyName, KeyType Type);

/// <summary>
/// <c>Mosip:KeyMap</c> plus the built-in ids OpenG2P uses. Master and SIGN ids (reference id "" or <c>SIGN</c>) are
/// RSA signing keys named <c>mosip.&lt;app&gt;[.&lt;ref&gt;]</c> — the same name a keystore import gives MOSIP's keys
/// for that id, so imported and new versions are one key. Other ids (e.g. <c>REGISTRATION/ENCRYPT</c>) encrypt data in
/// KeyBridge's format with an AES key named <c>mosip.&lt;app&gt;.&lt;ref&gt;.aes</c>; their imported RSA keys keep the plain
/// name and only decrypt MOSIP ciphertexts.
/// </summary>
public sealed class MosipKeyMap
{
    public const string SignApplicationId = "KERNEL";
    public const string SignReferenceId = "SIGN";

    /// <summary>The ids OpenG2P's Odoo modules and deployment charts use.</summary>
    public static IReadOnlyList<MosipId> Seeds { get; } =
    [
        new("REGISTRATION", "ENCRYPT"), new("REGISTRATION", ""), new("ID_REPO", ""), new(SignApplicationId, SignReferenceId),
        new("OPENG2P", ""), new("OPENG2P", "ENCRYPT"),
        new("OPENG2P_SR", ""), new("OPENG2P_SR", "ENCRYPT"),
        new("OPENG2P_SR_NID", ""), new("OPENG2P_SR_NID", "ENCRYPT"),
        new("OPENG2P_PBMS", ""), new("OPENG2P_PBMS", "ENCRYPT"),
        new("OPENG2P_SPAR", ""), new("OPENG2P_SPAR", "ENCRYPT"),
    ];

    private readonly Dictionary<MosipId, MosipKeyBinding> _bindings = [];
    private readonly HashSet<string> _applications = new(StringComparer.Ordinal);

    public MosipKeyMap(IOptions<MosipOptions> options)
    {
        foreach (var id in Seeds)
        {
            Add(Default(id));
        }
        foreach (var (entry, i) in options.Value.KeyMap.Select((e, i) => (e, i)))
        {
            var app = entry.ApplicationId?.Trim();
            if (string.IsNullOrEmpty(app))
            {
                throw new InvalidOperationException($"Mosip:KeyMap:{i}:ApplicationId is required");
            }
            var id = new MosipId(app, entry.ReferenceId?.Trim() ?? "");
            var fallback = Default(id);
            var name = string.IsNullOrWhiteSpace(entry.Key) ? fallback.KeyName : entry.Key.Trim();
            if (!KeyNames.IsValid(name) || name.StartsWith(KeyNames.InternalPrefix, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Mosip:KeyMap:{i}:Key '{name}' is not a valid KeyBridge key name");
            }
            var type = entry.Type is null ? fallback.Type : TypeOf(entry.Type, i);
            Add(new MosipKeyBinding(id, name, type));
        }
    }

    public IReadOnlyCollection<MosipKeyBinding> All => _bindings.Values;

    public MosipKeyBinding? Find(MosipId id) => _bindings.GetValueOrDefault(id);

    public bool KnowsApplication(string applicationId) => _applications.Contains(applicationId);

    /// <summary>Master keys and KERNEL/SIGN sign; other reference ids name data keys.</summary>
    public static bool IsSigningId(MosipId id) => id.ReferenceId.Length == 0 || id.ReferenceId == SignReferenceId;

    /// <summary>The binding an id gets without configuration: <c>mosip.&lt;app&gt;[.&lt;ref&gt;]</c> (RSA) or, for data ids, that name plus <c>.aes</c>.</summary>
    public static MosipKeyBinding Default(MosipId id) =>
        IsSigningId(id) ? new(id, ImportName(id), KeyType.Rsa2048) : new(id, ImportName(id) + ".aes", KeyType.Aes256Gcm);

    /// <summary>Where a keystore import puts MOSIP's own (RSA) keys of an id: lower-case, other characters as '-', at most 100.</summary>
    public static string ImportName(MosipId id)
    {
        var b = new StringBuilder("mosip.");
        Append(b, id.ApplicationId);
        if (id.ReferenceId.Length > 0)
        {
            b.Append('.');
            Append(b, id.ReferenceId);
        }
        // Leave room for the ".aes" suffix of data keys.
        return b.Length > 96 ? b.ToString(0, 96) : b.ToString();
    }

    private static void Append(StringBuilder b, string part)
    {
        foreach (var c in part.ToLowerInvariant())
        {
            b.Append(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-' ? c : '-');
        }
    }

    private void Add(MosipKeyBinding binding)
    {
        _bindings[binding.Id] = binding;
        _applications.Add(binding.Id.ApplicationId);
    }

    private static KeyType TypeOf(string name, int i)
    {
        try
        {
            var type = KeyTypes.Parse(name.Trim());
            return type is KeyType.HmacSha256
                ? throw new InvalidOperationException($"Mosip:KeyMap:{i}:Type must be aes-256-gcm or a signing key type")
                : type;
        }
        catch (Errors.KeyBridgeException e)
        {
            throw new InvalidOperationException($"Mosip:KeyMap:{i}:Type: {e.Message}");
        }
    }
}
