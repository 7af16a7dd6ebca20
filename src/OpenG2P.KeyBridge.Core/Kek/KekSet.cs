using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Kek;

/// <summary>
/// The current KEK plus the previous ones during a KEK rotation. New material is always wrapped by
/// the current KEK; material still wrapped by a previous KEK keeps unwrapping until the rotation job
/// has rewrapped it, after which the previous KEKs can be removed from the configuration.
/// </summary>
public sealed class KekSet : IKekProvider
{
    private readonly IKekProvider _current;
    private readonly IReadOnlyList<IKekProvider> _previous;

    private KekSet(IKekProvider current, IReadOnlyList<IKekProvider> previous)
    {
        _current = current;
        _previous = previous;
    }

    /// <summary>The current KEK alone when there are no previous ones, else a set.</summary>
    public static IKekProvider Create(IKekProvider current, IEnumerable<IKekProvider> previous)
    {
        ArgumentNullException.ThrowIfNull(current);
        var list = previous.Where(p => p.KekId != current.KekId).ToList();
        return list.Count == 0 ? current : new KekSet(current, list);
    }

    public string KekId => _current.KekId;

    public IKekProvider Current => _current;

    public IReadOnlyList<IKekProvider> Previous => _previous;

    public byte[] Wrap(ReadOnlySpan<byte> material, ReadOnlySpan<byte> associatedData) => _current.Wrap(material, associatedData);

    public byte[] Unwrap(ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> associatedData)
    {
        try
        {
            return _current.Unwrap(wrapped, associatedData);
        }
        catch (KeyBridgeException e) when (e.Error == KeyBridgeError.KeyMaterialCorrupt)
        {
            // Not wrapped by the current KEK: a version the KEK rotation has not reached yet.
            foreach (var p in _previous)
            {
                try
                {
                    return p.Unwrap(wrapped, associatedData);
                }
                catch (KeyBridgeException inner) when (inner.Error == KeyBridgeError.KeyMaterialCorrupt)
                {
                }
            }
            throw;
        }
    }

    public bool IsHealthy() => _current.IsHealthy();

    /// <summary>The configured KEK with this id (current or previous), or null.</summary>
    public static IKekProvider? Find(IKekProvider provider, string? kekId)
    {
        if (kekId is null)
        {
            return null;
        }
        if (provider.KekId == kekId)
        {
            return provider is KekSet s ? s._current : provider;
        }
        return provider is KekSet set ? set._previous.FirstOrDefault(p => p.KekId == kekId) : null;
    }
}
