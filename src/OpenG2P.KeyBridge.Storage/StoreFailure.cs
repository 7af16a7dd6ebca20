namespace OpenG2P.KeyBridge.Storage;

/// <summary>How a provider exception is reported: classified by SQL state or error code, never by message text.</summary>
internal enum StoreFailure
{
    /// <summary>Not a storage condition the API documents; rethrown unchanged.</summary>
    Other,

    /// <summary>A unique constraint was violated (the name or id is taken).</summary>
    Conflict,

    /// <summary>The database cannot be reached or opened: <c>storage_unavailable</c>.</summary>
    Unavailable,
}
