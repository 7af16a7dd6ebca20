using System.Text.Json;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

// Parameters and results of the data methods. Property names are snake_case on the wire.
// Top-level key/context apply to every item that does not give its own.

public sealed record EncryptItem
{
    public string? Key { get; init; }

    /// <summary>Plaintext bytes, base64url.</summary>
    public string? Data { get; init; }

    /// <summary>Plaintext as UTF-8 text (instead of data).</summary>
    public string? Text { get; init; }

    public JsonElement? Context { get; init; }
}

public sealed record EncryptParams
{
    public string? Key { get; init; }

    public string? Data { get; init; }

    public string? Text { get; init; }

    public JsonElement? Context { get; init; }

    public List<EncryptItem?>? Items { get; init; }
}

public sealed record EncryptResult(string Ciphertext, string Key, int Version);

public sealed record CiphertextItem
{
    public string? Ciphertext { get; init; }

    public JsonElement? Context { get; init; }

    public MosipCipherParams? Mosip { get; init; }
}

public sealed record CiphertextParams
{
    public string? Ciphertext { get; init; }

    public JsonElement? Context { get; init; }

    /// <summary>decrypt_data: the salt and aad a MOSIP ciphertext was made with (instead of a context).</summary>
    public MosipCipherParams? Mosip { get; init; }

    public List<CiphertextItem?>? Items { get; init; }
}

public sealed record DecryptResult(string Data, string? Text, string Key, int Version);

public sealed record DataKeyItem
{
    public string? Key { get; init; }

    public JsonElement? Context { get; init; }
}

public sealed record DataKeyParams
{
    public string? Key { get; init; }

    public bool WithPlaintext { get; init; }

    public int Bits { get; init; } = 256;

    public JsonElement? Context { get; init; }

    public List<DataKeyItem?>? Items { get; init; }
}

public sealed record DataKeyResult(string Wrapped, string? Plaintext, string Key, int Version);

public sealed record BlindIndexParams
{
    public string? Key { get; init; }

    public string? Value { get; init; }

    public List<string?>? Values { get; init; }

    /// <summary><c>none</c> (default), <c>casefold</c>, <c>digits</c> or <c>trim</c>.</summary>
    public string? Normalize { get; init; }
}

public sealed record BlindIndexResult(string? Token, IReadOnlyList<string>? Tokens, string Key, int Version);

public sealed record MacItem
{
    public string? Data { get; init; }

    public string? Mac { get; init; }
}

public sealed record MacParams
{
    public string? Key { get; init; }

    public string? Data { get; init; }

    public string? Mac { get; init; }

    public List<MacItem?>? Items { get; init; }
}

public sealed record MacResult(string Mac, string Key, int Version);

public sealed record VerifyMacResult(bool Valid, string Key, int Version);

public sealed record RandomBytesParams
{
    public int Length { get; init; } = 32;
}

public sealed record RandomBytesResult(string Data);

/// <summary>The salt and aad (base64url, either may be absent) a MOSIP keymanager ciphertext was encrypted with.</summary>
public sealed record MosipCipherParams
{
    public string? Salt { get; init; }

    public string? Aad { get; init; }
}
