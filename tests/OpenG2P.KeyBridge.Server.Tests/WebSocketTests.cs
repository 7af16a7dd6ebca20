using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

public sealed class WebSocketTests(SqliteServerFixture fx) : IClassFixture<SqliteServerFixture>
{
    private async Task<ClientWebSocket> ConnectAsync(string? token)
    {
        var ws = new ClientWebSocket();
        if (token is not null)
        {
            ws.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }
        await ws.ConnectAsync(new Uri($"ws://{fx.Server.BaseAddress.Authority}/jsonrpc"), CancellationToken.None);
        return ws;
    }

    private static async Task<JsonElement> ExchangeAsync(ClientWebSocket ws, string message)
    {
        await ws.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, CancellationToken.None);
        return await ReceiveAsync(ws);
    }

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket ws)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[1 << 16];
        using var ms = new MemoryStream();
        WebSocketReceiveResult r;
        do
        {
            r = await ws.ReceiveAsync(buffer, cts.Token);
            ms.Write(buffer, 0, r.Count);
        }
        while (!r.EndOfMessage);
        return JsonDocument.Parse(ms.ToArray()).RootElement.Clone();
    }

    [Fact]
    public async Task Round_trip_and_batch_over_one_connection()
    {
        using var ws = await ConnectAsync(fx.Admin.Token);
        var enc = await ExchangeAsync(ws, """{"jsonrpc":"2.0","id":1,"method":"encrypt_data","params":{"text":"over websocket","context":{"id":7}}}""");
        var ct = enc.GetProperty("result").Str("ciphertext");
        var dec = await ExchangeAsync(ws, """{"jsonrpc":"2.0","id":2,"method":"decrypt_data","params":{"ciphertext":""" + JsonSerializer.Serialize(ct) + ""","context":{"id":7}}}""");
        Assert.Equal("over websocket", dec.GetProperty("result").Str("text"));

        // A notification gets no reply: the next message received answers the request after it.
        await ws.SendAsync(Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","method":"random_bytes"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        var batch = await ExchangeAsync(ws, """[{"jsonrpc":"2.0","id":"a","method":"random_bytes","params":{"length":3}},{"jsonrpc":"2.0","id":"b","method":"nope"}]""");
        Assert.Equal(2, batch.GetArrayLength());
        Assert.Equal("method_not_found", batch[1].GetProperty("error").ErrorName());

        var bad = await ExchangeAsync(ws, "{not json");
        Assert.Equal("parse_error", bad.GetProperty("error").ErrorName());
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task Upgrade_without_token_is_refused()
    {
        using var ws = new ClientWebSocket();
        var e = await Assert.ThrowsAnyAsync<WebSocketException>(() =>
            ws.ConnectAsync(new Uri($"ws://{fx.Server.BaseAddress.Authority}/jsonrpc"), CancellationToken.None));
        Assert.Contains("401", e.Message);
    }
}
