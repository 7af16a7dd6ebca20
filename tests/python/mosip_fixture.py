#!/usr/bin/python3
"""A stand-in for a MOSIP keymanager's data, written independently of KeyBridge from the layouts in
shared/reference/mosip-keymanager.md (and docs/ciphertext-format.md, "MOSIP formats"), with Python's
`cryptography` only:

  generate OUTDIR PASSWORD   a MOSIP-like keystore: keystore.p12 (several RSA key entries, Java-style aliases,
                             PBES2 key bags, SHA-256 MAC), key_alias.json/.csv and key_store.json/.csv rows as
                             psql exports them (ROOT, REGISTRATION, ID_REPO and KERNEL/SIGN in the keystore;
                             the base key REGISTRATION/ENCRYPT wrapped by its master key in key_store), info.json
                             (thumbprints, kids), ciphertexts.json (every /encrypt layout) and jwt.json (an RS256
                             token as MOSIP's jwtSign makes it, kid = MOSIP keyId).
  encrypt CERT_PEM SALT AAD  reads a JSON list of base64 plaintexts on stdin, writes the MOSIP ciphertexts
                             (standard base64 of the bytes, as Odoo returns a Binary field) as a JSON list.
"""
import base64
import datetime
import hashlib
import hmac
import json
import os
import sys
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.x509.oid import NameOID

SPLITTER = b"#KEY_SPLITTER#"
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def b64url(data):  # MOSIP's CryptoUtil.encodeToURLSafeBase64: URL-safe, padded
    return base64.urlsafe_b64encode(data).decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---- MOSIP's /encrypt (CryptomanagerServiceImpl + CryptoCore), three data layouts -------------------------

def gcm_any_iv(key, iv, aad, plaintext):
    """AES-GCM with an IV of any length (MOSIP's salt is 32 bytes), tag appended."""
    enc = Cipher(algorithms.AES(key), modes.GCM(iv)).encryptor()
    if aad:
        enc.authenticate_additional_data(aad)
    return enc.update(plaintext) + enc.finalize() + enc.tag


def mosip_encrypt(cert, plaintext, salt=None, aad=None):
    """bytes of MOSIP's /encrypt output: [VER_R2] || SHA-256(cert DER) || RSA-OAEP(aes) || splitter || data part."""
    aes = os.urandom(32)
    header = b""
    if salt:
        data = gcm_any_iv(aes, salt, aad, plaintext)
    elif aad:
        iv = os.urandom(16)
        data = gcm_any_iv(aes, iv, aad, plaintext) + iv
    else:
        random_aad = os.urandom(32)
        data = random_aad + AESGCM(aes).encrypt(random_aad[:12], plaintext, random_aad)
        header = b"VER_R2"
    thumbprint = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest()
    wrapped = cert.public_key().encrypt(aes, OAEP)
    return header + thumbprint + wrapped + SPLITTER + data


# ---- keys and certificates as MOSIP makes them ------------------------------------------------------------

