namespace OpenG2P.KeyBridge.Certificates;

/// <summary>How KeyBridge's root CA names itself and how long its certificates last.</summary>
/// <param name="RootName">Common name of the root CA; its certificate subject is <c>CN=&lt;name&gt; v&lt;version&gt;</c>.</param>
/// <param name="RootValidity">Lifetime of the root CA's self-signed certificate.</param>
/// <param name="DefaultValidity">Lifetime of an issued certificate when the key has no rotation period.</param>
public sealed record CertificateSettings(string RootName, TimeSpan RootValidity, TimeSpan DefaultValidity);
