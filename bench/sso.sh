#!/usr/bin/env bash
# An SSO profile's cache hit against any other cache hit, as interleaved whole-process runs (bench/interleave.py):
#   - `kura export --format json role` (a role assumed with a stored key: bench/run.sh's hit),
#   - `kura export --format json sso` (IAM Identity Center role credentials),
#   - `kura export --format json on-sso` (a role assumed with them).
# The sign-in goes through the test server with a browser stand-in; the server is stopped before measuring, so
# a miss would fail the run. RUNS (default 200) rounds; KURA (default build/kura).
set -euo pipefail
cd "$(dirname "$0")/.."
KURA=${KURA:-$PWD/build/kura}
RUNS=${RUNS:-200}
source bench/lib.sh
bench_world bench-sso

cat >"$WORK/sts.json" <<JSON
{"users": [{"name": "bench", "access_key_id": "AKIAKURABENCH0000001", "secret_access_key": "bench-secret"}],
 "roles": [{"arn": "arn:aws:iam::123456789012:role/bench", "max_duration": 3600}],
 "sso": {"start_url": "https://bench.awsapps.com/start", "accounts": [{"id": "111111111111", "name": "dev",
         "email": "dev@example.com", "roles": ["Admin"]}]}}
JSON
start_sts "$WORK/sts.json"
URL="$STS_URL"
export AWS_ENDPOINT_URL_STS="$URL" AWS_ENDPOINT_URL_SSO="$URL" AWS_ENDPOINT_URL_SSO_OIDC="$URL"
printf '#!/bin/sh\ncurl -s -L -o /dev/null "$1"\n' >"$WORK/browser"
chmod +x "$WORK/browser"
export BROWSER="$WORK/browser"
cat >"$HOME/.aws/config" <<'CFG'
[sso-session bench]
sso_start_url = https://bench.awsapps.com/start
sso_region = eu-west-1

[profile bench]
region = eu-west-1

[profile role]
source_profile = bench
role_arn = arn:aws:iam::123456789012:role/bench

[profile sso]
sso_session = bench
sso_account_id = 111111111111
sso_role_name = Admin

[profile on-sso]
source_profile = sso
role_arn = arn:aws:iam::123456789012:role/bench
CFG
AWS_ACCESS_KEY_ID=AKIAKURABENCH0000001 AWS_SECRET_ACCESS_KEY=bench-secret "$KURA" add --env bench 2>/dev/null
"$KURA" sso login sso >/dev/null 2>&1
for profile in role sso on-sso; do "$KURA" export --format json "$profile" >/dev/null; done  # warm
kill "${PIDS[@]}" 2>/dev/null || true  # every measured run is a hit: STS and the portal are gone

python3 bench/interleave.py --runs "$RUNS" \
  "/bin/true=/bin/true" \
  "export hit, role on a stored key=$KURA export --format json role" \
  "export hit, SSO role=$KURA export --format json sso" \
  "export hit, role on SSO=$KURA export --format json on-sso"
