using System.ComponentModel.DataAnnotations;

namespace OpenG2P.KeyBridge.Server.Mosip;

/// <summary><c>Mosip:*</c> — the MOSIP keymanager-compatible REST surface under <c>/v1/keymanager</c>.</summary>
public sealed class MosipOptions
{
    /// <summary>Serve <c>/v1/keymanager</c>; false answers 404 there.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// MOSIP application/reference ids → KeyBridge keys, on top of the built-in ones (<see cref="MosipKeyMap.Seeds"/>);
    /// an entry for an id that has a built-in one replaces it.
    /// </summary>
    public List<MosipKeyMapEntry> KeyMap { get; set; } = [];

    /// <summary>Lifetime of the certificates KeyBridge's root CA issues for MOSIP signing keys (MOSIP's key policy: 1095 days).</summary>
    [Range(1, 36500)]
    public int CertificateValidityDays { get; set; } = 1095;

    /// <summary>
    /// MOSIP's pre-expiry: a signing key whose current version ends (MOSIP's key expiry for imported versions, the
    /// certificate's for others) within this many days is rotated on its next use, as MOSIP makes a new key. Must be
    /// shorter than <see cref="CertificateValidityDays"/>.
    /// </summary>
    [Range(0, 36500)]
    public int PreExpireDays { get; set; } = 60;
}

/// <summary>One <c>Mosip:KeyMap</c> entry, e.g. <c>Mosip__KeyMap__0__ApplicationId=OPENG2P_SR</c>, <c>…__ReferenceId=ENCRYPT</c>, <c>…__Key=sr-data</c>.</summary>
public sealed class MosipKeyMapEntry
{
    public string? ApplicationId { get; set; }

    /// <summary>"" (the default) for an application's master key.</summary>
    public string? ReferenceId { get; set; }

    public string? Key { get; set; }

    /// <summary>Type when KeyBridge creates the key on first use; default <c>rsa-2048</c> for master and SIGN ids, else <c>aes-256-gcm</c>.</summary>
    public string? Type { get; set; }
}
