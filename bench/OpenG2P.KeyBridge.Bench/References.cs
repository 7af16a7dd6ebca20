using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace OpenG2P.KeyBridge.Bench;

/// <summary>
/// In-process limits measured in the same run as the service: the raw primitives KeyBridge uses,
/// and MOSIP's keymanager design reproduced (no transport, no database — generous to MOSIP).
/// </summary>
public static class References
{
    /// <summary>The plaintext of the single-item scenarios, and a JWT signing input of the size the signing scenarios produce.</summary>
    public const string Plaintext = "Amina Yusuf";

    private static readonly byte[] SigningInput = Encoding.ASCII.GetBytes(
        "eyJhbGciOiJFUzI1NiIsImtpZCI6ImRlZmF1bHQtc2lnbmluZzp2MSIsInR5cCI6IkpXVCJ9.eyJ2b3VjaGVyIjoiVi0xIiwiYW1vdW50IjoiMTIuNTAiLCJjdXJyZW5jeSI6IktFUyJ9");

    public static List<ReferenceResult> Measure(TimeSpan each, Action<string> log)
    {
        var all = Environment.ProcessorCount;
        var results = new List<ReferenceResult>();
        void Add(string id, string name, int threads, Func<Action> make, string? note = null)
        {
            var rate = Rate(make, threads, each);
            log($"  reference {name}: {rate:N0} ops/s on {threads} thread(s)");
            results.Add(new ReferenceResult { Id = id, Name = name, OpsPerSecond = rate, Threads = threads, Note = note });
        }

        var plaintext = Encoding.UTF8.GetBytes(Plaintext);
        // Associated data of the size KeyBridge uses: header (key name, version) plus a canonical {model, field, id} context.
        var aad = Encoding.ASCII.GetBytes("\u0001\u0012default-encryption\0\0\0\u0001{\"field\":\"name\",\"id\":42,\"model\":\"res.partner\"}");
        var aesKey = RandomNumberGenerator.GetBytes(32);
        Add("aes-gcm", "AES-256-GCM encrypt, 11-byte payload, random 96-bit nonce per call", 1, () =>
        {
            var aes = new AesGcm(aesKey, 16);
            var nonce = new byte[12];
            var output = new byte[plaintext.Length];
            var tag = new byte[16];
            return () =>
            {
                RandomNumberGenerator.Fill(nonce);
                aes.Encrypt(nonce, plaintext, output, tag, aad);
            };
        }, "the reference of the batch target");
        Add("aes-gcm-counter", "AES-256-GCM encrypt, 11-byte payload, counter nonce", 1, () =>
        {
            var aes = new AesGcm(aesKey, 16);
            var nonce = new byte[12];
            var output = new byte[plaintext.Length];
            var tag = new byte[16];
            long counter = 0;
            return () =>
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(nonce.AsSpan(4), ++counter);
                aes.Encrypt(nonce, plaintext, output, tag, aad);
            };
        }, "the primitive alone (a counter nonce is not safe across nodes)");

        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Add("ecdsa-p256", "ECDSA P-256 sign (SHA-256, JWT-sized input)", 1,
            () => () => ecdsa.SignData(SigningInput, HashAlgorithmName.SHA256), "the reference of the ES256 target");

        var edGen = new Ed25519KeyPairGenerator();
        edGen.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var edKey = (Ed25519PrivateKeyParameters)edGen.GenerateKeyPair().Private;
        Add("ed25519", "Ed25519 sign (BouncyCastle, as KeyBridge uses)", 1, () =>
        {
            var signer = new Ed25519Signer();
            signer.Init(true, edKey);
            return () =>
            {
                signer.BlockUpdate(SigningInput, 0, SigningInput.Length);
                signer.GenerateSignature();
            };
        });

