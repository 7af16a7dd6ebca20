using System.Collections.Concurrent;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Hsm;

/// <summary>
/// One PKCS#11 token: the module loaded once per process in multi-threaded mode, one login, and a
/// bounded pool of sessions — every operation borrows a session and returns it, so the number of
/// open sessions never exceeds <see cref="Pkcs11Options.PoolSize"/> however many calls run at once.
/// When the token goes away, operations fail with <c>hsm_unavailable</c> and the next operation
/// (at most once a second) reconnects on its own.
/// </summary>
public sealed class Pkcs11Token : IDisposable
{
    private static readonly HashSet<CKR> ConnectionLost =
    [
        CKR.CKR_DEVICE_REMOVED, CKR.CKR_TOKEN_NOT_PRESENT, CKR.CKR_SESSION_HANDLE_INVALID, CKR.CKR_SESSION_CLOSED,
        CKR.CKR_DEVICE_ERROR, CKR.CKR_USER_NOT_LOGGED_IN, CKR.CKR_OBJECT_HANDLE_INVALID, CKR.CKR_KEY_HANDLE_INVALID,
        CKR.CKR_SLOT_ID_INVALID, CKR.CKR_TOKEN_NOT_RECOGNIZED, CKR.CKR_GENERAL_ERROR, CKR.CKR_DEVICE_MEMORY,
        CKR.CKR_CRYPTOKI_NOT_INITIALIZED,
    ];

    private readonly Pkcs11Options _options;
    private readonly Pkcs11InteropFactories _factories = new();
    private IPkcs11Library _library;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentBag<(ISession Session, long Generation)> _idle = [];
    private readonly Lock _gate = new();
    private ISlot? _slot;
    private int _open;
    private int _maxOpen;
    private long _generation;
    private long _lastAttempt;
    private bool _connected;

    public Pkcs11Token(Pkcs11Options options)
    {
        _options = options;
        if (options.PoolSize < 1)
        {
            throw new KeyBridgeException(KeyBridgeError.HsmUnavailable, "Kek:Pkcs11:PoolSize must be at least 1");
        }
        _slots = new SemaphoreSlim(options.PoolSize, options.PoolSize);
        Pkcs11Native.EnsureResolver();
        _library = Load();
        lock (_gate)
        {
            Connect();
        }
    }

    private IPkcs11Library Load()
    {
        try
        {
            return _factories.Pkcs11LibraryFactory.LoadPkcs11Library(_factories, _options.Library, AppType.MultiThreaded);
        }
        catch (Exception e) when (e is not KeyBridgeException)
        {
            throw new KeyBridgeException(KeyBridgeError.HsmUnavailable,
                $"the PKCS#11 module '{_options.Library}' cannot be loaded ({e.GetType().Name}); check Kek:Pkcs11:Library", e);
        }
    }

    /// <summary>
    /// After the token was lost some modules keep a broken state until they are finalized and
    /// initialized again (C_Finalize / C_Initialize): do that before each reconnect attempt.
    /// </summary>
    private void Reload()
    {
        try
        {
            _library.Dispose();
        }
        catch (Pkcs11Exception)
        {
        }
        _library = Load();
    }

    public Pkcs11InteropFactories Factories => _factories;

    /// <summary>Sessions currently open (idle or borrowed); never more than the pool size.</summary>
    public int OpenSessions => Volatile.Read(ref _open);

    public int PoolSize => _options.PoolSize;

    public int BorrowedSessions => _options.PoolSize - _slots.CurrentCount;

    /// <summary>The most sessions ever open at once.</summary>
    public int MaxOpenSessions => Volatile.Read(ref _maxOpen);

    public string TokenSerial { get; private set; } = "";

    /// <summary>Bumped on every reconnect, so cached object handles can tell they are stale.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public bool IsConnected
    {
        get
        {
            lock (_gate)
            {
                return _connected;
            }
        }
    }

    /// <summary>Runs <paramref name="operation"/> on a borrowed session.</summary>
    public T Run<T>(Func<ISession, T> operation)
    {
        if (!_slots.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new KeyBridgeException(KeyBridgeError.HsmUnavailable, "no HSM session became free within 30 s; raise Kek:Pkcs11:PoolSize");
        }
        (ISession Session, long Generation)? borrowed = null;
        try
        {
            borrowed = Borrow();
            return operation(borrowed.Value.Session);
        }
        catch (Pkcs11Exception e) when (ConnectionLost.Contains(e.RV) && !(e.RV == CKR.CKR_GENERAL_ERROR && StillAnswers(borrowed)))
        {
            Disconnect();
            throw new KeyBridgeException(KeyBridgeError.HsmUnavailable, $"the HSM token is unavailable ({e.RV}); retrying on the next call", e);
        }
        finally
        {
            if (borrowed is { } b)
            {
                Return(b);
            }
            _slots.Release();
        }
    }

