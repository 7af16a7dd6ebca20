namespace OpenG2P.KeyBridge.Keys;

/// <summary>
/// An X.509 certificate for one signing key version: issued by KeyBridge's root CA or imported
/// from an external CA. <see cref="Chain"/> holds the issuer certificates, nearest first, as they
/// go into a JWS <c>x5c</c> after the certificate itself.
/// </summary>
public sealed record VersionCertificate(byte[] Certificate, IReadOnlyList<byte[]> Chain, DateTimeOffset AttachedAt);
