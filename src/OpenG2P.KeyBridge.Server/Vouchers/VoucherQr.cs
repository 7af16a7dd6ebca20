using System.Text;
using OpenG2P.KeyBridge.Errors;
using QRCoder;

namespace OpenG2P.KeyBridge.Server.Vouchers;

/// <summary>How a voucher's QR code is drawn: PNG or SVG, an error-correction level, and the module size.</summary>
public sealed record QrStyle(string Format, QRCodeGenerator.ECCLevel Level, int PixelsPerModule)
{
    public string MediaType => Format == "png" ? "image/png" : "image/svg+xml";
}

/// <summary>QR images of voucher tokens with QRCoder (no System.Drawing): byte mode, quiet zone included.</summary>
public static class VoucherQr
{
    /// <summary>Null when no image was asked for.</summary>
    public static QrStyle? Style(string? format, string? level, VoucherOptions options)
    {
        if (format is null)
        {
            return level is null ? null
                : throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'qr_error_correction' needs 'qr' (png or svg)");
        }
        if (format is not ("png" or "svg"))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'qr' must be png or svg");
        }
        var ecc = (level ?? options.QrErrorCorrection) switch
        {
            "L" => QRCodeGenerator.ECCLevel.L,
            "M" => QRCodeGenerator.ECCLevel.M,
            "Q" => QRCodeGenerator.ECCLevel.Q,
            "H" => QRCodeGenerator.ECCLevel.H,
            _ => throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'qr_error_correction' must be L, M, Q or H"),
        };
        return new QrStyle(format, ecc, options.QrPixelsPerModule);
    }

    /// <summary>The image as standard base64 (RFC 4648 §4), ready for a <c>data:</c> URI.</summary>
    public static string Render(string token, QrStyle style)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(token, style.Level);
        var bytes = style.Format == "png"
            ? new PngByteQRCode(data).GetGraphic(style.PixelsPerModule)
            : Encoding.UTF8.GetBytes(new SvgQRCode(data).GetGraphic(style.PixelsPerModule));
        return Convert.ToBase64String(bytes);
    }
}
