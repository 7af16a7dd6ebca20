using System.Security.Cryptography;
using System.Text.Json;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Storage.Tests;

internal static class TestData
{
    /// <summary>Whole milliseconds, a precision both databases keep exactly.</summary>
    public static DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static NewKeyVersion Material(string kekId = "kek-1", byte[]? publicMaterial = null, int size = 40) =>
        new(RandomNumberGenerator.GetBytes(size), kekId, publicMaterial);

    public static KeyRecord Key(string name, KeyPolicy? policy = null, KeyType type = KeyType.Aes256Gcm) => new()
    {
        Name = name,
        Type = type,
        Policy = policy ?? new KeyPolicy(),
        CreatedAt = Now(),
        UpdatedAt = Now(),
        Versions = [],
    };

    /// <summary>Every field, material included, as JSON: equal text means equal records, and a diff shows what differs.</summary>
    public static string Describe(object record) => JsonSerializer.Serialize(record, record.GetType());

    public static async Task<KeyBridgeException> FailsWith(KeyBridgeError error, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<KeyBridgeException>(action);
        Assert.Equal(error.Name, e.Error.Name);
        return e;
    }
}