    /// <summary>Checks the token answers; reconnects if it had gone away.</summary>
    public bool Probe()
    {
        try
        {
            return Run(s =>
            {
                s.GetSessionInfo();
                return true;
            });
        }
        catch (KeyBridgeException)
        {
            return false;
        }
    }

    /// <summary>
    /// Some modules answer CKR_GENERAL_ERROR for a failed operation (SoftHSM2 does for a GCM tag
    /// that does not verify): when the session still answers, the token is fine and the error is
    /// the operation's own.
    /// </summary>
    private static bool StillAnswers((ISession Session, long Generation)? borrowed)
    {
        try
        {
            borrowed?.Session.GetSessionInfo();
            return borrowed is not null;
        }
        catch (Pkcs11Exception)
        {
            return false;
        }
    }

    /// <summary>Back to the pool, unless the session belongs to a connection that has since been closed.</summary>
    private void Return((ISession Session, long Generation) borrowed)
    {
        if (borrowed.Generation == Interlocked.Read(ref _generation))
        {
            _idle.Add(borrowed);
        }
    }

    private (ISession Session, long Generation) Borrow()
    {
        lock (_gate)
        {
            if (!_connected)
            {
                var now = Environment.TickCount64;
                if (now - _lastAttempt < 1000)
                {
                    throw new KeyBridgeException(KeyBridgeError.HsmUnavailable, "the HSM token is unavailable; reconnecting");
                }
                _lastAttempt = now;
                Reload();
                Connect();
            }
        }
        while (_idle.TryTake(out var pooled))
        {
            if (pooled.Generation == Interlocked.Read(ref _generation))
            {
                return pooled;
            }
        }
        lock (_gate)
        {
            var opened = _slot!.OpenSession(SessionType.ReadWrite);
            _maxOpen = Math.Max(_maxOpen, ++_open);
            return (opened, Interlocked.Read(ref _generation));
        }
    }

    /// <summary>Finds the token, logs in once (PKCS#11 logs every session of the application in).</summary>
    private void Connect()
    {
        _lastAttempt = Environment.TickCount64;
        try
        {
            var slots = _library.GetSlotList(SlotsType.WithTokenPresent);
            _slot = _options.Slot is { } id
                ? slots.FirstOrDefault(s => s.SlotId == id)
                : slots.FirstOrDefault(s => s.GetTokenInfo().Label.Trim() == _options.TokenLabel);
            if (_slot is null)
            {
                throw new KeyBridgeException(KeyBridgeError.HsmUnavailable,
                    _options.Slot is { } s ? $"no token in PKCS#11 slot {s}" : $"no PKCS#11 token labelled '{_options.TokenLabel}'");
            }
            TokenSerial = _slot.GetTokenInfo().SerialNumber.Trim();
            var session = _slot.OpenSession(SessionType.ReadWrite);
            _maxOpen = Math.Max(_maxOpen, ++_open);
            try
            {
                session.Login(CKU.CKU_USER, _options.Pin);
            }
            catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
            {
            }
            catch (Pkcs11Exception e) when (e.RV is CKR.CKR_PIN_INCORRECT or CKR.CKR_PIN_INVALID or CKR.CKR_PIN_LEN_RANGE or CKR.CKR_PIN_LOCKED)
            {
                session.Dispose();
                _open--;
                throw new KeyBridgeException(KeyBridgeError.HsmUnavailable, $"the HSM refused the PIN ({e.RV}); check Kek:Pkcs11:Pin", e);
            }
            _connected = true;
            _idle.Add((session, Interlocked.Increment(ref _generation)));
        }
        catch (Pkcs11Exception e)
        {
            throw new KeyBridgeException(KeyBridgeError.HsmUnavailable, $"the HSM token cannot be opened ({e.RV})", e);
        }
    }

    /// <summary>Closes every session of this connection (borrowed ones become stale and are dropped on return).</summary>
    private void Disconnect()
    {
        lock (_gate)
        {
            if (!_connected)
            {
                return;
            }
            Interlocked.Increment(ref _generation);
            while (_idle.TryTake(out _))
            {
            }
            try
            {
                _slot?.CloseAllSessions();
            }
            catch (Pkcs11Exception)
            {
                // The token is gone; its sessions are gone with it.
            }
            _open = 0;
            _connected = false;
        }
    }

    public void Dispose()
    {
        Disconnect();
        _library.Dispose();
        _slots.Dispose();
    }
}
