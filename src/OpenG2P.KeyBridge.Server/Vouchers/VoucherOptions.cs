using System.ComponentModel.DataAnnotations;

namespace OpenG2P.KeyBridge.Server.Vouchers;

/// <summary><c>Vouchers:*</c> — signing keys, issuer name, validity limit and QR rendering.</summary>
public sealed class VoucherOptions
{
    /// <summary>The key vouchers are signed with when neither the call nor <see cref="ProgramKeys"/> names one; created on first start.</summary>
    [Required]
    public string SigningKey { get; set; } = "voucher-signing";

    /// <summary>Type of the voucher keys created on first start: ES256 or EdDSA keep tokens short enough for a QR code.</summary>
    [RegularExpression("^(ecdsa-p256|ed25519)$", ErrorMessage = "Vouchers:SigningKeyType must be ecdsa-p256 or ed25519")]
    public string SigningKeyType { get; set; } = "ecdsa-p256";

    /// <summary>Program → signing key (<c>Vouchers__ProgramKeys__cash-transfer=voucher-cash</c>); missing keys are created on start.</summary>
    public Dictionary<string, string> ProgramKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The <c>iss</c> claim of every voucher.</summary>
    [Required]
    public string Issuer { get; set; } = "keybridge";

    /// <summary>Longest allowed window from valid_from to valid_until.</summary>
    [Range(1, 36500)]
    public int MaxValidityDays { get; set; } = 3650;

    /// <summary>QR error-correction level when a call does not choose one: L (7%), M (15%), Q (25%) or H (30%) of the code may be damaged.</summary>
    [RegularExpression("^[LMQH]$", ErrorMessage = "Vouchers:QrErrorCorrection must be L, M, Q or H")]
    public string QrErrorCorrection { get; set; } = "M";

    /// <summary>Pixels per QR module in PNG images (and the SVG's unit size).</summary>
    [Range(1, 40)]
    public int QrPixelsPerModule { get; set; } = 4;
}
