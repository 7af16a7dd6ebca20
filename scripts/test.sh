#!/usr/bin/env bash
# Runs every test of the repository. Installs what the tests need (Debian packages), starts a
# throwaway PostgreSQL cluster on 127.0.0.1, validates docker-compose.yml, builds, runs the
# .NET tests, and prints one closing line "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

log() { echo "test.sh: $*" >&2; }

# Debian packages the tests use (python3-cryptography, PyJWT and jwcrypto for the independent checks,
# openssl to check certificates and CSRs, docker-compose to validate the compose file, PostgreSQL 15
# for the integration tests).
need=()
/usr/bin/python3 -c 'import cryptography' 2>/dev/null || need+=(python3-cryptography)
/usr/bin/python3 -c 'import jwt' 2>/dev/null || need+=(python3-jwt)
/usr/bin/python3 -c 'import jwcrypto' 2>/dev/null || need+=(python3-jwcrypto)
command -v openssl >/dev/null || need+=(openssl)
command -v docker-compose >/dev/null || need+=(docker-compose)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

log "validating docker-compose.yml"
KEYBRIDGE_DB_PASSWORD=x KEYBRIDGE_ADMIN_SECRET=x KEYBRIDGE_KEK=x docker-compose -f docker-compose.yml config -q

eval "$(scripts/test-postgres.sh start)"
trap 'scripts/test-postgres.sh stop "$KEYBRIDGE_TEST_PG_DIR" >/dev/null 2>&1 || true' EXIT

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
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
if [ "$passed" -eq 0 ]; then echo "no test ran" >&2; exit 1; fi
