#!/usr/bin/python3
"""Independent JWS check for KeyBridge tokens, using only the published JWKS.

Usage: kb_jwks_verify.py <jwks-url> <alg> <token> [<detached-payload-base64url>]

Fetches the JWK Set over HTTP, picks the key whose kid the token names, and verifies the token
with two libraries nobody here wrote: PyJWT and jwcrypto, each allowed only <alg> (the token's own
"alg" header is never trusted). Prints the verified payload as base64url. Exit code 1 when either
library rejects the token, 2 when the kid is not in the JWKS.
"""
import base64
import json
import sys
import urllib.request

import jwt
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jws as jwcrypto_jws


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    url, alg, token = argv[0], argv[1], argv[2]
    detached = base64.urlsafe_b64decode(argv[3] + "=" * (-len(argv[3]) % 4)) if len(argv) == 4 else None

    with urllib.request.urlopen(url, timeout=10) as response:
        jwks = json.load(response)
    kid = jwt.get_unverified_header(token).get("kid")
    matches = [k for k in jwks["keys"] if k.get("kid") == kid]
    if len(matches) != 1:
        print(f"kid {kid!r} is not in the JWKS", file=sys.stderr)
        return 2
    key = matches[0]

    # A detached JWS (RFC 7515 appendix F) is verified by putting the content back into the empty
    # payload part. (PyJWT's own detached_payload is for unencoded payloads, RFC 7797, which differ.)
    header, body, signature = token.split(".")
    if detached is not None and body:
        print("a detached payload was given for a JWS that carries its own", file=sys.stderr)
        return 1
    attached = f"{header}.{b64url(detached) if detached is not None else body}.{signature}"

    # PyJWT: the key comes from the JWK alone; only <alg> is allowed.
    try:
        verified = jwt.api_jws.PyJWS().decode_complete(attached, jwt.PyJWK(key, algorithm=alg).key, algorithms=[alg])
    except jwt.PyJWTError as e:
        print(f"PyJWT rejected the token: {e}", file=sys.stderr)
        return 1
    payload = verified["payload"]

    # jwcrypto: the same check, independently.
    try:
        checker = jwcrypto_jws.JWS()
        checker.deserialize(attached)
        checker.verify(jwcrypto_jwk.JWK.from_json(json.dumps(key)), alg=alg)
    except Exception as e:  # jwcrypto raises InvalidJWSSignature and friends
        print(f"jwcrypto rejected the token: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    if checker.payload != payload:
        print("PyJWT and jwcrypto disagree on the payload", file=sys.stderr)
        return 1
    print(b64url(payload))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
