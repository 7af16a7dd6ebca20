"""A fake KeyBridge HTTP server for the methods that are not on this branch yet (``jwt_sign``,
``jwt_verify``, ``get_jwks``, ``voucher.issue``, per SPEC §5) and for faults a real server
will not produce on demand (503, dropped connections, 401 on a valid token).

It speaks the same protocol as KeyBridge: ``POST /oauth/token`` (form, client credentials),
``POST /jsonrpc`` with ``Authorization: Bearer``, JSON-RPC 2.0 by-name params, errors with
``error.data.name``. Signing is real ES256 (``cryptography``) with a self-signed certificate, so
the JWS it returns can be checked independently. Loopback only; started per test class.
"""

import base64
import datetime
import hashlib
import json
import secrets
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.x509.oid import NameOID

# A 1x1 PNG: the fake's "QR code" (the real server renders one).
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="
)


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class RpcError(Exception):
    def __init__(self, code, name, message):
        super().__init__(message)
        self.code, self.name, self.message = code, name, message


class FakeKeyBridge:
    def __init__(self, client_id="odoo", client_secret="s3cret", token_lifetime=900):
        self.client_id, self.client_secret, self.token_lifetime = client_id, client_secret, token_lifetime
        self.tokens = set()
        self.requests = []  # (path, parsed body)
        self.faults = []  # queued faults for /jsonrpc: "503", "drop", "401", "storage_unavailable"
        self.kid = "default-signing.v1"
        self._key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake keybridge")])
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(self._key, hashes.SHA256())
        )
        self.vouchers = {}
        self._server = None

    # ---------------------------------------------------------------- lifecycle

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                fake._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def jsonrpc_requests(self, method=None):
        return [b for p, b in self.requests if p == "/jsonrpc" and (method is None or _methods(b) == [method])]

    # ---------------------------------------------------------------- HTTP

    def _handle(self, h):
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length)
        if h.path == "/oauth/token":
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            self.requests.append((h.path, form))
            if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
                return _send(h, 401, {"error": "invalid_client", "error_description": "unknown client"})
            token = secrets.token_urlsafe(16)
            self.tokens.add(token)
            return _send(h, 200, {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime})
        if h.path != "/jsonrpc":
            return _send(h, 404, {})
        body = json.loads(raw)
        self.requests.append((h.path, body))
        fault = self.faults.pop(0) if self.faults else None
        if fault == "drop":
            h.close_connection = True
            h.connection.shutdown(2)
            return None
        if fault == "503":
            return _send(h, 503, b"upstream unavailable")
        auth = h.headers.get("Authorization", "")
        if fault == "401" or not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            if fault == "401":
                self.tokens.discard(auth[7:])
            return _send(h, 401, _error(None, RpcError(1001, "authentication_failed", "token expired")))
        if fault == "storage_unavailable":
            return _send(h, 200, _error(body.get("id"), RpcError(4002, "storage_unavailable", "database down")))
        if isinstance(body, list):
            return _send(h, 200, [self._dispatch(r) for r in body])
        return _send(h, 200, self._dispatch(body))

    def _dispatch(self, request):
        try:
            method = getattr(self, "rpc_" + request["method"].replace(".", "_"), None)
            if method is None:
                raise RpcError(-32601, "method_not_found", f"method '{request['method']}' does not exist")
            params = request.get("params") or {}
            if not isinstance(params, dict):
                raise RpcError(-32602, "invalid_params", "params must be an object")
            return {"jsonrpc": "2.0", "id": request.get("id"), "result": method(**params)}
        except TypeError as e:
            return _error(request.get("id"), RpcError(-32602, "invalid_params", str(e)))
        except RpcError as e:
            return _error(request.get("id"), e)

    # ---------------------------------------------------------------- methods (SPEC §5)

    def rpc_jwt_sign(
        self,
        payload,
        key=None,
        algorithm=None,
        include_payload=True,
        include_certificate=False,
        include_cert_hash=False,
        certificate_url=None,
    ):
        if isinstance(payload, dict):
            payload_bytes = json.dumps(payload, separators=(",", ":")).encode()
        elif isinstance(payload, str):
            payload_bytes = unb64u(payload)
        else:
            raise RpcError(-32602, "invalid_params", "payload must be an object or base64url")
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        header = {"alg": "ES256", "typ": "JWT", "kid": self.kid}
        if include_certificate:
            header["x5c"] = [base64.b64encode(der).decode()]
        if include_cert_hash:
            header["x5t#S256"] = b64u(hashlib.sha256(der).digest())
        if certificate_url:
            header["x5u"] = certificate_url
        signing_input = b64u(json.dumps(header, separators=(",", ":")).encode()) + "." + b64u(payload_bytes)
        r, s = decode_dss_signature(self._key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        signature = b64u(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
        head, body = signing_input.split(".")
        return {"jwt": f"{head}.{body if include_payload else ''}.{signature}"}

    def rpc_jwt_verify(self, jwt, payload=None, key=None):
        try:
            head, body, signature = jwt.split(".")
            header = json.loads(unb64u(head))
            if not body:
                if payload is None:
                    return {"valid": False, "reason": "payload_required"}
                body = payload if isinstance(payload, str) else b64u(json.dumps(payload).encode())
            raw = unb64u(signature)
            sig = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
            self._key.public_key().verify(sig, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
        except Exception:  # noqa: BLE001 - any defect is an invalid signature, as the real server reports it
            return {"valid": False, "reason": "signature_invalid"}
        result = {"valid": True, "kid": header.get("kid"), "key": "default-signing", "version": 1}
        try:
            claims = json.loads(unb64u(body))
            if isinstance(claims, dict):
                result["claims"] = claims
        except ValueError:
            pass
        return result

    def rpc_get_jwks(self, keys=None):
        numbers = self._key.public_key().public_numbers()
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        return {
            "keys": [
                {
                    "kty": "EC",
                    "crv": "P-256",
                    "x": b64u(numbers.x.to_bytes(32, "big")),
                    "y": b64u(numbers.y.to_bytes(32, "big")),
                    "kid": self.kid,
                    "use": "sig",
                    "alg": "ES256",
                    "x5c": [base64.b64encode(der).decode()],
                }
            ]
        }

    def rpc_voucher_issue(
        self,
        program,
        beneficiary,
        amount,
        currency,
        valid_until,
        valid_from=None,
        key=None,
        idempotency_key=None,
        qr=None,
    ):
        if not isinstance(amount, str):
            raise RpcError(-32602, "invalid_params", "'amount' must be a decimal string")
        if idempotency_key and idempotency_key in self.vouchers:
            return self.vouchers[idempotency_key]
        voucher_id = str(uuid.uuid4())
        claims = {
            "vid": voucher_id,
            "prg": program,
            "ben": beneficiary,
            "amt": amount,
            "cur": currency,
            "exp": valid_until,
        }
        result = {"voucher_id": voucher_id, "token": self.rpc_jwt_sign(claims)["jwt"]}
        if qr == "png":
            result["qr"] = base64.b64encode(TINY_PNG).decode()
        elif qr == "svg":
            result["qr"] = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"/>').decode()
        elif qr is not None:
            raise RpcError(-32602, "invalid_params", "'qr' must be png or svg")
        if idempotency_key:
            self.vouchers[idempotency_key] = result
        return result

    def rpc_random_bytes(self, length=32):
        return {"data": b64u(secrets.token_bytes(length))}

    def rpc_rpc_discover(self):
        return {"openrpc": "1.2.6", "methods": [{"name": n[4:]} for n in dir(self) if n.startswith("rpc_")]}


def _methods(body):
    return [r.get("method") for r in body] if isinstance(body, list) else [body.get("method")]


def _error(request_id, e):
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "error": {"code": e.code, "message": e.message, "data": {"name": e.name}},
    }


def _send(h, status, payload):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    h.send_response(status)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)