        using var rsa = RSA.Create(2048);
        Add("rsa-2048", "RSA-2048 sign (PKCS#1 v1.5, SHA-256)", 1,
            () => () => rsa.SignData(SigningInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        var mosip = s_mosip ??= new MosipDesign();
        Add("mosip-encrypt", "MOSIP design: encrypt (fresh AES key + RSA-OAEP-2048 wrap)", all, () => () => mosip.Encrypt(plaintext),
            "per call, as keymanager /encrypt");
        Add("mosip-decrypt", "MOSIP design: decrypt (RSA-OAEP unwrap + unwrap of the base key: 2 RSA-2048 private ops)", all,
            () => () => mosip.Decrypt(), "per call, as keymanager /decrypt");
        Add("mosip-decrypt-1t", "MOSIP design: decrypt, one thread", 1, () => () => mosip.Decrypt());
        return results;
    }

    private static MosipDesign? s_mosip;

    /// <summary>
    /// One reference measured again right next to the scenario it is compared with (the machine is
    /// shared: rates drift within a run): aes-gcm, ecdsa-p256 or mosip-decrypt.
    /// </summary>
    public static double MeasureOne(string id, TimeSpan duration)
    {
        var plaintext = Encoding.UTF8.GetBytes(Plaintext);
        switch (id)
        {
            case "aes-gcm":
                var key = RandomNumberGenerator.GetBytes(32);
                var aad = Encoding.ASCII.GetBytes("\u0001\u0012default-encryption\0\0\0\u0001{\"field\":\"name\",\"id\":42,\"model\":\"res.partner\"}");
                return Rate(() =>
                {
                    var aes = new AesGcm(key, 16);
                    var nonce = new byte[12];
                    var output = new byte[plaintext.Length];
                    var tag = new byte[16];
                    return () =>
                    {
                        RandomNumberGenerator.Fill(nonce);
                        aes.Encrypt(nonce, plaintext, output, tag, aad);
                    };
                }, 1, duration);
            case "ecdsa-p256":
                using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                {
                    return Rate(() => () => ecdsa.SignData(SigningInput, HashAlgorithmName.SHA256), 1, duration);
                }
            case "mosip-decrypt":
                var mosip = s_mosip ??= new MosipDesign();
                return Rate(() => () => mosip.Decrypt(), Environment.ProcessorCount, duration);
            default:
                throw new ArgumentException($"no adjacent reference '{id}'", nameof(id));
        }
    }

    /// <summary>Operations per second of <paramref name="make"/>'s action on <paramref name="threads"/> threads, after a short warm-up.</summary>
    public static double Rate(Func<Action> make, int threads, TimeSpan duration)
    {
        var counts = new long[threads];
        var warm = make();
        var warmUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 5;
        while (Stopwatch.GetTimestamp() < warmUntil)
        {
            warm();
        }
        var start = Stopwatch.GetTimestamp();
        var stopAt = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var op = make();
            long n = 0;
            while ((n & 15) != 0 || Stopwatch.GetTimestamp() < stopAt)
            {
                op();
                n++;
                if (n > 100_000_000)
                {
                    break; // bound by count as well as time
                }
            }
            counts[t] = n;
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return counts.Sum() / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>
    /// MOSIP keymanager's data path (reference/mosip-keymanager.md §3, §5). Encrypt: a fresh AES-256
    /// key per call, AES-GCM over the data, the key wrapped with RSA-OAEP(SHA-256) under the
    /// recipient's RSA-2048 base key. Decrypt: the base key's private key is stored wrapped under
    /// the master key (RSA-OAEP(master, aesKey) ‖ GCM(PKCS#8)) and is not cached, so each call
    /// unwraps it (private op 1, and AES-GCM over the PKCS#8 key) and then unwraps the session key
    /// with it (private op 2) before the AES-GCM decryption.
    /// </summary>
    private sealed class MosipDesign
    {
        private readonly RSA _master = RSA.Create(2048);
        private readonly RSA _baseKey = RSA.Create(2048);
        private readonly RSA _basePublic;
        private readonly byte[] _wrappedBaseKeyAesKey;
        private readonly byte[] _wrappedBaseKey;
        private readonly byte[] _wrappedBaseKeyNonce = RandomNumberGenerator.GetBytes(12);
        private readonly byte[] _wrappedBaseKeyTag = new byte[16];
        private readonly byte[] _sessionKeyWrapped;
        private readonly byte[] _dataNonce = RandomNumberGenerator.GetBytes(12);
        private readonly byte[] _dataTag = new byte[16];
        private readonly byte[] _data;

        public MosipDesign()
        {
            var baseKey = _baseKey;
            _basePublic = RSA.Create();
            _basePublic.ImportRSAPublicKey(baseKey.ExportRSAPublicKey(), out _);
            var kek = RandomNumberGenerator.GetBytes(32);
            _wrappedBaseKeyAesKey = _master.Encrypt(kek, RSAEncryptionPadding.OaepSHA256);
            var pkcs8 = baseKey.ExportPkcs8PrivateKey();
            _wrappedBaseKey = new byte[pkcs8.Length];
            using (var gcm = new AesGcm(kek, 16))
            {
                gcm.Encrypt(_wrappedBaseKeyNonce, pkcs8, _wrappedBaseKey, _wrappedBaseKeyTag);
            }
            var session = RandomNumberGenerator.GetBytes(32);
            _sessionKeyWrapped = _basePublic.Encrypt(session, RSAEncryptionPadding.OaepSHA256);
            var plain = Encoding.UTF8.GetBytes(Plaintext);
            _data = new byte[plain.Length];
            using (var gcm = new AesGcm(session, 16))
            {
                gcm.Encrypt(_dataNonce, plain, _data, _dataTag);
            }
        }

        public byte[] Encrypt(byte[] plaintext)
        {
            var key = RandomNumberGenerator.GetBytes(32);
            var nonce = RandomNumberGenerator.GetBytes(12);
            var output = new byte[plaintext.Length];
            var tag = new byte[16];
            using (var gcm = new AesGcm(key, 16))
            {
                gcm.Encrypt(nonce, plaintext, output, tag);
            }
            var wrapped = _basePublic.Encrypt(key, RSAEncryptionPadding.OaepSHA256);
            return [.. wrapped, .. nonce, .. output, .. tag];
        }

        public byte[] Decrypt()
        {
            var kek = _master.Decrypt(_wrappedBaseKeyAesKey, RSAEncryptionPadding.OaepSHA256);
            var pkcs8 = new byte[_wrappedBaseKey.Length];
            using (var gcm = new AesGcm(kek, 16))
            {
                gcm.Decrypt(_wrappedBaseKeyNonce, _wrappedBaseKey, _wrappedBaseKeyTag, pkcs8);
            }
            // MOSIP parses the unwrapped PKCS#8 key on every call too; that parse is left out here (it is
            // far slower in .NET than in Java's KeyFactory), so only the two private-key operations count.
            CryptographicOperations.ZeroMemory(pkcs8);
            var session = _baseKey.Decrypt(_sessionKeyWrapped, RSAEncryptionPadding.OaepSHA256);
            var plain = new byte[_data.Length];
            using (var gcm = new AesGcm(session, 16))
            {
                gcm.Decrypt(_dataNonce, _data, _dataTag, plain);
            }
            return plain;
        }
    }
}
