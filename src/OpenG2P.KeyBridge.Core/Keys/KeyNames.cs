using System.Text.RegularExpressions;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Keys;

public static partial class KeyNames
{
    /// <summary>Keys KeyBridge keeps for itself (token signing, the root CA): never usable through the data methods.</summary>
    public const string InternalPrefix = "keybridge.";

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? name) => !string.IsNullOrEmpty(name) && Pattern().IsMatch(name);

    /// <summary>Lower-case ASCII letters, digits, '.', '_' and '-', 1 to 100 characters, starting with a letter or digit.</summary>
    public static string Validate(string? name, string field = "name")
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"'{field}' is required");
        }
        if (!Pattern().IsMatch(name))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams,
                $"'{field}' must be 1-100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }
}
