#!/usr/bin/python3
"""Replays, against a keymanager URL, the HTTP calls OpenG2P's Odoo module `g2p_encryption_keymanager` makes
(shared/reference/openg2p.md §3), with the same libraries it uses (requests, python-jose, jwcrypto, cryptography):

  token (form POST; expiry read from the JWT's exp with jose's get_unverified_claims), encrypt and decrypt with a
  fixed per-provider salt and aad (secrets.token_urlsafe()), jwtSign of a dict (the module's dispatcher always passes
  include_payload=True, include_certificate=False, include_cert_hash=False), jwtVerify (claims read back with
  get_unverified_claims), and getAllCertificates for the encrypt ids ("enc") then the sign ids ("sig"), with the
  module's query-string quirk, each certificate turned into a JWK as km_convert_x509_pem_to_jwk does.

Then it checks, independently of the keymanager, that the JWS verifies with the JWK whose kid it names.

usage: openg2p_keymanager_replay.py API_BASE_URL AUTH_URL CLIENT_ID CLIENT_SECRET [ENC_APP ENC_REF SIGN_APP SIGN_REF]
Prints a JSON summary; exits non-zero with the reason when any step fails.
"""
import base64
import json
import secrets
import sys
from datetime import datetime

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from jose import jwt
from jwcrypto import jwk, jws

TIMEOUT = 10  # the module's keymanager_api_timeout default, used for every call


class KeymanagerClient:
    """The provider record's fields and the module's client methods, without Odoo."""

    def __init__(self, base_url, auth_url, client_id, client_secret, enc_app="REGISTRATION", enc_ref="ENCRYPT", sign_app="ID_REPO", sign_ref=""):
        self.base_url, self.auth_url = base_url.rstrip("/"), auth_url
        self.client_id, self.client_secret, self.grant_type = client_id, client_secret, "client_credentials"
        self.enc_app, self.enc_ref, self.sign_app, self.sign_ref = enc_app, enc_ref, sign_app, sign_ref
        # Generated once per provider record and reused for every call.
        self.salt, self.aad = secrets.token_urlsafe(), secrets.token_urlsafe()
        self.token, self.token_expiry = None, None
        self.calls = []

    @staticmethod
    def now():
        return datetime.now().isoformat(timespec="milliseconds") + "Z"

    @staticmethod
    def b64encode(data):
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    @staticmethod
    def b64decode(text):
        return base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))

    def access_token(self):
        if self.token and self.token_expiry and self.token_expiry > datetime.now():
            return self.token
        r = requests.post(self.auth_url, data={"client_id": self.client_id, "client_secret": self.client_secret,
                                               "grant_type": self.grant_type}, timeout=TIMEOUT)
        self.calls.append(("POST", "token", r.status_code))
        r.raise_for_status()
        self.token = r.json().get("access_token")
        exp = jwt.get_unverified_claims(self.token).get("exp")
        self.token_expiry = datetime.fromtimestamp(exp) if isinstance(exp, int) else datetime.fromisoformat(exp) if isinstance(exp, str) else exp
        return self.token

    def post(self, path, request):
        now = self.now()
        body = {"id": "string", "version": "string", "requesttime": now, "metadata": {}, "request": request}
        r = requests.post(f"{self.base_url}/{path}", json=body, cookies={"Authorization": self.access_token()}, timeout=TIMEOUT)
        self.calls.append(("POST", path, r.status_code))
        r.raise_for_status()
        return (r.json() or {}).get("response")

    def crypt(self, path, data):
        response = self.post(path, {"applicationId": self.enc_app, "referenceId": self.enc_ref, "timeStamp": self.now(),
                                    "data": self.b64encode(data), "salt": self.salt, "aad": self.aad})
        if not response:
            raise ValueError(f"could not {path} data, invalid keymanager response")
        return self.b64decode(response.get("data"))

    def jwt_sign(self, data, include_payload=True, include_certificate=False, include_cert_hash=False):
        data = json.dumps(data).encode() if isinstance(data, dict) else data.encode() if isinstance(data, str) else data
        response = self.post("jwtSign", {"dataToSign": self.b64encode(data), "applicationId": self.sign_app, "referenceId": self.sign_ref,
                                         "includePayload": include_payload, "includeCertificate": include_certificate,
                                         "includeCertHash": include_cert_hash})
        if not response:
            raise ValueError("could not sign jwt, invalid keymanager response")
        return response.get("jwtSignedData")

    def jwt_verify(self, token):
        response = self.post("jwtVerify", {"jwtSignatureData": token, "applicationId": self.sign_app, "referenceId": self.sign_ref,
                                           "validateTrust": False})
        if not response:
            raise ValueError("could not verify jwt, invalid keymanager response")
        if response.get("signatureValid", False):
            return jwt.get_unverified_claims(token)
        raise ValueError("invalid jwt signature")

    def get_jwks(self):
        keys = []
        for app, ref, use in ((self.enc_app, self.enc_ref, "enc"), (self.sign_app, self.sign_ref, "sig")):
            url = f"{self.base_url}/getAllCertificates"
            # The module decides both query parameters from the *sign* ids, so with an empty sign reference id the
            # encrypt lookup goes out without its referenceId.
            if self.sign_app:
                url += f"?applicationId={app}"
            if self.sign_ref:
                url += f"&referenceId={ref}"
            r = requests.get(url, cookies={"Authorization": self.access_token()}, timeout=TIMEOUT)
            self.calls.append(("GET", url.split("/")[-1], r.status_code))
            r.raise_for_status()
            for cert in r.json().get("response", {}).get("allCertificates", []):
                keys.append(self.pem_to_jwk(cert.get("certificateData", "").encode(), use=use, kid=cert.get("keyId")))
        return {"keys": keys}

    def pem_to_jwk(self, pem, use=None, kid=None):
        cert = x509.load_pem_x509_certificate(pem)
        key = jwk.JWK()
        key.import_from_pyca(cert.public_key())
        key.update({"x5c": [base64.b64encode(cert.public_bytes(Encoding.DER)).decode()],
                    "x5t": self.b64encode(cert.fingerprint(hashes.SHA1())),
                    "x5t#S256": self.b64encode(cert.fingerprint(hashes.SHA256()))})
        if kid:
            key["kid"] = kid
        if use:
            key["use"] = use
        return dict(key)


