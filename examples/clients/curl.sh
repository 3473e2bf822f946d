#!/bin/sh
# Push to runmedic from any shell script. Needs curl (and sed to read the run id back).
#   RUNMEDIC_URL=http://127.0.0.1:8787 RUNMEDIC_TOKEN=rmk_… [RUNMEDIC_NAME=my-run] sh curl.sh
set -eu
URL="${RUNMEDIC_URL:-http://127.0.0.1:8787}"
AUTH="Authorization: Bearer ${RUNMEDIC_TOKEN:?set RUNMEDIC_TOKEN (runmedic token create NAME --guild ID)}"
JSON="Content-Type: application/json"
NAME="${RUNMEDIC_NAME:-shell-run}"  # goes into JSON as is: no quotes or backslashes in it

RUN=$(curl -fsS -H "$AUTH" -H "$JSON" -d '{"name":"'"$NAME"'","config":{"learningRate":0.001}}' "$URL/api/v1/runs" \
  | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
# Without this check a refused token would send the points on to $URL/api/v1/runs//metrics.
[ -n "$RUN" ] || { echo "runmedic: no run created (see the curl error above)" >&2; exit 1; }
echo "run $RUN"

# One batch: each point is a step with its metrics (null for NaN). Resending the same steps is harmless.
curl -fsS -H "$AUTH" -H "$JSON" "$URL/api/v1/runs/$RUN/metrics" -d '{"points":[
  {"step":0,"epoch":0,"metrics":{"loss":2.30,"val_loss":2.31}},
  {"step":1,"epoch":1,"metrics":{"loss":1.20,"val_loss":1.35}}]}'; echo

curl -fsS -H "$AUTH" -H "$JSON" "$URL/api/v1/runs/$RUN/finish" -d '{"status":"finished"}' >/dev/null
curl -fsS -H "$AUTH" "$URL/api/v1/runs/$RUN/verdict"; echo
