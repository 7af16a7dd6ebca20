using System.Globalization;
using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Signing;

/// <summary>
/// The <c>kid</c> of a key version: <c>&lt;key name&gt;:v&lt;version&gt;</c>, e.g. <c>voucher-signing:v3</c>.
/// Key names never contain ':', so the split is unambiguous, and a kid names exactly one version.
/// </summary>
public static class KeyIds
{
    public static string Format(string keyName, int version) => $"{keyName}:v{version.ToString(CultureInfo.InvariantCulture)}";

    public static bool TryParse(string? kid, out string keyName, out int version)
    {
        keyName = "";
        version = 0;
        var colon = kid?.IndexOf(":v", StringComparison.Ordinal) ?? -1;
        if (colon <= 0)
        {
            return false;
        }
        var name = kid![..colon];
        var digits = kid.AsSpan(colon + 2);
        // Canonical numbers only ("v01" would name the same version under a second kid).
        if (digits.Length is 0 or > 9 || digits[0] == '0'
            || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out version)
            || !KeyNames.IsValid(name))
        {
            version = 0;
            return false;
        }
        keyName = name;
        return true;
    }
}
