using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Core.Tests;

public sealed class JwsFormatTests
{
    [Theory]
    [InlineData("voucher-signing:v3", "voucher-signing", 3)]
    [InlineData("a:v1", "a", 1)]
    [InlineData("keybridge.root-ca:v12", "keybridge.root-ca", 12)]
    public void Kid_names_one_key_version(string kid, string name, int version)
    {
        Assert.True(KeyIds.TryParse(kid, out var n, out var v));
        Assert.Equal((name, version), (n, v));
        Assert.Equal(kid, KeyIds.Format(name, version));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("voucher")]
    [InlineData("voucher:v")]
    [InlineData("voucher:v0")]
    [InlineData("voucher:v01")]
    [InlineData("voucher:v-1")]
    [InlineData("voucher:v1 ")]
    [InlineData("Voucher:v1")]
    [InlineData(":v1")]
    [InlineData("voucher:v99999999999")]
    public void Kid_that_is_not_canonical_is_refused(string? kid)
    {
        Assert.False(KeyIds.TryParse(kid, out _, out _));
    }

    [Fact]
    public void Compact_jws_round_trips_and_detached_keeps_the_signature()
    {
        var header = new JsonObject { ["alg"] = "HS256", ["kid"] = "k:v1" };
        var key = new byte[32];
        byte[] Sign(byte[] input) => HMACSHA256.HashData(key, input);

        var attached = Jws.Create(header, "{\"a\":1}"u8, detached: false, Sign);
        var detached = Jws.Create(header, "{\"a\":1}"u8, detached: true, Sign);

        Assert.Equal(attached.Split('.')[2], detached.Split('.')[2]);
        Assert.Equal("", detached.Split('.')[1]);
        var parsed = Jws.Parse(detached, out _)!;
        Assert.True(parsed.IsDetached);
        Assert.Equal(Encoding.ASCII.GetBytes(attached[..attached.LastIndexOf('.')]), parsed.SigningInput("{\"a\":1}"u8));
        Assert.Equal("{\"alg\":\"HS256\",\"kid\":\"k:v1\"}", Encoding.UTF8.GetString(Jws.Parse(attached, out _)!.Header));
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData(".e30.AA")]
    [InlineData("e30=.e30.AA")]
    [InlineData("e30.e3+.AA")]
    [InlineData("e31.e30.AA")]
    public void Parse_refuses_what_is_not_a_canonical_compact_jws(string text)
    {
        Assert.Null(Jws.Parse(text, out var problem));
        Assert.NotNull(problem);
    }

    [Theory]
    [InlineData("""{"alg":"ES256","kid":"a:v1"}""", true)]
    [InlineData("""{"alg":"ES256","kid":"a:v1","x5c":["AA"],"jwk":{"kty":"EC"}}""", true)]
    [InlineData("""{"alg":"ES256","alg":"none"}""", false)]
    [InlineData("""{"alg":"ES256","crit":["b64"],"b64":false}""", false)]
    [InlineData("""{"alg":"ES256","b64":false}""", false)]
    [InlineData("""{"kid":"a:v1"}""", false)]
    [InlineData("""{"alg":1}""", false)]
    [InlineData("""["alg"]""", false)]
    [InlineData("""{"alg":"ES256"} x""", false)]
    public void Header_must_be_an_object_with_unique_members_and_no_critical_extensions(string json, bool ok)
    {
        var header = JwsHeader.Read(Encoding.UTF8.GetBytes(json), out var problem);
        Assert.Equal(ok, header is not null);
        Assert.Equal(ok, problem is null);
    }

    [Fact]
    public void Ecdsa_p1363_converts_to_the_der_that_dotnet_produces()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        for (var i = 0; i < 20; i++)
        {
            var p1363 = ec.SignData("x"u8, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            var der = EcdsaSignatures.ToDer(p1363);
            Assert.True(ec.VerifyData("x"u8, der, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        }
        // Leading zeros and high bits: r = 0x00..01, s = 0x80.. need a minimal INTEGER each, s with a 0x00 pad.
        var edge = new byte[64];
        edge[31] = 1;
        edge[32] = 0x80;
        Assert.Equal(Convert.FromHexString("3026020101022100" + "80" + new string('0', 62)), EcdsaSignatures.ToDer(edge));
    }

    [Fact]
    public void Claims_are_read_only_from_a_json_object_payload()
    {
        Assert.NotNull(SignatureOperations.ReadClaims("{\"a\":1}"u8));
        Assert.NotNull(SignatureOperations.ReadClaims(" {\"a\":1}\n"u8));
        Assert.Null(SignatureOperations.ReadClaims("[1]"u8));
        Assert.Null(SignatureOperations.ReadClaims("{\"a\":1} trailing"u8));
        Assert.Null(SignatureOperations.ReadClaims([0xff, 0x00]));
        Assert.Null(SignatureOperations.ReadClaims(Base64Url.Decode("AAEC", "x")));
    }
}
