using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>Builds the OpenRPC 1.2 document for <c>rpc.discover</c> from the method catalog.</summary>
public static class OpenRpcDocument
{
    private static JsonObject? _cached;

    public static JsonObject Build(RpcCatalog catalog)
    {
        var cached = _cached ??= Create(catalog);
        return (JsonObject)cached.DeepClone();
    }

    private static JsonObject Create(RpcCatalog catalog)
    {
        var methods = new JsonArray();
        foreach (var m in catalog.Methods.Values.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var parameters = new JsonArray();
            {
                foreach (var prop in m.Params.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    parameters.Add(new JsonObject
                    {
                        ["name"] = JsonNamingPolicy.SnakeCaseLower.ConvertName(prop.Name),
                        ["required"] = false,
                        ["schema"] = Schema(prop.PropertyType, 0),
                    });
                }
            }
            methods.Add(new JsonObject
            {
                ["name"] = m.Name,
                ["summary"] = m.Summary,
                ["paramStructure"] = "by-name",
                ["params"] = parameters,
                ["result"] = new JsonObject { ["name"] = "result", ["schema"] = Schema(m.Result, 0) },
                ["x-roles"] = new JsonArray(m.Roles.Select(r => (JsonNode)r).ToArray()),
            });
        }
        return new JsonObject
        {
            ["openrpc"] = "1.2.6",
            ["info"] = new JsonObject { ["title"] = "OpenG2P KeyBridge", ["version"] = typeof(OpenRpcDocument).Assembly.GetName().Version?.ToString() },
            ["methods"] = methods,
        };
    }

    private static JsonObject Schema(Type t, int depth)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (t == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }
        if (t == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }
        if (t == typeof(int) || t == typeof(long))
        {
            return new JsonObject { ["type"] = "integer" };
        }
        if (t == typeof(DateTimeOffset))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "date-time" };
        }
        if (t == typeof(JsonElement) || t == typeof(object) || t == typeof(JsonObject) || depth > 4)
        {
            return new JsonObject();
        }
        if (t != typeof(string) && typeof(IEnumerable).IsAssignableFrom(t))
        {
            var item = t.IsArray ? t.GetElementType()! : t.GetGenericArguments().LastOrDefault() ?? typeof(object);
            return typeof(IDictionary).IsAssignableFrom(t) || (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>))
                ? new JsonObject { ["type"] = "object" }
                : new JsonObject { ["type"] = "array", ["items"] = Schema(item, depth + 1) };
        }
        var properties = new JsonObject();
        foreach (var prop in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            properties[JsonNamingPolicy.SnakeCaseLower.ConvertName(prop.Name)] = Schema(prop.PropertyType, depth + 1);
        }
        return new JsonObject { ["type"] = "object", ["properties"] = properties };
    }
}
