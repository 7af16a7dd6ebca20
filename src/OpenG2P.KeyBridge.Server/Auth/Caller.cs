namespace OpenG2P.KeyBridge.Server.Auth;

/// <summary>The authenticated client behind a request, with its roles and per-key grants.</summary>
public sealed record Caller(string ClientId, IReadOnlySet<string> Roles, IReadOnlyList<string> KeyPatterns, DateTimeOffset ExpiresAt)
{
    public bool HasRole(string role) => Roles.Contains(role);

    /// <summary>True when the client's grants cover the key (no grants means every key).</summary>
    public bool MayUseKey(string keyName)
    {
        if (KeyPatterns.Count == 0 || Roles.Contains(Auth.Roles.Admin))
        {
            return true;
        }
        foreach (var p in KeyPatterns)
        {
            if (p.EndsWith('*') ? keyName.StartsWith(p.AsSpan(0, p.Length - 1), StringComparison.Ordinal) : keyName == p)
            {
                return true;
            }
        }
        return false;
    }
}
