using System.Globalization;
using System.Text.RegularExpressions;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Vouchers;

/// <summary>
/// Amounts are exact decimal strings (never JSON numbers, so no float ever rounds them): digits, an optional point and
/// at most as many fraction digits as the currency has minor units. They are signed in one canonical form, with
/// exactly the currency's minor digits (<c>12.5 KES</c> becomes <c>12.50</c>, <c>500 JPY</c> stays <c>500</c>).
/// </summary>
public static partial class VoucherAmount
{
    /// <summary>Up to 15 integer digits: every amount is exact in <see cref="decimal"/>.</summary>
    [GeneratedRegex(@"^(0|[1-9][0-9]{0,14})(\.([0-9]+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    [GeneratedRegex("^[A-Z]{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex CurrencyShape();

    /// <summary>Validates amount and currency; returns the canonical amount and the currency code.</summary>
    public static (string Amount, string Currency) Normalize(string? amount, string? currency)
    {
        if (currency is null || !CurrencyShape().IsMatch(currency) || Currencies.MinorDigits(currency) is not { } digits)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams,
                currency is null ? "'currency' is required (an ISO 4217 code such as KES)" : "'currency' must be an active ISO 4217 code in upper case, such as KES");
        }
        var match = amount is null ? null : Shape().Match(amount);
        if (match is not { Success: true })
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams,
                amount is null ? "'amount' is required: a decimal string such as \"12.50\""
                    : "'amount' must be a decimal string such as \"12.50\": digits, at most one point, no sign, exponent or spaces");
        }
        if (match.Groups[3].Length > digits)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams,
                $"'amount' has {match.Groups[3].Length} digits after the point; {currency} has {digits}");
        }
        var value = decimal.Parse(amount!, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        if (value <= 0)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'amount' must be greater than zero");
        }
        return (value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), currency);
    }
}
