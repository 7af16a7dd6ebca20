using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>Result of a batch call: one entry per item, in order; failed items carry <c>error</c>.</summary>
public sealed record BatchResult(IReadOnlyList<object> Items);

/// <summary>An item that failed: <c>{"error": {code, message, data: {name}}}</c>.</summary>
public sealed record FailedItem(ItemError Error);

/// <summary>Runs every item of an <c>items</c> array; one failing item does not fail the others.</summary>
public static class Batch
{
    public static async Task<BatchResult> RunAsync<TItem>(
        RpcContext ctx, RpcServices services, IReadOnlyList<TItem?> items, Func<TItem, ValueTask<object>> run)
    {
        if (items.Count > services.Limits.MaxBatchItems)
        {
            throw new KeyBridgeException(KeyBridgeError.BatchTooLarge,
                $"'items' has {items.Count} entries; the limit is {services.Limits.MaxBatchItems}");
        }
        ctx.ItemCount = items.Count;
        var results = new object[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            try
            {
                var item = items[i] ?? throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"items[{i}] must be an object");
                results[i] = await run(item);
            }
            catch (Exception e)
            {
                var error = RpcErrors.ToItemError(e, ctx.RequestId, services.Logger);
                ctx.FailedItems++;
                ctx.FirstItemError ??= error.Data.Name;
                results[i] = new FailedItem(error);
            }
        }
        return new BatchResult(results);
    }
}