def make_cert(subject_cn, key, issuer_cn, issuer_key, not_before, days, ca):
    name = lambda cn: x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "MOSIP")])
    builder = (x509.CertificateBuilder().subject_name(name(subject_cn)).issuer_name(name(issuer_cn))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_before + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    return builder.sign(issuer_key, hashes.SHA256())


def wrap_private_key(private_key, master_public):
    """KeymanagerUtil.encryptKey: RSA-OAEP(master, aes) || splitter || GCM(PKCS#8) || IV16, URL-safe base64."""
    pkcs8 = private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    aes = os.urandom(32)
    iv = os.urandom(16)
    return b64url(master_public.encrypt(aes, OAEP) + SPLITTER + gcm_any_iv(aes, iv, None, pkcs8) + iv)


def unique_identifier(app, ref, generated):
    value = f"{app}_{ref}_{generated.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}"
    return hashlib.sha1(value.encode()).hexdigest().upper()


def key_id(uni_ident):  # SignatureUtil.convertHexToBase64: padded URL-safe base64 of SHA-256(hex-decoded uni_ident)
    return b64url(hashlib.sha256(bytes.fromhex(uni_ident)).digest())


# ---- a minimal PKCS#12 writer (RFC 7292) for several key entries, as a Java keystore holds them -------------

def der(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def seq(*items):
    return der(0x30, b"".join(items))


def set_of(*items):
    return der(0x31, b"".join(sorted(items)))


def oid(dotted):
    parts = [int(p) for p in dotted.split(".")]
    body = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.insert(0, 0x80 | (p & 0x7F))
            p >>= 7
        body += bytes(chunk)
    return der(0x06, body)


def octets(b):
    return der(0x04, b)


def integer(n):
    return der(0x02, n.to_bytes((n.bit_length() + 8) // 8, "big"))


def explicit(n, content):
    return der(0xA0 + n, content)


DATA, FRIENDLY_NAME, LOCAL_KEY_ID = "1.2.840.113549.1.7.1", "1.2.840.113549.1.9.20", "1.2.840.113549.1.9.21"
SHROUDED_KEY_BAG, CERT_BAG, X509_CERT = "1.2.840.113549.1.12.10.1.2", "1.2.840.113549.1.12.10.1.3", "1.2.840.113549.1.9.22.1"


def attributes(alias, local_id):
    attrs = [seq(oid(FRIENDLY_NAME), set_of(der(0x1E, alias.encode("utf-16-be"))))]
    if local_id is not None:
        attrs.append(seq(oid(LOCAL_KEY_ID), set_of(octets(local_id))))
    return set_of(*attrs)


def pkcs12_kdf(password, salt, purpose, iterations, length):
    """RFC 7292 appendix B.2 with SHA-256 (u = 32, v = 64); the password as a BMPString with its two zero bytes."""
    u, v = 32, 64
    p = password.encode("utf-16-be") + b"\0\0"
    d = bytes([purpose]) * v
    s = (salt * (v // len(salt) + 1))[: v * ((len(salt) + v - 1) // v)]
    pp = (p * (v // len(p) + 1))[: v * ((len(p) + v - 1) // v)]
    i = bytearray(s + pp)
    out = b""
    while len(out) < length:
        a = d + bytes(i)
        for _ in range(iterations):
            a = hashlib.sha256(a).digest()
        out += a
        b = (a * (v // u + 1))[:v]
        bn = int.from_bytes(b, "big") + 1
        for j in range(0, len(i), v):
            block = (int.from_bytes(i[j:j + v], "big") + bn) % (1 << (8 * v))
            i[j:j + v] = block.to_bytes(v, "big")
    return out[:length]


def pkcs12(entries, password):
    """entries: list of (alias, private key, [cert, issuer certs...]); keys in PBES2 bags, certificates in plain bags."""
    bags = []
    seen = set()
    for n, (alias, key, chain) in enumerate(entries):
        local_id = hashlib.sha1(chain[0].public_bytes(serialization.Encoding.DER)).digest()
        shrouded = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                     serialization.BestAvailableEncryption(password.encode()))
        bags.append(seq(oid(SHROUDED_KEY_BAG), explicit(0, shrouded), attributes(alias, local_id)))
        for k, cert in enumerate(chain):
            cert_der = cert.public_bytes(serialization.Encoding.DER)
            if k > 0 and cert_der in seen:
                continue
            seen.add(cert_der)
            bag = seq(oid(X509_CERT), explicit(0, octets(cert_der)))
            attrs = attributes(alias, local_id) if k == 0 else attributes(f"{alias}-issuer-{k}", None)
            bags.append(seq(oid(CERT_BAG), explicit(0, bag), attrs))
    safe_contents = seq(*bags)
    authenticated_safe = seq(seq(oid(DATA), explicit(0, octets(safe_contents))))
    salt, iterations = os.urandom(16), 2048
    mac_key = pkcs12_kdf(password, salt, 3, iterations, 32)
    mac = hmac.new(mac_key, authenticated_safe, hashlib.sha256).digest()
    mac_data = seq(seq(seq(oid("2.16.840.1.101.3.4.2.1"), der(0x05, b"")), octets(mac)), octets(salt), integer(iterations))
    return seq(integer(3), seq(oid(DATA), explicit(0, octets(authenticated_safe))), mac_data)


# ---- the whole fixture -------------------------------------------------------------------------------------

def generate(outdir, password):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=123000, tzinfo=None)
    start = now - datetime.timedelta(days=30)
    keys = {}

    def new_key(app, ref, issuer, generated, in_keystore):
        k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cn = f"{app}-{ref}" if ref else app
        ca = ref == ""
        issuer_key, issuer_cn, issuer_chain = (k, cn, []) if issuer is None else (issuer["key"], issuer["cn"], [issuer["cert"]] + issuer["chain"])
        cert = make_cert(cn, k, issuer_cn, issuer_key, generated - datetime.timedelta(minutes=5), 1095, ca)
        alias = str(uuid.uuid4())
        entry = {"app": app, "ref": ref, "key": k, "cn": cn, "cert": cert, "chain": issuer_chain, "alias": alias,
                 "generated": generated, "expires": generated + datetime.timedelta(days=1095), "keystore": in_keystore,
                 "uni": unique_identifier(app, ref, generated)}
        keys[(app, ref)] = entry
        return entry

    root = new_key("ROOT", "", None, start, True)
    registration = new_key("REGISTRATION", "", root, start + datetime.timedelta(seconds=1), True)
    id_repo = new_key("ID_REPO", "", root, start + datetime.timedelta(seconds=2), True)
    kernel_sign = new_key("KERNEL", "SIGN", root, start + datetime.timedelta(seconds=3), True)
    base = new_key("REGISTRATION", "ENCRYPT", registration, start + datetime.timedelta(seconds=4), False)

    os.makedirs(outdir, exist_ok=True)
    store = pkcs12([(e["alias"], e["key"], [e["cert"]] + e["chain"]) for e in keys.values() if e["keystore"]], password)
    with open(os.path.join(outdir, "keystore.p12"), "wb") as f:
        f.write(store)

    pem = lambda c: c.public_bytes(serialization.Encoding.PEM).decode()
    thumb = lambda c: hashlib.sha256(c.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    ts = lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    alias_rows = [{"id": e["alias"], "app_id": e["app"], "ref_id": e["ref"], "key_gen_dtimes": ts(e["generated"]),
                   "key_expire_dtimes": ts(e["expires"]), "status_code": None, "lang_code": None, "cert_thumbprint": thumb(e["cert"]),
                   "uni_ident": e["uni"], "cr_by": "SYSTEM", "is_deleted": False} for e in keys.values()]
    # A deleted row and a certificate-only (other domain) row, which the import must leave out.
    alias_rows.append({"id": str(uuid.uuid4()), "app_id": "PARTNER", "ref_id": "P1", "key_gen_dtimes": ts(start), "key_expire_dtimes": ts(now),
                       "cert_thumbprint": None, "uni_ident": None, "is_deleted": True})
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_cert = make_cert("OTHER", other, "OTHER", other, start, 365, False)
    other_alias = str(uuid.uuid4())
    alias_rows.append({"id": other_alias, "app_id": "IDA", "ref_id": "PARTNER", "key_gen_dtimes": ts(start), "key_expire_dtimes": ts(now),
                       "cert_thumbprint": thumb(other_cert), "uni_ident": unique_identifier("IDA", "PARTNER", start), "is_deleted": False})
    store_rows = [{"id": base["alias"], "master_key": registration["alias"], "private_key": wrap_private_key(base["key"], registration["key"].public_key()),
                   "certificate_data": pem(base["cert"]), "is_deleted": False},
                  {"id": other_alias, "master_key": other_alias, "private_key": "NA", "certificate_data": pem(other_cert), "is_deleted": False}]
    write_rows(outdir, "key_alias", alias_rows)
    write_rows(outdir, "key_store", store_rows)

    info = {f"{e['app']}/{e['ref']}": {"alias": e["alias"], "thumbprint": thumb(e["cert"]), "key_id": key_id(e["uni"]),
                                       "certificate": pem(e["cert"]), "generated": ts(e["generated"])} for e in keys.values()}
    write_json(outdir, "info.json", info)

    salt, aad = os.urandom(32), os.urandom(32)
    cases = []
    for mode, s, a in (("salt", salt, aad), ("salt-no-aad", salt, None), ("aad", None, aad), ("ver_r2", None, None)):
        text = f"Registrant data ({mode}) Ñandú".encode()
        cases.append({"mode": mode, "plaintext": b64url(text), "salt": b64url(s) if s else None, "aad": b64url(a) if a else None,
                      "data": b64url(mosip_encrypt(base["cert"], text, s, a))})
    write_json(outdir, "ciphertexts.json", cases)

    claims = {"iss": "mosip", "voucher": "V-1", "amount": "12.50"}
    header = {"alg": "RS256", "kid": key_id(id_repo["uni"])}
    enc = lambda o: base64.urlsafe_b64encode(json.dumps(o, separators=(",", ":")).encode()).rstrip(b"=").decode()
    signing_input = enc(header) + "." + enc(claims)
    signature = id_repo["key"].sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    write_json(outdir, "jwt.json", {"jwt": signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode(), "claims": claims})


def write_json(outdir, name, value):
    with open(os.path.join(outdir, name), "w") as f:
        json.dump(value, f, indent=1)


def write_rows(outdir, table, rows):
    """As `psql -Atc "SELECT json_agg(t) FROM keymgr.<table> t"` and `\\copy keymgr.<table> TO … (FORMAT csv, HEADER)` write them."""
    write_json(outdir, table + ".json", rows)
    columns = list(dict.fromkeys(c for r in rows for c in r))

    def cell(v):
        if v is None:
            return ""
        if isinstance(v, bool):
            return "t" if v else "f"
        v = str(v).replace("T", " ") if isinstance(v, str) and len(v) == 23 and v[10] == "T" else str(v)
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n\r') or v == "" else v

    with open(os.path.join(outdir, table + ".csv"), "w", newline="") as f:
        f.write(",".join(columns) + "\n")
        for r in rows:
            f.write(",".join(cell(r.get(c)) for c in columns) + "\n")


def encrypt_many(cert_pem, salt, aad):
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    plaintexts = json.load(sys.stdin)
    salt_bytes = b64url_decode(salt) if salt else None
    aad_bytes = b64url_decode(aad) if aad else None
    out = [base64.b64encode(mosip_encrypt(cert, base64.b64decode(p), salt_bytes, aad_bytes)).decode() for p in plaintexts]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "generate":
        generate(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "encrypt":
        with open(sys.argv[2]) as f:
            encrypt_many(f.read(), sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
