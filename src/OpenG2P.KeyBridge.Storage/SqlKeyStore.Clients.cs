using OpenG2P.KeyBridge.Auth;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Storage;

public abstract partial class SqlKeyStore
{
    public Task<ClientRecord?> GetClientAsync(string clientId, CancellationToken ct = default) =>
        RunAsync(async c =>
        {
            var rows = await Db.QueryAsync(c, null, ClientRows.Select + " WHERE client_id = @id", r => ClientRows.Read(r, Time), ct,
                ("id", clientId)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }, null, ct);

    public Task CreateClientAsync(ClientRecord client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return RunAsync(c => Db.ExecuteAsync(c, null, """
            INSERT INTO clients (client_id, secret_hash, roles, keys, disabled, created_at, updated_at, tokens_valid_after)
            VALUES (@id, @hash, @roles, @keys, @disabled, @created, @updated, @valid_after)
            """, ct,
            ("id", client.ClientId), ("hash", client.SecretHash), ("roles", JsonLists.Write(client.Roles)),
            ("keys", JsonLists.Write(client.Keys)), ("disabled", client.Disabled), ("created", Time.Write(client.CreatedAt)),
            ("updated", Time.Write(client.UpdatedAt == default ? client.CreatedAt : client.UpdatedAt)),
            ("valid_after", Time.WriteNullable(client.TokensValidAfter))),
            () => new KeyBridgeException(KeyBridgeError.ClientExists, $"client '{client.ClientId}' already exists"), ct);
    }

    /// <summary>Replaces every mutable field; <c>created_at</c> is kept and <c>updated_at</c> set to now.</summary>
    public Task UpdateClientAsync(ClientRecord client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return RunAsync(async c =>
        {
            var changed = await Db.ExecuteAsync(c, null, """
                UPDATE clients SET secret_hash = @hash, roles = @roles, keys = @keys, disabled = @disabled,
                                   updated_at = @updated, tokens_valid_after = @valid_after
                WHERE client_id = @id
                """, ct,
                ("hash", client.SecretHash), ("roles", JsonLists.Write(client.Roles)), ("keys", JsonLists.Write(client.Keys)),
                ("disabled", client.Disabled), ("updated", Time.Write(Now())),
                ("valid_after", Time.WriteNullable(client.TokensValidAfter)), ("id", client.ClientId)).ConfigureAwait(false);
            return changed == 0
                ? throw new KeyBridgeException(KeyBridgeError.ClientNotFound, $"client '{client.ClientId}' does not exist")
                : changed;
        }, null, ct);
    }

    public Task<IReadOnlyList<ClientRecord>> ListClientsAsync(string? afterId, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var sql = ClientRows.Select + (afterId is null ? "" : " WHERE client_id > @after") + " ORDER BY client_id LIMIT @limit";
        (string, object?)[] parameters = afterId is null ? [("limit", limit)] : [("limit", limit), ("after", afterId)];
        return RunAsync<IReadOnlyList<ClientRecord>>(
            async c => await Db.QueryAsync(c, null, sql, r => ClientRows.Read(r, Time), ct, parameters).ConfigureAwait(false),
            null, ct);
    }

    public Task<string?> GetSettingAsync(string name, CancellationToken ct = default) =>
        RunAsync(async c =>
            (string?)await Db.ScalarAsync(c, null, "SELECT value FROM settings WHERE name = @name", ct, ("name", name))
                .ConfigureAwait(false),
            null, ct);

    public Task SetSettingAsync(string name, string value, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return RunAsync(c => Db.ExecuteAsync(c, null,
            "INSERT INTO settings (name, value) VALUES (@name, @value) ON CONFLICT (name) DO UPDATE SET value = excluded.value", ct,
            ("name", name), ("value", value)), null, ct);
    }

    public Task<bool> TrySetSettingAsync(string name, string value, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        // One statement: the primary key decides the race, and the loser sees zero rows inserted.
        return RunAsync(async c => await Db.ExecuteAsync(c, null,
                "INSERT INTO settings (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING", ct,
                ("name", name), ("value", value)).ConfigureAwait(false) == 1,
            null, ct);
    }
}
