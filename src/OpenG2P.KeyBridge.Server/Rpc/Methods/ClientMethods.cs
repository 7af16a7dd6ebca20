using System.Text.RegularExpressions;
using OpenG2P.KeyBridge.Auth;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Server.Auth;
using StreamJsonRpc;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

public sealed record ClientCreateParams
{
    public string? ClientId { get; init; }

    public List<string>? Roles { get; init; }

    /// <summary>Key names or <c>prefix*</c> patterns the roles are limited to; empty or absent means every key.</summary>
    public List<string>? Keys { get; init; }
}

public sealed record ClientUpdateParams
{
    public string? ClientId { get; init; }

    public List<string>? Roles { get; init; }

    public List<string>? Keys { get; init; }

    public bool? Disabled { get; init; }
}

public sealed record ClientIdParams
{
    public string? ClientId { get; init; }
}

public sealed record ClientListParams
{
    public string? After { get; init; }

    public int Limit { get; init; } = 100;
}

public sealed record ClientView(
    string ClientId, IReadOnlyList<string> Roles, IReadOnlyList<string> Keys, bool Disabled, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, string? ClientSecret = null)
{
    public static ClientView From(ClientRecord c, string? secret = null) =>
        new(c.ClientId, c.Roles, c.Keys, c.Disabled, c.CreatedAt, c.UpdatedAt, secret);
}

public sealed record ClientListResult(IReadOnlyList<ClientView> Clients, string? NextAfter);

/// <summary>client.*: API clients, their roles and key grants (admin only). Secrets are shown only at creation and rotation.</summary>
public sealed partial class ClientMethods(RpcServices s)
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex ClientIdPattern();

    [JsonRpcMethod("client.create")]
    [RpcAccess(Roles.Admin)]
    [RpcSummary("Create a client with roles and optional key grants; returns its client_secret (shown only here and at rotation).", typeof(ClientView))]
    public async Task<ClientView> CreateAsync(ClientCreateParams p, RpcContext ctx)
    {
        var id = ValidId(p.ClientId);
        var secret = SecretHasher.NewSecret();
        var now = s.Time.GetUtcNow();
        var client = new ClientRecord
        {
            ClientId = id,
            SecretHash = SecretHasher.Hash(secret),
            Roles = ValidRoles(p.Roles),
            Keys = ValidGrants(p.Keys),
            CreatedAt = now,
            UpdatedAt = now,
        };
        await s.Store.CreateClientAsync(client);
        return ClientView.From(client, secret);
    }

    [JsonRpcMethod("client.list")]
    [RpcAccess(Roles.Admin)]
    [RpcSummary("Clients ordered by id, with keyset paging (after, limit ≤ 1000). Never returns secrets.", typeof(ClientListResult))]
    public async Task<ClientListResult> ListAsync(ClientListParams p, RpcContext ctx)
    {
        Params.PageLimit(p.Limit);
        var clients = await s.Store.ListClientsAsync(p.After, p.Limit);
        return new ClientListResult(clients.Select(c => ClientView.From(c)).ToList(), clients.Count == p.Limit ? clients[^1].ClientId : null);
    }

    [JsonRpcMethod("client.update")]
    [RpcAccess(Roles.Admin)]
    [RpcSummary("Change a client's roles, key grants or disabled flag. Disabling ends its existing tokens.", typeof(ClientView))]
    public async Task<ClientView> UpdateAsync(ClientUpdateParams p, RpcContext ctx)
    {
        var client = await LoadAsync(p.ClientId);
        var disabling = p.Disabled == true && !client.Disabled;
        var updated = client with
        {
            Roles = p.Roles is null ? client.Roles : ValidRoles(p.Roles),
            Keys = p.Keys is null ? client.Keys : ValidGrants(p.Keys),
            Disabled = p.Disabled ?? client.Disabled,
            TokensValidAfter = disabling ? s.Time.GetUtcNow() : client.TokensValidAfter,
        };
        return ClientView.From(await SaveAsync(ctx, updated));
    }

    [JsonRpcMethod("client.rotate_secret")]
    [RpcAccess(Roles.Admin)]
    [RpcSummary("Issue a new client_secret; the old secret and every token issued with it stop working.", typeof(ClientView))]
    public async Task<ClientView> RotateSecretAsync(ClientIdParams p, RpcContext ctx)
    {
        var client = await LoadAsync(p.ClientId);
        var secret = SecretHasher.NewSecret();
        var updated = await SaveAsync(ctx, client with { SecretHash = SecretHasher.Hash(secret), TokensValidAfter = s.Time.GetUtcNow() });
        return ClientView.From(updated, secret);
    }

    [JsonRpcMethod("client.disable")]
    [RpcAccess(Roles.Admin)]
    [RpcSummary("Disable a client: no new tokens, and its existing tokens stop working.", typeof(ClientView))]
    public async Task<ClientView> DisableAsync(ClientIdParams p, RpcContext ctx)
    {
        var client = await LoadAsync(p.ClientId);
        return ClientView.From(client.Disabled ? client : await SaveAsync(ctx, client with { Disabled = true, TokensValidAfter = s.Time.GetUtcNow() }));
    }

    private async Task<ClientRecord> LoadAsync(string? clientId)
    {
        var id = ValidId(clientId);
        return await s.Store.GetClientAsync(id)
            ?? throw new KeyBridgeException(KeyBridgeError.ClientNotFound, $"client '{id}' does not exist");
    }

    private async Task<ClientRecord> SaveAsync(RpcContext ctx, ClientRecord client)
    {
        if (client.Disabled && client.ClientId == ctx.Caller.ClientId)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "a client cannot disable itself");
        }
        await s.Store.UpdateClientAsync(client);
        s.Clients.Invalidate(client.ClientId);
        return await s.Store.GetClientAsync(client.ClientId) ?? client;
    }

    private static string ValidId(string? id) =>
        id is not null && ClientIdPattern().IsMatch(id)
            ? id
            : throw new KeyBridgeException(KeyBridgeError.InvalidParams,
                "'client_id' must be 1-100 characters of letters, digits, '.', '_', '@' or '-', starting with a letter or digit");

    private static List<string> ValidRoles(List<string>? roles)
    {
        if (roles is null || roles.Count == 0)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'roles' must list at least one role");
        }
        foreach (var r in roles)
        {
            if (!Roles.All.Contains(r))
            {
                throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"unknown role '{r}'; roles are {string.Join(", ", Roles.All.Order())}");
            }
        }
        return roles.Distinct().ToList();
    }

    private static List<string> ValidGrants(List<string>? keys)
    {
        var grants = new List<string>();
        foreach (var k in keys ?? [])
        {
            KeyNames.Validate(k.EndsWith('*') ? k[..^1] + "x" : k, "keys");
            grants.Add(k);
        }
        return grants;
    }
}
