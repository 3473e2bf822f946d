#!/bin/sh
# Push to runmedic from any shell script. Needs curl (and sed to read the run id back).
#   RUNMEDIC_URL=http://127.0.0.1:8787 RUNMEDIC_TOKEN=rmk_… sh curl.sh
set -eu
URL="${RUNMEDIC_URL:-http://127.0.0.1:8787}"
AUTH="Authorization: Bearer ${RUNMEDIC_TOKEN:?set RUNMEDIC_TOKEN (runmedic token create NAME --guild ID)}"
JSON="Content-Type: application/json"

RUN=$(curl -fsS -H "$AUTH" -H "$JSON" -d '{"name":"shell-run","config":{"learningRate":0.001}}' "$URL/api/v1/runs" \
  | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
echo "run $RUN"

# One batch: each point is a step with its metrics (null for NaN). Resending the same steps is harmless.
curl -fsS -H "$AUTH" -H "$JSON" "$URL/api/v1/runs/$RUN/metrics" -d '{"points":[
  {"step":0,"epoch":0,"metrics":{"loss":2.30,"val_loss":2.31}},
  {"step":1,"epoch":1,"metrics":{"loss":1.20,"val_loss":1.35}}]}'; echo

curl -fsS -H "$AUTH" -H "$JSON" "$URL/api/v1/runs/$RUN/finish" -d '{"status":"finished"}' >/dev/null
curl -fsS -H "$AUTH" "$URL/api/v1/runs/$RUN/verdict"; echo
