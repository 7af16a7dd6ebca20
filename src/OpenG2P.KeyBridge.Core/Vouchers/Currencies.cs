namespace OpenG2P.KeyBridge.Vouchers;

/// <summary>
/// Active ISO 4217 currency codes and their minor units (digits after the decimal point). Codes without minor
/// units in the standard (gold, SDR, test and bond units such as XAU, XDR, XTS, XXX) are left out: a voucher is money.
/// </summary>
public static class Currencies
{
    private static readonly Dictionary<string, int> MinorUnits = Build();

    /// <summary>The currency's minor units, or null when <paramref name="code"/> is not an active ISO 4217 code.</summary>
    public static int? MinorDigits(string code) => MinorUnits.TryGetValue(code, out var digits) ? digits : null;

    private static Dictionary<string, int> Build()
    {
        const string twoDigits =
            "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW " +
            "CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS " +
            "INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN " +
            "NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC " +
            "SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG";
        const string noDigits = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
        const string threeDigits = "BHD IQD JOD KWD LYD OMR TND";
        const string fourDigits = "CLF UYW";
        var table = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (codes, digits) in new[] { (twoDigits, 2), (noDigits, 0), (threeDigits, 3), (fourDigits, 4) })
        {
            foreach (var code in codes.Split(' '))
            {
                table.Add(code, digits);
            }
        }
        return table;
    }
}
