using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace OpenG2P.KeyBridge.Keys;

/// <summary>
/// Bounded cache of unwrapped key material, keyed by key name and version. Entries are leased
/// while in use and zeroed when evicted (immediately, or when the last lease ends), so an
/// eviction never corrupts an operation in flight.
/// </summary>
public sealed class MaterialCache(int capacity)
{
    private readonly ConcurrentDictionary<(string Name, int Version), Entry> _entries = new();
    private long _hits;
    private long _misses;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public int Count => _entries.Count;

    /// <summary>Leases the material for (name, version), unwrapping it with <paramref name="load"/> on a miss.</summary>
    public Lease Acquire(string name, int version, Func<byte[]> load)
    {
        while (true)
        {
            if (_entries.TryGetValue((name, version), out var entry))
            {
                if (entry.TryLease())
                {
                    Interlocked.Increment(ref _hits);
                    return new Lease(entry);
                }
                continue; // evicted between lookup and lease: load again
            }
            Interlocked.Increment(ref _misses);
            var fresh = new Entry(load());
            if (!_entries.TryAdd((name, version), fresh))
            {
                fresh.Evict();
                continue;
            }
            fresh.TryLease();
            TrimIfNeeded(fresh);
            return new Lease(fresh);
        }
    }

    /// <summary>Drops (and wipes) every cached version of a key: after rotation, revocation or destruction.</summary>
    public void Invalidate(string name)
    {
        foreach (var k in _entries.Keys)
        {
            if (k.Name == name && _entries.TryRemove(k, out var e))
            {
                e.Evict();
            }
        }
    }

    public void Clear()
    {
        foreach (var k in _entries.Keys)
        {
            if (_entries.TryRemove(k, out var e))
            {
                e.Evict();
            }
        }
    }

    private void TrimIfNeeded(Entry keep)
    {
        if (_entries.Count <= capacity)
        {
            return;
        }
        // Evict the least recently used quarter; a rare O(n) pass keeps the hot path lock-free.
        var victims = _entries.Where(kv => kv.Value != keep).OrderBy(kv => kv.Value.LastUsed)
            .Take(Math.Max(1, _entries.Count - capacity * 3 / 4)).ToList();
        foreach (var kv in victims)
        {
            if (_entries.TryRemove(kv.Key, out var e))
            {
                e.Evict();
            }
        }
    }

    public readonly struct Lease : IDisposable
    {
        private readonly Entry _entry;

        internal Lease(Entry entry) => _entry = entry;

        /// <summary>False for the default value (no cached material behind it).</summary>
        public bool HasEntry => _entry is not null;

        public ReadOnlySpan<byte> Material => _entry.Material;

        /// <summary>A cached AES-GCM instance for this version, rented for this lease.</summary>
        public AesGcm RentAesGcm() => _entry.RentAesGcm();

        public void ReturnAesGcm(AesGcm aes) => _entry.ReturnAesGcm(aes);

        /// <summary>
        /// A cached object derived from this version's material (e.g. an imported signing key), rented for this
        /// lease and made by <paramref name="create"/> when none is free. Disposed when the entry is evicted.
        /// </summary>
        public T Rent<T>(Func<byte[], T> create) where T : class, IDisposable => _entry.Rent(create);

        public void Return(IDisposable item) => _entry.Return(item);

        public void Dispose() => _entry.Release();
    }

    internal sealed class Entry(byte[] material)
    {
        private readonly Lock _gate = new();
        private readonly ConcurrentBag<AesGcm> _aes = [];
        private readonly ConcurrentBag<IDisposable> _derived = [];
        private int _leases;
        private bool _evicted;

        public byte[] Material { get; } = material;

        private static long _clock;

        /// <summary>A logical clock: strictly ordered, unlike a millisecond timer.</summary>
        public long LastUsed { get; private set; } = Interlocked.Increment(ref _clock);

        public bool TryLease()
        {
            lock (_gate)
            {
                if (_evicted)
                {
                    return false;
                }
                _leases++;
                LastUsed = Interlocked.Increment(ref _clock);
                return true;
            }
        }

        public void Release()
        {
            lock (_gate)
            {
                if (--_leases == 0 && _evicted)
                {
                    Wipe();
                }
            }
        }

        public void Evict()
        {
            lock (_gate)
            {
                _evicted = true;
                if (_leases == 0)
                {
                    Wipe();
                }
            }
        }

        public AesGcm RentAesGcm() => _aes.TryTake(out var a) ? a : new AesGcm(Material, 16);

        public void ReturnAesGcm(AesGcm aes)
        {
            if (_aes.Count < 64)
            {
                _aes.Add(aes);
            }
            else
            {
                aes.Dispose();
            }
        }

        public T Rent<T>(Func<byte[], T> create) where T : class, IDisposable
        {
            while (_derived.TryTake(out var item))
            {
                if (item is T t)
                {
                    return t;
                }
                item.Dispose();
            }
            return create(Material);
        }

        public void Return(IDisposable item)
        {
            if (_derived.Count < 64)
            {
                _derived.Add(item);
            }
            else
            {
                item.Dispose();
            }
        }

        private void Wipe()
        {
            CryptographicOperations.ZeroMemory(Material);
            while (_aes.TryTake(out var a))
            {
                a.Dispose();
            }
            while (_derived.TryTake(out var d))
            {
                d.Dispose();
            }
        }
    }
}
