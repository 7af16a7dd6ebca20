using System.Security.Cryptography;
using System.Text;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Mosip;

namespace OpenG2P.KeyBridge.Core.Tests;

/// <summary>MOSIP's ciphertext layouts and kid derivation: known answers, round trips through a local encryptor written from the reference, tamper cases.</summary>
public sealed class MosipFormatTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    /// <summary>The data part of MOSIP's /encrypt, in each layout (as CryptoCore builds it).</summary>
    private static (bool Versioned, byte[] Data) DataPart(byte[] plaintext, byte[]? salt, byte[]? aad)
    {
        if (salt is not null)
        {
            return (false, Gcm(salt, aad ?? [], plaintext));
        }
        if (aad is not null)
        {
            var iv = RandomNumberGenerator.GetBytes(16);
            return (false, [.. Gcm(iv, aad, plaintext), .. iv]);
        }
        var random = RandomNumberGenerator.GetBytes(32);
        return (true, [.. random, .. Gcm(random[..12], random, plaintext)]);
    }

    private static byte[] Gcm(byte[] iv, byte[] aad, byte[] plaintext)
    {
        var cipher = new Org.BouncyCastle.Crypto.Modes.GcmBlockCipher(new Org.BouncyCastle.Crypto.Engines.AesEngine());
        cipher.Init(true, new Org.BouncyCastle.Crypto.Parameters.AeadParameters(new Org.BouncyCastle.Crypto.Parameters.KeyParameter(Key), 128, iv, aad));
        var output = new byte[cipher.GetOutputSize(plaintext.Length)];
        var n = cipher.ProcessBytes(plaintext, 0, plaintext.Length, output, 0);
        cipher.DoFinal(output, n);
        return output;
    }

    private static byte[] Whole(bool versioned, byte[] data) =>
        [.. versioned ? "VER_R2"u8.ToArray() : [], .. RandomNumberGenerator.GetBytes(32), .. RandomNumberGenerator.GetBytes(256), .. "#KEY_SPLITTER#"u8.ToArray(), .. data];

    [Theory]
    [InlineData("salt")]
    [InlineData("aad")]
    [InlineData("none")]
    public void Every_layout_decrypts_with_its_salt_and_aad(string mode)
    {
        var plaintext = Encoding.UTF8.GetBytes("Amina Yusuf, Kisumu");
        byte[]? salt = mode == "salt" ? RandomNumberGenerator.GetBytes(32) : null;
        byte[]? aad = mode != "none" ? RandomNumberGenerator.GetBytes(32) : null;
        var (versioned, data) = DataPart(plaintext, salt, aad);

        var parsed = MosipCiphertext.Parse(Whole(versioned, data));

        Assert.Equal(versioned, parsed.Versioned);
        Assert.Equal(256, parsed.WrappedKey.Length);
        Assert.Equal(plaintext, MosipCiphertext.DecryptData(parsed, Key, salt ?? [], aad ?? []));
    }

    [Fact]
    public void Another_salt_or_aad_or_a_flipped_bit_does_not_authenticate()
    {
        var (salt, aad) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var (_, data) = DataPart("x"u8.ToArray(), salt, aad);
        var parsed = MosipCiphertext.Parse(Whole(false, data));

        Assert.Equal("context_mismatch", Assert.Throws<KeyBridgeException>(() => MosipCiphertext.DecryptData(parsed, Key, RandomNumberGenerator.GetBytes(32), aad)).Error.Name);
        Assert.Equal("context_mismatch", Assert.Throws<KeyBridgeException>(() => MosipCiphertext.DecryptData(parsed, Key, salt, [])).Error.Name);
        data[0] ^= 1;
        Assert.Equal("context_mismatch", Assert.Throws<KeyBridgeException>(() => MosipCiphertext.DecryptData(MosipCiphertext.Parse(Whole(false, data)), Key, salt, aad)).Error.Name);
    }

    [Fact]
    public void Malformed_input_is_refused_with_ciphertext_malformed()
    {
        var noSplitter = RandomNumberGenerator.GetBytes(400).Select(b => b == (byte)'#' ? (byte)0 : b).ToArray();
        byte[] legacy = [.. RandomNumberGenerator.GetBytes(256), .. "#KEY_SPLITTER#"u8.ToArray(), .. RandomNumberGenerator.GetBytes(40)];
        byte[] truncated = [.. RandomNumberGenerator.GetBytes(288), .. "#KEY_SPLITTER#"u8.ToArray(), .. RandomNumberGenerator.GetBytes(5)];
        byte[] shortVersioned = [.. "VER_R2"u8.ToArray(), .. RandomNumberGenerator.GetBytes(288), .. "#KEY_SPLITTER#"u8.ToArray(), .. RandomNumberGenerator.GetBytes(40)];

        foreach (var bad in new[] { noSplitter, legacy, truncated, "#KEY_SPLITTER#abc"u8.ToArray() })
        {
            Assert.Equal("ciphertext_malformed", Assert.Throws<KeyBridgeException>(() => MosipCiphertext.Parse(bad)).Error.Name);
        }
        Assert.Equal("ciphertext_malformed",
            Assert.Throws<KeyBridgeException>(() => MosipCiphertext.DecryptData(MosipCiphertext.Parse(shortVersioned), Key, [], [])).Error.Name);
        Assert.Equal("ciphertext_malformed",
            Assert.Throws<KeyBridgeException>(() => MosipCiphertext.DecryptData(MosipCiphertext.Parse(Whole(false, new byte[40])), new byte[7], [], [])).Error.Name);
    }

    [Fact]
    public void Kids_have_mosips_form()
    {
        // base64url with padding of SHA-256 over the hex-decoded uni_ident (SignatureUtil.convertHexToBase64).
        var uni = "57C3739287335698B8708774471DC446CD793762";
        var expected = Convert.ToBase64String(SHA256.HashData(Convert.FromHexString(uni))).Replace('+', '-').Replace('/', '_');

        Assert.Equal(expected, MosipKeyIds.FromUniqueIdentifier(uni));
        Assert.Equal(44, expected.Length);
        Assert.EndsWith("=", MosipKeyIds.ForVersion("mosip.id_repo", 2));
        Assert.NotEqual(MosipKeyIds.ForVersion("mosip.id_repo", 1), MosipKeyIds.ForVersion("mosip.id_repo", 2));
        Assert.Equal("bjQLnP-zepicpUTmu3gKLHiQHT-zNzh2hRGjBhevoB0=", MosipKeyIds.FromUniqueIdentifier("00"));
    }
}
