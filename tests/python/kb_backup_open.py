#!/usr/bin/python3
"""Independent opener for KeyBridge backup bundles, written from docs/backup-format.md only.

Usage: kb_backup_open.py <bundle> <share-file> <share-file> ...
Rebuilds the backup key and the software KEK from the shares (Shamir over GF(256)), authenticates
and decrypts the bundle, checks every section's SHA-256, and unwraps every stored key version with
the KEK. Prints a JSON summary; exit code 1 on any failure.
"""
import base64
import hashlib
import json
import re
import struct
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def gf_mul(a: int, b: int) -> int:
    result = 0
    while b:
        if b & 1:
            result ^= a
        a <<= 1
        if a & 0x100:
            a ^= 0x11B
        b >>= 1
    return result


def gf_inv(a: int) -> int:
    result = 1
    for _ in range(254):
        result = gf_mul(result, a)
    return result


def parse_share(text: str) -> dict:
    token = re.search(r"kbshare1\.[A-Za-z0-9_-]+", text).group(0)
    raw = b64url(token[len("kbshare1."):])
    body, check = raw[:-8], raw[-8:]
    if hashlib.sha256(body).digest()[:8] != check or body[0] != 1:
        raise ValueError("damaged share")
    threshold, total, index, kind, name_length = body[17:22]
    p = 22 + name_length
    value_length = body[p]
    value = body[p + 1:p + 1 + value_length]
    if p + 1 + value_length != len(body):
        raise ValueError("inconsistent share")
    return {"ceremony": body[1:17].hex(), "threshold": threshold, "index": index, "kind": kind,
            "custodian": body[22:22 + name_length].decode(), "value": value}


def combine(shares: list) -> bytes:
    xs = [s["index"] for s in shares]
    secret = bytearray(len(shares[0]["value"]))
    for j, share in enumerate(shares):
        basis = 1
        for m, xm in enumerate(xs):
            if m != j:
                basis = gf_mul(basis, gf_mul(xm, gf_inv(xm ^ xs[j])))
        for b in range(len(secret)):
            secret[b] ^= gf_mul(basis, share["value"][b])
    return bytes(secret)


def main() -> None:
    bundle = open(sys.argv[1], "rb").read()
    if bundle[:8] != b"KBBACKUP" or bundle[8] != 1:
        raise ValueError("not a bundle")
    header_length = struct.unpack(">I", bundle[9:13])[0]
    header = json.loads(bundle[13:13 + header_length])
    prefix = 13 + header_length
    recovery = header["recovery"]
    shares = [parse_share(open(path).read()) for path in sys.argv[2:]]
    if any(s["ceremony"] != recovery["id"] for s in shares) or len(shares) < recovery["threshold"]:
        raise ValueError("shares of another ceremony, or too few")
    secret = combine(shares[:recovery["threshold"]])
    backup_key, kek = secret[:32], secret[32:]
    if hashlib.sha256(b"keybridge/backup-key/v1\n" + backup_key).hexdigest()[:16] != recovery["backup_key_id"]:
        raise ValueError("the shares do not rebuild this ceremony's backup key")
    key = HKDF(hashes.SHA256(), 32, bytes.fromhex(header["bundle_id"]), b"keybridge/backup/v1").derive(backup_key)
    body = AESGCM(key).decrypt(bundle[prefix:prefix + 12], bundle[prefix + 12:], bundle[:prefix])
    sections, offset = {}, 0
    for entry in header["manifest"]["sections"]:
        data = body[offset:offset + entry["bytes"]]
        offset += entry["bytes"]
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise ValueError("section hash mismatch: " + entry["name"])
        sections[entry["name"]] = json.loads(data)
    kek_id = "software:" + hashlib.sha256(kek).hexdigest()[:16]
    unwrapped = 0
    for k in sections["keys"]:
        for v in k["versions"]:
            if v["wrapped_material"] is None:
                continue
            blob = base64.b64decode(v["wrapped_material"])
            if blob[0] != 1 or v["kek_id"] != kek_id:
                raise ValueError("not wrapped by the KEK from the shares")
            aad = f"keybridge/material/v1/{k['name']}/{v['version']}".encode()
            AESGCM(kek).decrypt(blob[1:13], blob[13:], aad)
            unwrapped += 1
    print(json.dumps({"keys": len(sections["keys"]), "clients": len(sections["clients"]), "unwrapped": unwrapped,
                      "kek_id": kek_id, "audit_seq": sections["audit"]["seq"]}))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - any failure is a failed check
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
