using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using System.Text;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Core.Tests;

/// <summary>Known-answer tests from the RFCs: the signers and verifiers must reproduce the published values exactly.</summary>
public sealed class SigningVectorTests
{
    // RFC 7515 appendix A: the JWS payload shared by A.2 and A.3 (with its CRLFs), already base64url-encoded.
    private const string Rfc7515Payload = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

    [Fact]
    public void Ed25519_signs_the_RFC_8037_appendix_A_example_exactly()
    {
        // RFC 8037 A.1 (private key), A.2 (public key), A.4 (JWS).
        var seed = Base64Url.Decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A", "d");
        const string x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
        const string signingInput = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
        const string expected = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

        using var signer = SoftwareSigners.Load(KeyType.Ed25519, Ed25519Keys.EncodePkcs8(seed));
        var signature = signer.Sign(SignatureAlgorithm.EdDSA, Encoding.ASCII.GetBytes(signingInput));

        Assert.Equal(expected, Base64Url.Encode(signature));
        var publicKey = SigningPublicKey.FromSubjectPublicKeyInfo(KeyType.Ed25519, Ed25519Keys.EncodeSubjectPublicKeyInfo(Base64Url.Decode(x, "x")));
        Assert.Equal(x, publicKey.ToJwk()["x"]!.GetValue<string>());
        Assert.Equal("OKP", publicKey.ToJwk()["kty"]!.GetValue<string>());
        Assert.True(publicKey.Verify(SignatureAlgorithm.EdDSA, Encoding.ASCII.GetBytes(signingInput), signature));
        Assert.Equal("Example of Ed25519 signing", Encoding.UTF8.GetString(Base64Url.Decode(signingInput.Split('.')[1], "payload")));
    }

    [Fact]
    public void Ed25519_rejects_a_flipped_bit_and_the_wrong_message()
    {
        var seed = Base64Url.Decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A", "d");
        var spki = Ed25519Keys.EncodeSubjectPublicKeyInfo(Base64Url.Decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "x"));
        using var signer = SoftwareSigners.Load(KeyType.Ed25519, Ed25519Keys.EncodePkcs8(seed));
        var signature = signer.Sign(SignatureAlgorithm.EdDSA, "message"u8);
        var key = SigningPublicKey.FromSubjectPublicKeyInfo(KeyType.Ed25519, spki);

