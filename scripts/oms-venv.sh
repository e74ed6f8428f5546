#!/usr/bin/env bash
# Creates .venv-oms with the real OpenSSF Model Signing tool (PyPI model-signing 1.1.1) that the signing
# interop tests run (`model_signing sign key` / `verify key`). Idempotent: does nothing when it is there.
# 1.1.1 imports OpenSSL without declaring it, hence pyopenssl; jsonschema checks spec/policy.schema.json.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-oms
if [ -x "$venv/bin/model_signing" ] && "$venv/bin/python" -c 'import model_signing, OpenSSL, jsonschema' 2>/dev/null; then
  exit 0
fi
command -v python3 >/dev/null || { echo "python3 not found: the signing interop tests need it" >&2; exit 2; }
command -v openssl >/dev/null || { echo "openssl not found: the signing tests make keys with it (apt-get install openssl)" >&2; exit 2; }
python3 -m venv "$venv"
"$venv/bin/pip" install -q model-signing==1.1.1 pyopenssl jsonschema
"$venv/bin/model_signing" --help >/dev/null
echo "model_signing 1.1.1 installed in $venv" >&2
