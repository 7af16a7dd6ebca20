using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Vouchers;

namespace OpenG2P.KeyBridge.Core.Tests;

public sealed class VoucherFieldTests
{
    [Theory]
    [InlineData("12.5", "KES", "12.50")]
    [InlineData("12.50", "KES", "12.50")]
    [InlineData("0.01", "USD", "0.01")]
    [InlineData("500", "JPY", "500")]
    [InlineData("1.25", "KWD", "1.250")]
    [InlineData("999999999999999.99", "EUR", "999999999999999.99")]
    [InlineData("7", "CLF", "7.0000")]
    public void Amounts_are_signed_in_canonical_form_with_the_currency_minor_digits(string amount, string currency, string canonical)
    {
        Assert.Equal((canonical, currency), VoucherAmount.Normalize(amount, currency));
    }

    [Theory]
    [InlineData("12.505", "KES")]
    [InlineData("1.5", "JPY")]
    [InlineData("0", "KES")]
    [InlineData("0.00", "KES")]
    [InlineData("-1", "KES")]
    [InlineData("+1", "KES")]
    [InlineData("1e3", "KES")]
    [InlineData("01", "KES")]
    [InlineData("1.", "KES")]
    [InlineData(".5", "KES")]
    [InlineData(" 1", "KES")]
    [InlineData("1,00", "KES")]
    [InlineData("1000000000000000", "KES")]
    [InlineData("NaN", "KES")]
    [InlineData("١٢", "KES")]
    [InlineData(null, "KES")]
    [InlineData("1", "kes")]
    [InlineData("1", "XAU")]
    [InlineData("1", "ABC")]
    [InlineData("1", null)]
    public void Amounts_and_currencies_that_are_not_exact_are_refused(string? amount, string? currency)
    {
        var e = Assert.Throws<KeyBridgeException>(() => VoucherAmount.Normalize(amount, currency));
        Assert.Equal(KeyBridgeError.InvalidParams, e.Error);
    }

    [Theory]
    [InlineData("2026-06-30T23:59:59Z", 1782863999)]
    [InlineData("2026-06-30T23:59:59.999Z", 1782863999)]
    [InlineData("2026-07-01T02:59:59+03:00", 1782863999)]
    [InlineData("2026-06-30t23:59:59z", 1782863999)]
    public void Times_are_rfc3339_in_whole_seconds(string text, long seconds)
    {
        Assert.Equal(seconds, VoucherFields.Time(text, "valid_until")!.Value.ToUnixTimeSeconds());
    }

    [Theory]
    [InlineData("2026-06-30")]
    [InlineData("2026-06-30 23:59:59Z")]
    [InlineData("2026-06-30T23:59:59")]
    [InlineData("30/06/2026")]
    [InlineData("2026-13-01T00:00:00Z")]
    public void Other_time_formats_are_refused(string text)
    {
        Assert.Throws<KeyBridgeException>(() => VoucherFields.Time(text, "valid_until"));
    }

    [Theory]
    [InlineData("hh-20931", true)]
    [InlineData("res.partner-42", true)]
    [InlineData("odoo:6f1c:keybridge.voucher:7", true)]
    [InlineData("Jane Doe", false)]
    [InlineData("jane@example.org", false)]
    [InlineData("", false)]
    [InlineData("ünïcode", false)]
    public void Beneficiaries_are_opaque_references(string value, bool accepted)
    {
        var ok = Record.Exception(() => VoucherFields.Reference(value, "beneficiary")) is null;
        Assert.Equal(accepted, ok);
    }

    [Fact]
    public void An_issued_voucher_past_its_window_is_expired_and_other_states_stay()
    {
        var now = DateTimeOffset.UtcNow;
        var v = new VoucherRecord
        {
            Id = "v", Program = "p", Beneficiary = "b", Amount = "1.00", Currency = "KES", ValidFrom = now.AddDays(-2), ValidUntil = now.AddDays(-1),
            KeyName = "k", KeyVersion = 1, Token = "t", State = VoucherState.Issued, IssuedBy = "c", IssuedAt = now.AddDays(-2),
        };

        Assert.Equal(VoucherState.Expired, v.EffectiveState(now));
        Assert.Equal(VoucherState.Issued, v.EffectiveState(now.AddDays(-1.5)));
        Assert.Equal(VoucherState.Redeemed, (v with { State = VoucherState.Redeemed }).EffectiveState(now));
    }
}