def check(condition, message):
    if not condition:
        raise SystemExit("replay failed: " + message)


def main(argv):
    if len(argv) not in (5, 9):
        raise SystemExit(__doc__)
    client = KeymanagerClient(*argv[1:])
    summary = {}

    client.access_token()
    check(isinstance(jwt.get_unverified_claims(client.token).get("exp"), int), "the token's exp is not a number")
    check(client.token_expiry > datetime.now(), "the token is already expired")

    registrant = {"name": "Amina Yusuf", "given_name": "Amina", "family_name": "Yusuf", "birth_place": "Kisumu"}
    plaintext = json.dumps(registrant).encode()
    stored = client.crypt("encrypt", plaintext)  # what lands in res.partner.encrypted_val
    check(client.crypt("decrypt", stored) == plaintext, "decrypt did not return the plaintext")
    summary["stored_prefix"] = stored[:3].decode("ascii", "replace")
    other = KeymanagerClient(*argv[1:])
    other.token, other.token_expiry = client.token, client.token_expiry
    try:
        other.crypt("decrypt", stored)  # another provider record: another aad
        check(False, "decrypt with another aad succeeded")
    except ValueError:
        summary["other_aad_refused"] = True

    voucher = {"voucher": "V-2024-0001", "program": "cash-transfer", "amount": "12.50", "currency": "KES", "beneficiary": "ben-7f3a"}
    token = client.jwt_sign(voucher)
    check(token.count(".") == 2 and token.split(".")[1] != "", "jwtSign did not return an attached compact JWS")
    check(client.jwt_verify(token) == voucher, "jwtVerify did not give back the claims")
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    try:
        client.jwt_verify(tampered)
        check(False, "a tampered token verified")
    except ValueError:
        summary["tampered_refused"] = True
    raw = client.jwt_sign(bytes(range(64)))  # the credential issuer signs 64 raw bytes, not JSON
    check(raw.count(".") == 2, "signing raw bytes failed")

    jwks = client.get_jwks()
    kid = jwt.get_unverified_header(token).get("kid")
    matching = [k for k in jwks["keys"] if k.get("kid") == kid and k.get("use") == "sig"]
    check(len(matching) == 1, f"the JWKS has {len(matching)} sig keys with the token's kid {kid}")
    verifier = jws.JWS()
    verifier.deserialize(token)
    verifier.verify(jwk.JWK(**{k: v for k, v in matching[0].items() if k not in ("x5t", "x5t#S256")}))
    check(json.loads(verifier.payload) == voucher, "the JWKS-verified payload differs")

    summary.update({"kid": kid, "alg": jwt.get_unverified_header(token).get("alg"), "jwks_keys": len(jwks["keys"]),
                    "enc_keys": sum(1 for k in jwks["keys"] if k.get("use") == "enc"), "calls": client.calls})
    print(json.dumps(summary))


if __name__ == "__main__":
    main(sys.argv)
