using System.Reflection;
using System.Runtime.InteropServices;
using Net.Pkcs11Interop.HighLevelAPI;

namespace OpenG2P.KeyBridge.Hsm;

/// <summary>
/// Pkcs11Interop loads PKCS#11 modules through <c>dlopen</c> from a library it names "libdl". Since glibc 2.34
/// <c>dlopen</c> lives in libc and distributions no longer ship an unversioned <c>libdl.so</c> (Debian 12+), so
/// "libdl" is mapped to <c>libdl.so.2</c> (a compatibility stub) or <c>libc.so.6</c>.
/// </summary>
internal static class Pkcs11Native
{
    private static int _registered;

    public static void EnsureResolver()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0 && !OperatingSystem.IsWindows())
        {
            try
            {
                NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, Resolve);
            }
            catch (InvalidOperationException)
            {
                // Another part of the process registered one already; it serves the same purpose.
            }
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != "libdl")
        {
            return IntPtr.Zero;
        }
        foreach (var candidate in new[] { "libdl.so.2", "libc.so.6" })
        {
            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }
        return IntPtr.Zero;
    }
}
