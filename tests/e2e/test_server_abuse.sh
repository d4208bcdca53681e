# The local credential endpoints hold under abuse: a client pipelining for 10 s gets every answer while the
# server's memory stays flat; a head sent one byte a second is cut off at the read timeout; repeated Host,
# Transfer-Encoding and bare-LF heads are handled; HTTP/1.0 is closed after its answer; 12,000 IMDS token
# requests do not push out an earlier token; another user of the machine is refused.
source "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "ada", "access_key_id": "AKIAKURATESTADA00001", "secret_access_key": "ada-secret"}], "roles": []}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL" KURA_SERVER_READ_TIMEOUT=2s
printf '[profile ada]\nregion = us-east-1\n' >"$AWS_CONFIG_FILE"
AWS_ACCESS_KEY_ID=AKIAKURATESTADA00001 AWS_SECRET_ACCESS_KEY=ada-secret kura add --env ada 2>/dev/null

# Starts `kura serve` in the background; sets SERVE_PID and evaluates what it prints.
start_serve() { # --ecs|--imds name
  "$KURA_BIN" serve "$1" ada >"$TEST_DIR/$2.out" 2>"$TEST_DIR/$2.err" &
  SERVE_PID=$!
  PIDS+=("$SERVE_PID")
  for _ in $(seq 1 100); do grep -q 'export' "$TEST_DIR/$2.out" 2>/dev/null && break; sleep 0.1; done
  grep -q 'export' "$TEST_DIR/$2.out" || fail "kura serve $1 did not start: $(cat "$TEST_DIR/$2.err")"
  eval "$(cat "$TEST_DIR/$2.out")"
}

# One raw exchange: the request from stdin (bytes as given), then "STATUS closed|open close|keep" once a whole
# response has come and the server had $2 seconds (default 0.5) to close; "none" when no response came in 4 s.
cat >"$TEST_DIR/raw.py" <<'PY'
import socket, sys, time
port, linger = int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
s = socket.create_connection(("127.0.0.1", port))
s.sendall(sys.stdin.buffer.read())
buf, closed, complete_at = b"", False, None
deadline = time.time() + 4
while time.time() < deadline and (complete_at is None or time.time() < complete_at + linger):
    s.settimeout(0.1)
    try:
        chunk = s.recv(65536)
    except socket.timeout:
        continue
    except ConnectionResetError:
        closed = True
        break
    if not chunk:
        closed = True
        break
    buf += chunk
    head, sep, body = buf.partition(b"\r\n\r\n")
    if sep and complete_at is None:
        length = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
        if length and len(body) >= length[0]:
            complete_at = time.time()
head = buf.partition(b"\r\n\r\n")[0]
status = head.split(b" ")[1].decode() if complete_at is not None else "none"
print(status, "closed" if closed else "open", "close" if b"\r\nconnection: close" in head.lower() else "keep")
PY
raw() { python3 "$TEST_DIR/raw.py" "$@"; }

start_serve --ecs ecs
ECS_PID=$SERVE_PID
URI=$AWS_CONTAINER_CREDENTIALS_FULL_URI TOKEN=$AWS_CONTAINER_AUTHORIZATION_TOKEN
PORT=$(echo "$URI" | sed 's|.*:\([0-9]*\)/|\1|')
H="Host: 127.0.0.1:$PORT"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $TOKEN" "$URI")" "200" "the endpoint answers its own user"

