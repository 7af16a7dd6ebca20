#!/usr/bin/python3
"""Independent decryptor for KeyBridge ciphertexts, written from docs/ciphertext-format.md only.

Usage: kb_ciphertext.py decrypt <key-base64url> <ciphertext> [<context-json>]
       kb_ciphertext.py encode-context <context-json>      (prints the encoding as hex)
Prints the plaintext as base64url (decrypt). Exit code 1 on any failure.
"""
import base64
import json
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_context(context: dict) -> bytes:
    out = b""
    for name in sorted(context, key=lambda k: k.encode("utf-8")):
        value = context[name]
        if isinstance(value, bool):
            kind, raw = b"b", (b"true" if value else b"false")
        elif isinstance(value, int):
            kind, raw = b"i", str(value).encode("ascii")
        elif isinstance(value, str):
            kind, raw = b"s", value.encode("utf-8")
        else:
            raise ValueError("context values must be strings, integers or booleans")
        encoded_name = name.encode("utf-8")
        out += len(encoded_name).to_bytes(2, "big") + encoded_name + kind + len(raw).to_bytes(4, "big") + raw
    return out


def decrypt(text: str, key: bytes, context: dict | None) -> bytes:
    if not text.startswith("kb:"):
        raise ValueError("not a KeyBridge ciphertext")
    raw = b64url_decode(text[3:])
    if raw[0] != 1:
        raise ValueError("unknown format version")
    n = raw[1]
    header = raw[: 6 + n]
    nonce = raw[6 + n: 18 + n]
    aad = header + (encode_context(context) if context else b"")
    return AESGCM(key).decrypt(nonce, raw[18 + n:], aad)


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[0] == "decrypt":
        context = json.loads(argv[3]) if len(argv) > 3 else None
        plaintext = decrypt(argv[2], b64url_decode(argv[1]), context)
        print(base64.urlsafe_b64encode(plaintext).decode().rstrip("="))
        return 0
    if len(argv) == 2 and argv[0] == "encode-context":
        print(encode_context(json.loads(argv[1])).hex())
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception as e:  # any failure is a failed check
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
