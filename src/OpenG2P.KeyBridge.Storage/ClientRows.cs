using System.Data.Common;
using OpenG2P.KeyBridge.Auth;

namespace OpenG2P.KeyBridge.Storage;

internal static class ClientRows
{
    public const string Select = """
        SELECT client_id, secret_hash, roles, keys, disabled, created_at, updated_at, tokens_valid_after
        FROM clients
        """;

    public static ClientRecord Read(DbDataReader r, TimeCodec time) => new()
    {
        ClientId = r.GetString(0),
        SecretHash = r.GetString(1),
        Roles = JsonLists.Read(r.GetString(2)),
        Keys = JsonLists.Read(r.GetString(3)),
        Disabled = r.GetBoolean(4),
        CreatedAt = time.Read(r, 5),
        UpdatedAt = time.Read(r, 6),
        TokensValidAfter = time.ReadNullable(r, 7),
    };
}
