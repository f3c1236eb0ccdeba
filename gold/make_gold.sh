#!/usr/bin/env bash
# Rebuild gold/export.json from the reading passes, through a real Label Studio:
# start a fresh server, push the seeds, enter pass 1 and pass 2 under two annotator
# users and the adjudicated gold (flagged ground truth) under a third, pull the native
# JSON export. Needs: pip install -e '.[studio]'.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-8765}
data=$(mktemp -d)
export LABEL_STUDIO_API_KEY=$(python -c 'import secrets; print(secrets.token_hex(20))')
export LABEL_STUDIO_PASSWORD=$(python -c 'import secrets; print(secrets.token_hex(12))')
export LABEL_STUDIO_URL=http://127.0.0.1:$port
toolkit studio start --data-dir "$data" --port "$port" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 240); do curl -sf "$LABEL_STUDIO_URL/health" >/dev/null && break; sleep 1; done
toolkit studio push seeds
toolkit studio annotate gold/pass1/*.json --as annotator1@example.com
toolkit studio annotate gold/pass2/*.json --as annotator2@example.com
toolkit studio annotate gold/adjudicated/*.json --as adjudicator@example.com --ground-truth
toolkit studio pull -o gold/export.json
