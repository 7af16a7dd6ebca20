namespace OpenG2P.KeyBridge.Server.Jobs.Odoo;

/// <summary>
/// An error object Odoo returned (HTTP 200 with <c>error</c>) that concerns this call only, e.g. a
/// validation error on one record's write. <see cref="Name"/> is Odoo's exception class
/// (<c>error.data.name</c>), <see cref="Message"/> its message, shortened.
/// </summary>
public sealed class OdooCallException(string name, string message) : Exception($"{name}: {message}")
{
    public string Name { get; } = name;

    public string OdooMessage { get; } = message;
}

/// <summary>Odoo answered code 100 (<c>odoo.http.SessionExpiredException</c>): log in again and retry.</summary>
public sealed class OdooSessionExpiredException() : Exception("the Odoo session expired");
