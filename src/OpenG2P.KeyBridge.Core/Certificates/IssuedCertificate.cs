namespace OpenG2P.KeyBridge.Certificates;

/// <summary>A certificate attached to a key version, with its chain (nearest issuer first).</summary>
public sealed record IssuedCertificate(string Key, int Version, byte[] Certificate, IReadOnlyList<byte[]> Chain);
