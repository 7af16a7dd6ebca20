#!/usr/bin/python3
"""Check a KeyBridge voucher offline, with nothing but the JWK Set and PyJWT.

Usage: verify_voucher.py [--keys voucher-signing[,other-key]] [--issuer keybridge] [--leeway 60] JWKS TOKEN

JWKS is a file saved from GET /.well-known/jwks.json, or that URL. TOKEN is the scanned QR text
(or "-" to read it from standard input).

Prints one JSON object. A genuine voucher inside its validity window gives
{"valid": true, "kid": ..., "claims": {...}} and exit code 0; anything else gives
{"valid": false, "reason": ..., "message": ...} and exit code 1, with reason one of
malformed, unknown_kid, bad_signature, expired, not_yet_valid. Usage errors exit with 2.

Offline, nobody can tell whether a voucher was already redeemed or revoked: that is what the
online voucher.redeem (and voucher.verify) are for.

Needs PyJWT with cryptography (Debian: python3-jwt python3-cryptography).
"""
import argparse
import json
import sys
import urllib.request

import jwt

VOUCHER_TYPE = "voucher+jwt"
REQUIRED_CLAIMS = ["jti", "iss", "iat", "nbf", "exp", "program", "beneficiary", "amount", "currency"]
# Vouchers are signed with ES256 or EdDSA only; anything else in a voucher's header is refused.
VOUCHER_ALGORITHMS = ("ES256", "EdDSA")


def load_jwks(source):
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=10) as response:
            return json.load(response)
    with open(source, encoding="utf-8") as f:
        return json.load(f)


def check(jwks, token, voucher_keys, issuer, leeway):
    """Returns (claims, kid) for a valid voucher, or raises Invalid."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError as e:
        raise Invalid("malformed", f"not a compact JWS: {e}")
    if header.get("typ") != VOUCHER_TYPE:
        raise Invalid("malformed", f"typ is {header.get('typ')!r}, not {VOUCHER_TYPE!r}: not a voucher")

    # Only a version of a voucher key may sign vouchers; KeyBridge kids are "<key name>:v<version>".
    kid = header.get("kid")
    key_name = kid.rsplit(":v", 1)[0] if isinstance(kid, str) and ":v" in kid else None
    if key_name not in voucher_keys:
        raise Invalid("unknown_kid", f"kid {kid!r} is not a version of a voucher key ({', '.join(voucher_keys)})")
    matches = [k for k in jwks.get("keys", []) if k.get("kid") == kid]
    if len(matches) != 1:
        raise Invalid("unknown_kid", f"kid {kid!r} is not in the JWKS (revoked, or the JWKS is out of date)")
    jwk = matches[0]
    algorithm = jwk.get("alg")
    if algorithm not in VOUCHER_ALGORITHMS:
        raise Invalid("unknown_kid", f"the JWKS key {kid!r} is for {algorithm!r}, not a voucher algorithm")

    # The algorithm comes from the JWKS, never from the token's own header.
    try:
        claims = jwt.decode(
            token,
            jwt.PyJWK(jwk, algorithm=algorithm).key,
            algorithms=[algorithm],
            issuer=issuer,
            leeway=leeway,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise Invalid("expired", "the voucher has expired (exp)")
    except jwt.ImmatureSignatureError:
        raise Invalid("not_yet_valid", "the voucher is not valid yet (nbf)")
    except (jwt.InvalidSignatureError, jwt.InvalidAlgorithmError) as e:
        raise Invalid("bad_signature", f"the signature does not verify: {e}")
    except jwt.PyJWTError as e:
        raise Invalid("malformed", str(e))
    if not isinstance(claims.get("amount"), str) or not isinstance(claims.get("currency"), str):
        raise Invalid("malformed", "amount and currency must be strings")
    return claims, kid


class Invalid(Exception):
    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason
        self.message = message


def main(argv):
    parser = argparse.ArgumentParser(description="Check a KeyBridge voucher offline with the JWKS and PyJWT.")
    parser.add_argument("jwks", help="JWKS file or http(s) URL")
    parser.add_argument("token", help="the voucher token, or - for standard input")
    parser.add_argument("--keys", default="voucher-signing", help="comma-separated voucher key names (default: voucher-signing)")
    parser.add_argument("--issuer", default=None, help="required iss claim (default: not checked)")
    parser.add_argument("--leeway", type=int, default=60, help="seconds of clock difference allowed for nbf/exp (default 60)")
    args = parser.parse_args(argv)

    token = sys.stdin.read().strip() if args.token == "-" else args.token.strip()
    try:
        jwks = load_jwks(args.jwks)
    except (OSError, ValueError) as e:
        print(f"cannot read the JWKS: {e}", file=sys.stderr)
        return 2
    try:
        claims, kid = check(jwks, token, [k for k in args.keys.split(",") if k], args.issuer, args.leeway)
    except Invalid as e:
        print(json.dumps({"valid": False, "reason": e.reason, "message": e.message}))
        return 1
    print(json.dumps({"valid": True, "kid": kid, "claims": claims}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