        Assert.True(key.Verify(SignatureAlgorithm.EdDSA, "message"u8, signature));
        signature[17] ^= 0x04;
        Assert.False(key.Verify(SignatureAlgorithm.EdDSA, "message"u8, signature));
        signature[17] ^= 0x04;
        Assert.False(key.Verify(SignatureAlgorithm.EdDSA, "messagf"u8, signature));
        Assert.False(key.Verify(SignatureAlgorithm.EdDSA, "message"u8, signature.AsSpan(0, 63)));
        Assert.False(key.Verify(SignatureAlgorithm.ES256, "message"u8, signature));
    }

    [Fact]
    public void RS256_signs_the_RFC_7515_appendix_A2_example_exactly()
    {
        // RFC 7515 A.2.1: RSASSA-PKCS1-v1_5 is deterministic, so the signature must match byte for byte.
        using var rsa = RSA.Create(Rfc7515RsaKey());
        using var signer = SoftwareSigners.Load(KeyType.Rsa2048, rsa.ExportPkcs8PrivateKey());
        var input = Encoding.ASCII.GetBytes("eyJhbGciOiJSUzI1NiJ9." + Rfc7515Payload);
        const string expected =
            "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4"
            + "BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPq"
            + "vhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

        var signature = signer.Sign(SignatureAlgorithm.RS256, input);

        Assert.Equal(expected, Base64Url.Encode(signature));
        var publicKey = SigningPublicKey.FromSubjectPublicKeyInfo(KeyType.Rsa2048, rsa.ExportSubjectPublicKeyInfo());
        Assert.True(publicKey.Verify(SignatureAlgorithm.RS256, input, signature));
        Assert.False(publicKey.Verify(SignatureAlgorithm.PS256, input, signature));
        Assert.Equal("AQAB", publicKey.ToJwk()["e"]!.GetValue<string>());
        Assert.StartsWith("ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0", publicKey.ToJwk()["n"]!.GetValue<string>());
    }

    [Fact]
    public void PS256_with_the_RFC_7515_key_round_trips_and_is_randomized()
    {
        using var rsa = RSA.Create(Rfc7515RsaKey());
        using var signer = SoftwareSigners.Load(KeyType.Rsa2048, rsa.ExportPkcs8PrivateKey());
        var key = SigningPublicKey.FromSubjectPublicKeyInfo(KeyType.Rsa2048, rsa.ExportSubjectPublicKeyInfo());

        var a = signer.Sign(SignatureAlgorithm.PS256, "voucher"u8);
        var b = signer.Sign(SignatureAlgorithm.PS256, "voucher"u8);

        Assert.NotEqual(a, b);
        Assert.True(key.Verify(SignatureAlgorithm.PS256, "voucher"u8, a));
        Assert.True(key.Verify(SignatureAlgorithm.PS256, "voucher"u8, b));
        Assert.False(key.Verify(SignatureAlgorithm.RS256, "voucher"u8, a));
    }

    [Fact]
    public void ES256_verifies_the_RFC_7515_appendix_A3_example()
    {
        // ECDSA is randomized, so the published signature can only be verified (in its JWS P1363 form).
        using var ec = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = Base64Url.Decode("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "x"),
                Y = Base64Url.Decode("x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "y"),
            },
        });
        var key = SigningPublicKey.FromSubjectPublicKeyInfo(KeyType.EcdsaP256, ec.ExportSubjectPublicKeyInfo());
        var input = Encoding.ASCII.GetBytes("eyJhbGciOiJFUzI1NiJ9." + Rfc7515Payload);
        var signature = Base64Url.Decode("DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q", "sig");

        Assert.True(key.Verify(SignatureAlgorithm.ES256, input, signature));
        Assert.True(key.Verify(SignatureAlgorithm.ES256, input, EcdsaSignatures.ToDer(signature), DSASignatureFormat.Rfc3279DerSequence));
        Assert.False(key.Verify(SignatureAlgorithm.ES256, input, EcdsaSignatures.ToDer(signature)));
        signature[0] ^= 0x80;
        Assert.False(key.Verify(SignatureAlgorithm.ES256, input, signature));
        var jwk = key.ToJwk();
        Assert.Equal(("EC", "P-256", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"),
            (jwk["kty"]!.GetValue<string>(), jwk["crv"]!.GetValue<string>(), jwk["x"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData(KeyType.EcdsaP256, SignatureAlgorithm.ES256)]
    [InlineData(KeyType.Ed25519, SignatureAlgorithm.EdDSA)]
    [InlineData(KeyType.Rsa2048, SignatureAlgorithm.RS256)]
    [InlineData(KeyType.Rsa2048, SignatureAlgorithm.PS256)]
    public void Generated_keys_sign_what_their_public_key_verifies(KeyType type, SignatureAlgorithm algorithm)
    {
        var (pkcs8, spki) = SoftwareSigners.Generate(type);
        using var signer = SoftwareSigners.Load(type, pkcs8);
        var key = SigningPublicKey.FromSubjectPublicKeyInfo(type, spki);
        var signature = signer.Sign(algorithm, "payload"u8);

        Assert.True(key.Verify(algorithm, "payload"u8, signature));
        Assert.False(key.Verify(algorithm, "payloae"u8, signature));
        var (_, otherSpki) = SoftwareSigners.Generate(type);
        Assert.False(SigningPublicKey.FromSubjectPublicKeyInfo(type, otherSpki).Verify(algorithm, "payload"u8, signature));
        // The stored public key is a standard SubjectPublicKeyInfo any library reads.
        Assert.NotNull(PublicKey.CreateFromSubjectPublicKeyInfo(spki, out _));
    }

    [Theory]
    [InlineData(KeyType.EcdsaP256, SignatureAlgorithm.ES256)]
    [InlineData(KeyType.Rsa2048, SignatureAlgorithm.RS256)]
    [InlineData(KeyType.Rsa2048, SignatureAlgorithm.PS256)]
    [InlineData(KeyType.Ed25519, SignatureAlgorithm.EdDSA)]
    public void Signatures_of_the_wrong_length_or_garbage_are_invalid_not_errors(KeyType type, SignatureAlgorithm algorithm)
    {
        var (pkcs8, spki) = SoftwareSigners.Generate(type);
        using var signer = SoftwareSigners.Load(type, pkcs8);
        var key = SigningPublicKey.FromSubjectPublicKeyInfo(type, spki);
        var signature = signer.Sign(algorithm, "x"u8);

        Assert.False(key.Verify(algorithm, "x"u8, signature.AsSpan(1)));
        Assert.False(key.Verify(algorithm, "x"u8, [.. signature, 0]));
        Assert.False(key.Verify(algorithm, "x"u8, []));
        Assert.False(key.Verify(algorithm, "x"u8, new byte[signature.Length]));
        Assert.False(key.Verify(algorithm, "x"u8, [0x30, 0x03, 0x02, 0x01, 0x01], DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void A_signer_refuses_an_algorithm_of_another_key_type()
    {
        var (pkcs8, _) = SoftwareSigners.Generate(KeyType.EcdsaP256);
        using var signer = SoftwareSigners.Load(KeyType.EcdsaP256, pkcs8);
        Assert.Throws<Errors.KeyBridgeException>(() => signer.Sign(SignatureAlgorithm.RS256, "x"u8));
        Assert.Throws<Errors.KeyBridgeException>(() => SoftwareSigners.Load(KeyType.Ed25519, pkcs8));
    }

    private static RSAParameters Rfc7515RsaKey()
    {
        static byte[] B(string s) => Base64Url.Decode(s, "jwk");
        return new RSAParameters
        {
            Modulus = B("ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"),
            Exponent = B("AQAB"),
            D = B("Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ"),
            P = B("4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc"),
            Q = B("uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc"),
            DP = B("BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0"),
            DQ = B("h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU"),
            InverseQ = B("IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U"),
        };
    }
}
