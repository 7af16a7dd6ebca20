#!/usr/bin/env bash
# KeyBridge benchmark: builds in Release, starts KeyBridge (embedded SQLite, PostgreSQL, SoftHSM2
# KEK) and a bare ASP.NET Core reference handler on loopback ports, drives them over HTTP and
# WebSocket (wrk + a .NET load driver), measures in-process references (AES-GCM, ECDSA, Ed25519,
# RSA, MOSIP's design), and writes bench/results/latest.md and latest.json.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: bench/run.sh [--quick] [--out DIR] [--only SECTIONS] [--no-postgres] [--no-hsm]

  --quick          shorter runs and 100,000 re-encrypted records (under 2 minutes)
                   instead of the full run (about 10 minutes on 2 cores, 1,000,000 records)
  --out DIR        where latest.md and latest.json go (default: bench/results)
  --only SECTIONS  comma-separated subset: references,bare,sqlite,reencryption,postgres,hsm
  --no-postgres    skip the PostgreSQL configuration (no throwaway cluster is started)
  --no-hsm         skip the SoftHSM2 configuration
  -h, --help       this text

Load goes to 127.0.0.1 only; every load loop is bounded by time and by a request count.
Needs: the .NET SDK; wrk, softhsm2 and postgresql-15 from Debian (installed when missing and
running as root).
USAGE
}

quick=""
out=""
only=""
postgres=1
hsm=1
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick="--quick" ;;
        --out) out="$2"; shift ;;
        --only) only="$2"; shift ;;
        --no-postgres) postgres="" ;;
        --no-hsm) hsm="" ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench/run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

cd "$(dirname "$0")/.."
root=$(pwd)
out="${out:-$root/bench/results}"
log() { echo "bench/run.sh: $*" >&2; }

# Debian packages the benchmark uses, installed when missing (as root or with sudo).
need=()
command -v wrk >/dev/null || need+=(wrk)
if [ -n "$hsm" ]; then command -v softhsm2-util >/dev/null || need+=(softhsm2); fi
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
    log "installing ${need[*]}"
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null; } \
        || log "could not install ${need[*]}; going on without"
fi

log "building (Release)"
dotnet build src/OpenG2P.KeyBridge.Server/OpenG2P.KeyBridge.Server.csproj -c Release -nologo -v quiet
dotnet build bench/OpenG2P.KeyBridge.Bench/OpenG2P.KeyBridge.Bench.csproj -c Release -nologo -v quiet

scratch=$(mktemp -d "${TMPDIR:-/tmp}/keybridge-bench-run.XXXXXX")
pg_dir=""
cleanup() {
    if [ -n "$pg_dir" ]; then scripts/test-postgres.sh stop "$pg_dir" >/dev/null 2>&1 || true; fi
    rm -rf "$scratch"
}
trap cleanup EXIT

args=(run --server "$root/src/OpenG2P.KeyBridge.Server/bin/Release/net10.0/OpenG2P.KeyBridge.Server.dll" --out "$out")
[ -n "$quick" ] && args+=(--quick)
[ -n "$only" ] && args+=(--only "$only")

wants() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }

if [ -n "$postgres" ] && wants postgres; then
    eval "$(scripts/test-postgres.sh start)"
    pg_dir="$KEYBRIDGE_TEST_PG_DIR"
    args+=(--postgres "$KEYBRIDGE_TEST_PG")
fi

if [ -n "$hsm" ] && wants hsm && command -v softhsm2-util >/dev/null && [ -f /usr/lib/softhsm/libsofthsm2.so ]; then
    # A throwaway token under a private SOFTHSM2_CONF; removed with the scratch folder.
    mkdir -p "$scratch/softhsm/tokens"
    printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$scratch/softhsm/tokens" >"$scratch/softhsm/softhsm2.conf"
    hsm_pin=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
    SOFTHSM2_CONF="$scratch/softhsm/softhsm2.conf" softhsm2-util --init-token --free --label keybridge-bench \
        --pin "$hsm_pin" --so-pin "$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')" >/dev/null
    args+=(--softhsm-conf "$scratch/softhsm/softhsm2.conf" --hsm-label keybridge-bench)
    export KEYBRIDGE_BENCH_HSM_PIN="$hsm_pin"
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null | grep -v '^.. bench/results/' || true)" ]; then commit="$commit+changes"; fi
KEYBRIDGE_BENCH_COMMIT="$commit" dotnet bench/OpenG2P.KeyBridge.Bench/bin/Release/net10.0/OpenG2P.KeyBridge.Bench.dll "${args[@]}"
log "report: $out/latest.md"
