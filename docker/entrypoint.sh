#!/bin/sh
# Starts KeyBridge; with Kek__Provider=pkcs11 and the bundled SoftHSM2 it first creates the token
# on the token volume if it does not exist yet (a real HSM is initialised by its own tools).
set -eu
if [ "${Kek__Provider:-software}" = "pkcs11" ] && [ "${Kek__Pkcs11__Library:-}" = "/usr/lib/softhsm/libsofthsm2.so" ]; then
    : "${SOFTHSM2_CONF:=/var/lib/keybridge/tokens/softhsm2.conf}"
    export SOFTHSM2_CONF
    mkdir -p /var/lib/keybridge/tokens/store
    if [ ! -f "$SOFTHSM2_CONF" ]; then
        printf 'directories.tokendir = /var/lib/keybridge/tokens/store\nobjectstore.backend = file\nlog.level = ERROR\n' > "$SOFTHSM2_CONF"
    fi
    if ! softhsm2-util --show-slots 2>/dev/null | grep -q "Label:.*${Kek__Pkcs11__TokenLabel:?set Kek__Pkcs11__TokenLabel}"; then
        softhsm2-util --init-token --free --label "$Kek__Pkcs11__TokenLabel" \
            --pin "${Kek__Pkcs11__Pin:?set Kek__Pkcs11__Pin}" --so-pin "${KEYBRIDGE_HSM_SO_PIN:?set KEYBRIDGE_HSM_SO_PIN}" >/dev/null
    fi
fi
exec dotnet /app/OpenG2P.KeyBridge.Server.dll "$@"
