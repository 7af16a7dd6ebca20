#!/usr/bin/env bash
# Runs every test of the repository. Installs what the tests need (Debian packages), starts a
# throwaway PostgreSQL cluster on 127.0.0.1, validates docker-compose.yml, builds, runs the
# .NET tests, then starts the built server and runs the Odoo addons' plain-python tests against
# it, and prints one closing line "tests: N passed, N failed, N skipped" for both.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

log() { echo "test.sh: $*" >&2; }

# Debian packages the tests use (python3-cryptography, PyJWT and jwcrypto for the independent checks,
# python-jose and requests for the replay of OpenG2P's MOSIP keymanager client,
# openssl to check certificates and CSRs, python3-pyflakes to check the Odoo addons without Odoo,
# docker-compose to validate the compose file, PostgreSQL 15 for the integration tests, promtool
# to check /metrics, SoftHSM2 and pkcs11-tool for the HSM tests, zbarimg and rsvg-convert to decode
# voucher QR codes).
need=()
/usr/bin/python3 -c 'import cryptography' 2>/dev/null || need+=(python3-cryptography)
/usr/bin/python3 -c 'import jwt' 2>/dev/null || need+=(python3-jwt)
/usr/bin/python3 -c 'import jwcrypto' 2>/dev/null || need+=(python3-jwcrypto)
/usr/bin/python3 -c 'import pyflakes' 2>/dev/null || need+=(python3-pyflakes)
/usr/bin/python3 -c 'import jose' 2>/dev/null || need+=(python3-jose)
/usr/bin/python3 -c 'import requests' 2>/dev/null || need+=(python3-requests)
command -v openssl >/dev/null || need+=(openssl)
[ -e /usr/lib/softhsm/libsofthsm2.so ] || need+=(softhsm2)
command -v pkcs11-tool >/dev/null || need+=(opensc)
command -v docker-compose >/dev/null || need+=(docker-compose)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
[ -f /usr/lib/softhsm/libsofthsm2.so ] || need+=(softhsm2)
command -v promtool >/dev/null || need+=(prometheus)
command -v zbarimg >/dev/null || need+=(zbar-tools)
command -v rsvg-convert >/dev/null || need+=(librsvg2-bin)
if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

log "validating docker-compose.yml"
KEYBRIDGE_DB_PASSWORD=x KEYBRIDGE_ADMIN_SECRET=x KEYBRIDGE_HSM_PIN=x KEYBRIDGE_HSM_SO_PIN=x ODOO_DB_PASSWORD=x docker-compose -f docker-compose.yml config -q

eval "$(scripts/test-postgres.sh start)"
kb_pid=
kb_dir=
cleanup() {
    if [ -n "$kb_pid" ]; then kill "$kb_pid" 2>/dev/null || true; wait "$kb_pid" 2>/dev/null || true; fi
    if [ -n "$kb_dir" ]; then rm -rf "$kb_dir"; fi
    scripts/test-postgres.sh stop "$KEYBRIDGE_TEST_PG_DIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT

log "building"
dotnet build OpenG2P.KeyBridge.sln -c Debug -nologo -v quiet

results=$(mktemp -d)
status=0
dotnet test OpenG2P.KeyBridge.sln --no-build -nologo --logger "trx" --results-directory "$results" "$@" || status=$?

# One closing line for the whole run, summed from every test assembly's TRX file.
read -r passed failed skipped < <(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find(".//{*}Counters")
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    s += int(c.get("notExecuted", 0))
print(p, f, s)
PY
)
rm -rf "$results"

# The Odoo addons' plain-python tests (odoo_addon/tests_pure) against the server just built.
log "starting KeyBridge for the addon tests"
kb_dir=$(mktemp -d)
kb_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
kb_secret=$(/usr/bin/python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
Storage__DataDirectory="$kb_dir/data" Bootstrap__AdminSecret="$kb_secret" \
    dotnet src/OpenG2P.KeyBridge.Server/bin/Debug/net10.0/OpenG2P.KeyBridge.Server.dll \
    --urls "http://127.0.0.1:$kb_port" >"$kb_dir/server.log" 2>&1 &
kb_pid=$!
py_status=0
if ! /usr/bin/python3 - "http://127.0.0.1:$kb_port/health/ready" <<'PY'
import sys, time, urllib.request
for _ in range(120):
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.5)
sys.exit(1)
PY
then
    log "KeyBridge did not become ready; its log:"; cat "$kb_dir/server.log" >&2
    py_status=1
fi
py_summary="$kb_dir/python-summary"
if [ "$py_status" -eq 0 ]; then
    KEYBRIDGE_TEST_URL="http://127.0.0.1:$kb_port" KEYBRIDGE_TEST_ADMIN_SECRET="$kb_secret" \
        /usr/bin/python3 odoo_addon/tests_pure/run.py --summary "$py_summary" || py_status=$?
fi
kill "$kb_pid" 2>/dev/null || true; wait "$kb_pid" 2>/dev/null || true; kb_pid=
if [ -s "$py_summary" ]; then
    read -r py_passed py_failed py_skipped <"$py_summary"
else
    py_passed=0; py_failed=1; py_skipped=0
fi
if [ "$py_status" -ne 0 ] && [ "$py_failed" -eq 0 ]; then py_failed=1; fi
passed=$((passed + py_passed)); failed=$((failed + py_failed)); skipped=$((skipped + py_skipped))

echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$py_status" -ne 0 ]; then exit 1; fi
if [ "$passed" -eq 0 ]; then echo "no test ran" >&2; exit 1; fi