# --- Pipelining for 10 s: every answer, in bounded memory ---
python3 - "$PORT" "$TOKEN" "$ECS_PID" <<'PY' || fail "a client pipelining for 10 s gets every answer in bounded memory"
import select, socket, sys, time
port, token, pid = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def status_kib(field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {token}\r\n\r\n".encode()
batch = request * 512
s = socket.create_connection(("127.0.0.1", port))
base = status_kib("VmRSS")
s.setblocking(False)
ok_marker, any_marker = b"HTTP/1.1 200 OK\r\n", b"HTTP/1.1 "
ok = seen = 0
ok_tail = any_tail = b""
sent_bytes = 0
start = time.time()
stop_writing, give_up = start + 10, start + 40
peak, next_sample = base, start
while True:
    now = time.time()
    if now >= next_sample:
        peak, next_sample = max(peak, status_kib("VmRSS")), now + 0.25
    writing = now < stop_writing or sent_bytes % len(request) != 0
    if not writing and ok >= sent_bytes // len(request):
        break
    if now > give_up:
        break
    readable, writable, _ = select.select([s], [s] if writing else [], [], 0.25)
    if writable:
        at = sent_bytes % len(batch)
        end = len(batch) if now < stop_writing else at + (len(request) - at % len(request))
        try:
            sent_bytes += s.send(batch[at:end])
        except BlockingIOError:
            pass
    if readable:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        data = ok_tail + chunk
        ok += data.count(ok_marker)
        ok_tail = data[-(len(ok_marker) - 1):]
        data = any_tail + chunk
        seen += data.count(any_marker)
        any_tail = data[-(len(any_marker) - 1):]
requests = sent_bytes // len(request)
hwm = status_kib("VmHWM")
growth = max(peak, hwm) - base
print(f"pipelined {requests} requests in 10 s; {ok} answered 200 ({seen} answers); "
      f"VmRSS {base} KiB before, peak {peak} KiB, VmHWM {hwm} KiB: growth {growth} KiB")
assert requests > 1000, "the client could hardly send"
assert ok == requests and seen == requests, "not every request was answered"
assert growth < 16 * 1024, "the server's memory grew by 16 MiB or more"
PY
pass "a client pipelining for 10 s gets every answer in bounded memory"

# --- A head one byte a second: cut off at the read timeout (2 s) from its first byte ---
python3 - "$PORT" <<'PY' || fail "a head sent one byte a second is cut off within 3 s"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
head = b"GET / HTTP/1.1\r\nX-Slow: " + b"a" * 100
start = time.time()
got = b""
for byte in head:
    try:
        s.send(bytes([byte]))
    except (BrokenPipeError, ConnectionResetError):
        break
    s.settimeout(1)
    try:
        chunk = s.recv(4096)
    except socket.timeout:
        if time.time() - start > 8:
            break
        continue
    except ConnectionResetError:
        break
    if not chunk:
        break
    got += chunk
elapsed = time.time() - start
first_line = got.split(b"\r\n")[0].decode() if got else "no answer"
print(f"dropped after {elapsed:.1f} s: {first_line}")
assert 1.5 < elapsed < 3.5, elapsed
PY
pass "a head sent one byte a second is cut off within 3 s"

# --- Heads the parser must refuse or accept ---
out=$(printf 'GET / HTTP/1.1\r\n%s\r\nHost: 127.0.0.1:%s\r\nAuthorization: %s\r\n\r\n' "$H" "$PORT" "$TOKEN" | raw "$PORT")
assert_eq "$out" "400 closed close" "a repeated Host is refused with 400"
out=$(printf 'GET / HTTP/1.1\r\n%s\r\nAuthorization: wrong\r\nAuthorization: %s\r\n\r\n' "$H" "$TOKEN" | raw "$PORT")
assert_eq "$out" "400 closed close" "a repeated Authorization is refused with 400"
out=$(printf 'GET / HTTP/1.0\r\n%s\r\nAuthorization: %s\r\n\r\n' "$H" "$TOKEN" | raw "$PORT" 1.5)
assert_eq "$out" "200 closed close" "HTTP/1.0 is answered with Connection: close, then closed"
out=$(printf 'GET / HTTP/1.1\n%s\nAuthorization: %s\n\n' "$H" "$TOKEN" | raw "$PORT")
assert_eq "$out" "200 open keep" "a bare-LF request is answered (and kept alive)"
out=$(printf 'GET / HTTP/1.1\r\n%s\r\nAuthorization: %s\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' "$H" "$TOKEN" | raw "$PORT")
assert_eq "$out" "501 closed close" "Transfer-Encoding is refused"
out=$(printf 'GET / HTTP/2.0\r\n%s\r\nAuthorization: %s\r\n\r\n' "$H" "$TOKEN" | raw "$PORT")
assert_eq "$out" "505 closed close" "a version other than HTTP/1.0 and 1.1 is refused"

# --- Another user of this machine ---
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  # A 403, or the connection closed before curl read it ("000"): never credentials.
  other=$(setpriv --reuid=65534 --regid=65534 --clear-groups curl -s -o /dev/null -w '%{http_code}' \
    -H "Authorization: $TOKEN" "$URI" || true)
  case "$other" in 403 | 000) pass "another user is refused by the ECS endpoint ($other), even with the token" ;;
    *) fail "another user is refused by the ECS endpoint: got $other" ;; esac
else
  echo "skip: another user (needs root and setpriv)"
fi
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $TOKEN" "$URI")" "200" "its own user is still served"

# --- IMDS: 12,000 token requests do not push out an earlier token ---
start_serve --imds imds
IMDS_URL=${AWS_EC2_METADATA_SERVICE_ENDPOINT%/}
IMDS_PORT=${IMDS_URL##*:}
python3 - "$IMDS_PORT" <<'PY' || fail "12,000 token requests do not invalidate an earlier token"
import socket, sys
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port))
buf = b""
def exchange(request):
    global buf
    s.sendall(request)
    while b"\r\n\r\n" not in buf:
        buf += s.recv(65536)
    head, _, buf = buf.partition(b"\r\n\r\n")
    length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0])
    while len(buf) < length:
        buf += s.recv(65536)
    body, buf = buf[:length], buf[length:]
    return int(head.split(b" ")[1]), body.decode()
put = f"PUT /latest/api/token HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-aws-ec2-metadata-token-ttl-seconds: %d\r\n\r\n"
status, first = exchange((put % 21600).encode())
assert status == 200 and len(first) == 64, (status, first)
tokens = set()
for i in range(12000):
    status, token = exchange((put % (1 + i % 21600)).encode())
    assert status == 200, status
    tokens.add(token)
get = f"GET /latest/meta-data/iam/security-credentials/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-aws-ec2-metadata-token: {first}\r\n\r\n"
status, body = exchange(get.encode())
print(f"{len(tokens)} distinct tokens issued after the first; the first then gets {status} {body}")
assert status == 200 and body == "kura-ada", (status, body)
PY
pass "12,000 token requests do not invalidate an earlier token"
out=$(printf 'PUT /latest/api/token HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\nX-aws-ec2-metadata-token-ttl-seconds: 21600\r\n\r\n' "$IMDS_PORT" | raw "$IMDS_PORT")
assert_eq "$out" "400 closed close" "a repeated token TTL header is refused with 400"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  other=$(setpriv --reuid=65534 --regid=65534 --clear-groups curl -s -o /dev/null -w '%{http_code}' -X PUT \
    -H "X-aws-ec2-metadata-token-ttl-seconds: 60" "$IMDS_URL/latest/api/token" || true)
  case "$other" in 403 | 000) pass "another user gets no IMDS token ($other)" ;;
    *) fail "another user gets no IMDS token: got $other" ;; esac
fi
token=$(curl -s -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" "$IMDS_URL/latest/api/token")
assert_eq "${#token}" "64" "its own user still gets IMDS tokens"
