#!/usr/bin/env python3
"""A small STS and IAM endpoint for kura's tests, for what moto_server does not do.

Gaps it fills (moto 5.2 verifies SigV4 but):
  * moto accepts any MFA TokenCode; this server checks TOTP codes (RFC 6238) against each virtual device's
    seed, rejects a reused code, and answers with STS's real error messages;
  * moto's GetSessionToken returns fixed credentials that its own signature check then rejects; here every
    issued credential (GetSessionToken, AssumeRole, GetFederationToken) is usable for signed calls;
  * moto ignores most of a role's trust policy; here AssumeRole evaluates it as IAM does for a subset
    (below), with roles in several accounts, and the MFA context travels as in AWS: a GetSessionToken
    session made with an MFA code carries it (and its time), so does a role session assumed with
    SerialNumber+TokenCode, and role chaining keeps it (chained sessions: at most 1 hour);
  * IAM on the same port, signed for service iam in us-east-1: GetRole, ListRoles (paged) and
    UpdateAssumeRolePolicy (which AssumeRole honours at once), acting in the caller's account (a role session
    of account X works on X's roles), with IAM's XML, error shapes and messages (NoSuchEntity,
    MalformedPolicyDocument, AccessDenied), a simple deny list per role ("iam_denied"), and AWS's rule that
    GetSessionToken credentials call IAM only when made with MFA;
  * fault injection (5xx, throttling), latency (--delay-ms, /__admin/delay: concurrent calls overlap their
    delays) and per-action call counts for the tests;
  * the console federation endpoint (moto has none): GET /federation?Action=getSigninToken checks that the
    Session JSON carries exactly credentials this server issued, that SessionDuration comes only with role
    sessions, and refuses GetSessionToken credentials as AWS does; Action=login redirects to Destination when
    it is on this server (a stand-in console page at /console/...).

Every request's SigV4 signature is recomputed with botocore's own signer (SigV4Auth) for the service and
region of its credential scope (sts in any region, iam in us-east-1 only) and compared in constant time.
Configuration is a JSON file:
  {"account": "123456789012",
   "users": [{"name": "alice", "access_key_id": "AKIA...", "secret_access_key": "...",
              "mfa_serial": "arn:aws:iam::123456789012:mfa/alice", "mfa_seed": "BASE32...",
              "account": "123456789012", "iam_denied": []}],
   "roles": [{"arn": "arn:aws:iam::123456789012:role/admin", "max_duration": 3600, "require_mfa": true,
              "external_id": null, "trust_policy": {...}, "iam_denied": ["iam:UpdateAssumeRolePolicy"]}]}
  * "account" (top level, default 123456789012): the account of users without their own "account" key;
  * a role without "trust_policy" behaves as before: anyone known here may assume it, with an MFA context
    when "require_mfa", with ExternalId equal to "external_id" when that is set (GetRole shows this as the
    equivalent policy); its sessions' ARNs and GetCallerIdentity name the top-level account (an old quirk that
    tests rely on; IAM calls from them still act in the role's own account);
  * a role with "trust_policy" (a policy document object): AssumeRole allows when an Allow statement and no
    Deny statement match. Effect Allow/Deny; Action (string or list) matching sts:AssumeRole, with * wildcards
    ("sts:*", "*"); Principal "*" or {"AWS": one or a list of: "*", an account id or
    "arn:aws:iam::ACCT:root" (any user or role session of that account), a user ARN (that user, also its
    GetSessionToken sessions), a role ARN (sessions of that role), an assumed-role session ARN}; Condition
    operators Bool and BoolIfExists on aws:MultiFactorAuthPresent (present for temporary credentials and for
    calls made with an MFA code, absent for a long-term key without one, as in AWS), NumericLessThan on
    aws:MultiFactorAuthAge, StringEquals on sts:ExternalId (each also with IfExists). A statement that would
    apply but uses anything else (another operator or key, NotAction, NotPrincipal) denies the call and prints
    a note on stderr (fail closed). A refusal is AccessDenied "User: <caller ARN> is not authorized to
    perform: sts:AssumeRole on resource: <role ARN>". Its sessions' ARNs name the role's account;
  * "iam_denied" (on a role: for its sessions; on a user: for its keys and sessions): IAM actions refused
    with AccessDenied ("iam:*" style wildcards allowed). Everything else in the caller's own account is
    allowed; federated-user sessions may not call IAM.
Admin routes (unsigned, loopback only): GET /__admin/stats, POST /__admin/fail?status=503&count=2[&code=X]
[&message=TEXT] (the message is sent raw, so a test can play a hostile endpoint: escape sequences, markup),
POST /__admin/oversize?count=1&bytes=N (the next answers are N bytes of 200 OK), POST /__admin/expired?count=1
(the next credentials issued have already expired, as a skewed clock would see them),
POST /__admin/reset-stats, POST /__admin/forget-codes, POST /__admin/delay?ms=N (every signed call, STS or
IAM, waits N ms before it is answered; 0 turns it off), GET /__admin/role?arn=ARN (the role's current trust
policy as JSON; for a role without one, the equivalent policy; 404 for an unknown role), POST
/__admin/role?arn=ARN with a JSON role entry as body (as in "roles" above; "arn" may be left out) creates or
replaces that role.
"""
import argparse
import base64
import datetime
import fnmatch
import hashlib
import hmac
import json
import secrets
import struct
import sys
import threading
import time
import urllib.parse
import uuid
import portfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock
from xml.sax.saxutils import escape

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

NS = "https://sts.amazonaws.com/doc/2011-06-15/"
IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
CHAINING_LIMIT = 3600
DEFAULT_ACCOUNT = "123456789012"


def totp(seed_b32, counter):
    key = base64.b32decode(seed_b32.upper() + "=" * (-len(seed_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


class StsError(Exception):
    """An error answer; raw messages (injected ones) go out unescaped."""

    def __init__(self, status, code, message, raw=False):
        super().__init__(message)
        self.status, self.code, self.message, self.raw = status, code, message, raw


def arn_account(arn):
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def role_name(arn):
    return arn.split("/")[-1]


def role_path(arn):
    middle = arn.split(":", 5)[-1].split("/")[1:-1]
    return "/" + "/".join(middle) + "/" if middle else "/"


def iso(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_list(value):
    return value if isinstance(value, list) else [value]


def parse_policy(text):
    """A policy document from IAM's PolicyDocument parameter, or MalformedPolicyDocument as IAM says it."""
    try:
        doc = json.loads(text)
    except (TypeError, ValueError):
        raise StsError(400, "MalformedPolicyDocument", "This policy contains invalid Json")
    check_policy(doc)
    return doc


def check_policy(doc):
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    if not statements or not all(isinstance(s, dict) for s in as_list(statements)):
        raise StsError(400, "MalformedPolicyDocument", "Syntax errors in policy.")


def legacy_policy(role):
    """The trust policy equivalent to a role configured without one (require_mfa, external_id)."""
    statement = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    condition = {}
    if role.get("require_mfa"):
        condition["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
    if role.get("external_id"):
        condition["StringEquals"] = {"sts:ExternalId": role["external_id"]}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


# --- trust policy evaluation (the subset described above) ---------------------------------------------
SUPPORTED_CONDITIONS = {("bool", "aws:multifactorauthpresent"), ("numericlessthan", "aws:multifactorauthage"),
                        ("stringequals", "sts:externalid")}


class Unsupported(Exception):
    pass


def action_matches(patterns, action):
    return any(isinstance(p, str) and fnmatch.fnmatchcase(action.lower(), p.lower()) for p in as_list(patterns))


def principal_matches(principal, caller):
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        raise Unsupported(f"Principal {principal!r}")
    for entry in as_list(principal.get("AWS", [])):  # Service/Federated principals are never our callers
        if entry == "*" or entry in caller["principals"]:
            return True
        if entry in (caller["real_account"], f"arn:aws:iam::{caller['real_account']}:root"):
            return True
    return False


def condition_holds(operator, key, values, context):
    op = operator.lower()
    if_exists = op.endswith("ifexists")
    if if_exists:
        op = op[:-len("ifexists")]
    if (op, key.lower()) not in SUPPORTED_CONDITIONS:
        raise Unsupported(f"condition {operator} on {key}")
    actual = context.get(key.lower())
    if actual is None:
        return if_exists
    values = [str(v).lower() if isinstance(v, bool) else str(v) for v in as_list(values)]
    if op == "bool":
        return actual.lower() in [v.lower() for v in values]
    if op == "numericlessthan":
        def less(v):
            try:
                return float(actual) < float(v)
            except ValueError:
                return False
        return any(less(v) for v in values)
    return actual in values  # stringequals


def statement_applies(statement, action, caller, context):
    """Whether a statement matches this request (Unsupported when it cannot be evaluated)."""
    for key in ("NotAction", "NotPrincipal", "NotResource"):
        if key in statement:
            raise Unsupported(key)
    if not action_matches(statement.get("Action", []), action):
        return False
    if not principal_matches(statement.get("Principal"), caller):
        return False
    conditions = statement.get("Condition", {})
    if not isinstance(conditions, dict):
        raise Unsupported("Condition that is not an object")
    for operator, block in conditions.items():
        if not isinstance(block, dict):
            raise Unsupported(f"condition {operator}")
        for key, values in block.items():
            if not condition_holds(operator, key, values, context):
                return False
    return True


def trust_allows(policy, caller, context, role_arn):
    allowed = False
    for statement in as_list(policy.get("Statement", [])):
        try:
            applies = statement_applies(statement, "sts:AssumeRole", caller, context)
        except Unsupported as e:
            print(f"sts_server: trust policy of {role_arn}: unsupported {e}; denying (fail closed)",
                  file=sys.stderr, flush=True)
            return False
        if applies and statement.get("Effect") == "Deny":
            return False
        allowed = allowed or (applies and statement.get("Effect") == "Allow")
    return allowed


class State:
    def __init__(self, config, session_seconds):
        self.lock = threading.Lock()
        self.account = config.get("account", DEFAULT_ACCOUNT)
        self.users = {u["access_key_id"]: u for u in config.get("users", [])}
        self.roles = {}
        for role in config.get("roles", []):
            self.add_role(role)
        self.sessions = {}  # access key id -> dict(secret, token, kind, user, mfa, arn, expires, ...)
        self.used_codes = set()
        self.federation = {}
        self.signin_tokens = set()
        self.stats = {}
        self.failures = []  # queued (status, code, message)
        self.oversize = []  # queued body sizes
        self.expired = 0  # how many of the next issued credentials are already expired
        self.session_seconds = session_seconds
        self.delay_ms = 0
        self.trust_foreign = False

    def add_role(self, entry):
        role = dict(entry)
        if role.get("trust_policy") is None:
            role.pop("trust_policy", None)  # null: as if absent
        else:
            check_policy(role["trust_policy"])
        role["_legacy_arn"] = "trust_policy" not in role  # sessions named in the top-level account
        role["_created"] = time.time()
        role["_id"] = "AROA" + base64.b32encode(hashlib.sha256(role["arn"].encode()).digest()).decode()[:17]
        self.roles[role["arn"]] = role
        return role

    def user_account(self, user):
        return user.get("account", self.account) if user else self.account

    def user_arn(self, user):
        return f"arn:aws:iam::{self.user_account(user)}:user/{user['name']}"

    def issue(self, kind, user, mfa, arn, duration, **extra):
        key_id = "ASIA" + secrets.token_hex(8).upper()
        if self.session_seconds:
            duration = self.session_seconds
        if self.expired:
            self.expired -= 1
            duration = -600
        session = {"secret": secrets.token_urlsafe(30), "token": "KURATEST" + secrets.token_urlsafe(60),
                   "kind": kind, "user": user, "mfa": mfa, "arn": arn,
                   "expires": time.time() + duration}
        session.update(extra)
        self.sessions[key_id] = session
        return key_id, session


def xml_credentials(action, key_id, session, extra=""):
    return (f'<{action}Response xmlns="{NS}"><{action}Result><Credentials>'
            f"<AccessKeyId>{key_id}</AccessKeyId><SecretAccessKey>{session['secret']}</SecretAccessKey>"
            f"<SessionToken>{session['token']}</SessionToken>"
            f"<Expiration>{iso(session['expires'])}</Expiration></Credentials>{extra}"
            f"</{action}Result><ResponseMetadata><RequestId>{secrets.token_hex(8)}</RequestId>"
            f"</ResponseMetadata></{action}Response>")


def iam_response(action, result=""):
    body = f"<{action}Result>{result}</{action}Result>" if result is not None else ""
    return (f'<{action}Response xmlns="{IAM_NS}">{body}<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId>'
            f"</ResponseMetadata></{action}Response>")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State = None

    def log_message(self, fmt, *args):  # quiet; tests read stats instead
        pass

    def reply(self, status, body, content_type="text/xml"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.startswith("/__admin/stats"):
            with self.state.lock:
                return self.reply(200, json.dumps(self.state.stats), "application/json")
        if self.path.startswith("/__admin/federation"):
            with self.state.lock:
                return self.reply(200, json.dumps(self.state.federation), "application/json")
        url = urllib.parse.urlparse(self.path)
        if url.path == "/__admin/role":
            arn = dict(urllib.parse.parse_qsl(url.query)).get("arn", "")
            with self.state.lock:
                role = self.state.roles.get(arn)
                policy = role and (role.get("trust_policy") or legacy_policy(role))
            if not role:
                return self.reply(404, json.dumps({"error": f"no role {arn}"}), "application/json")
            return self.reply(200, json.dumps(policy), "application/json")
        if url.path == "/federation":
            return self.federation(dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True)))
        if url.path.startswith("/console"):
            return self.reply(200, "<html><head><title>kura console</title></head><body>signed in to the "
                                   "kura test console</body></html>", "text/html")
        self.reply(404, "not found", "text/plain")

    def federation(self, query):
        with self.state.lock:
            if query.get("Action") == "getSigninToken":
                try:
                    session = json.loads(query["Session"])
                except (KeyError, ValueError):
                    return self.reply(400, "bad Session", "text/plain")
                issued = self.state.sessions.get(session.get("sessionId", ""))
                if not issued and self.state.trust_foreign and set(session) == {"sessionId", "sessionKey", "sessionToken"}:
                    # --trust-foreign-sessions: credentials from moto, which this server cannot check
                    kind = "role" if session["sessionId"].startswith("ASIA") and query.get("SessionDuration") else "foreign"
                    issued = {"secret": session["sessionKey"], "token": session["sessionToken"], "kind": kind}
                if (not issued or set(session) != {"sessionId", "sessionKey", "sessionToken"}
                        or not hmac.compare_digest(session["sessionKey"], issued["secret"])
                        or not hmac.compare_digest(session["sessionToken"], issued["token"])):
                    return self.reply(400, "the Session does not carry credentials this server issued", "text/plain")
                if issued["kind"] == "session":
                    return self.reply(400, "session-token credentials cannot be federated", "text/plain")
                duration = query.get("SessionDuration")
                if duration is not None and issued["kind"] != "role":
                    return self.reply(400, "SessionDuration is only valid for role sessions", "text/plain")
                token = secrets.token_urlsafe(32)
                self.state.signin_tokens.add(token)
                self.state.federation = {"sessionId": session["sessionId"], "kind": issued["kind"],
                                         "SessionDuration": duration, "SigninToken": token}
                return self.reply(200, json.dumps({"SigninToken": token}), "application/json")
            if query.get("Action") == "login":
                if query.get("SigninToken") not in self.state.signin_tokens:
                    return self.reply(400, "unknown SigninToken", "text/plain")
                self.state.federation["login"] = {k: query.get(k) for k in ("Issuer", "Destination")}
                destination = query.get("Destination", "")
                self.send_response(302)
                self.send_header("Location", destination)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        self.reply(400, "unknown Action", "text/plain")

    def claimed_service(self):
        """The service named by the Authorization header's credential scope (unverified), for error shapes."""
        auth = self.headers.get("Authorization", "")
        marker = "Credential="
        if marker not in auth:
            return "sts"
        scope = auth.split(marker, 1)[1].split(",", 1)[0].split("/")
        return scope[3] if len(scope) == 5 else "sts"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        url = urllib.parse.urlparse(self.path)
        if url.path.startswith("/__admin/"):
            return self.admin(url, body)
        params = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        action = params.get("Action", "")
        with self.state.lock:
            self.state.stats[action] = self.state.stats.get(action, 0) + 1
            failure = self.state.failures.pop(0) if self.state.failures else None
            oversize = self.state.oversize.pop(0) if self.state.oversize else None
            delay = self.state.delay_ms
        if delay:
            time.sleep(delay / 1000)  # outside the lock: concurrent calls overlap their delays
        if oversize:
            return self.reply(200, "<" + "x" * oversize + ">")
        service = self.claimed_service()
        try:
            if failure:
                raise StsError(failure[0], failure[1], failure[2], raw=True)
            caller, service = self.authenticate(body)
            if service == "iam":
                handler = {"GetRole": self.get_role, "ListRoles": self.list_roles,
                           "UpdateAssumeRolePolicy": self.update_assume_role_policy}.get(action)
                if not handler:
                    raise StsError(400, "InvalidAction", f"Could not find operation {action} for version 2010-05-08")
            else:
                handler = {"GetSessionToken": self.get_session_token, "AssumeRole": self.assume_role,
                           "GetCallerIdentity": self.get_caller_identity,
                           "GetFederationToken": self.get_federation_token}.get(action)
                if not handler:
                    raise StsError(400, "InvalidAction", f"Could not find operation {action}")
            with self.state.lock:
                answer = handler(caller, params)
            self.reply(200, answer)
        except StsError as e:
            message = e.message if e.raw else escape(e.message)
            if service == "iam":
                self.reply(e.status, f'<ErrorResponse xmlns="{IAM_NS}"><Error><Type>Sender</Type><Code>{e.code}</Code>'
                                     f"<Message>{message}</Message></Error><RequestId>{uuid.uuid4()}</RequestId>"
                                     f"</ErrorResponse>")
            else:
                self.reply(e.status, f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>{e.code}</Code>'
                                     f"<Message>{message}</Message></Error><RequestId>x</RequestId></ErrorResponse>")

    def admin(self, url, body=""):
        query = dict(urllib.parse.parse_qsl(url.query))
        with self.state.lock:
            if url.path == "/__admin/fail":
                for _ in range(int(query.get("count", "1"))):
                    self.state.failures.append((int(query.get("status", "503")),
                                                query.get("code", "ServiceUnavailable"),
                                                query.get("message", "injected failure")))
            elif url.path == "/__admin/oversize":
                self.state.oversize += [int(query.get("bytes", "1000000"))] * int(query.get("count", "1"))
            elif url.path == "/__admin/expired":
                self.state.expired += int(query.get("count", "1"))
            elif url.path == "/__admin/reset-stats":
                self.state.stats = {}
            elif url.path == "/__admin/forget-codes":  # lets one test use the current code more than once
                self.state.used_codes = set()
            elif url.path == "/__admin/delay":
                try:
                    self.state.delay_ms = max(0, int(query.get("ms", "0")))
                except ValueError:
                    return self.reply(400, json.dumps({"error": "ms must be an integer"}), "application/json")
            elif url.path == "/__admin/role":
                try:
                    entry = json.loads(body)
                    if not isinstance(entry, dict):
                        raise ValueError("the body is not a JSON object")
                    arn = entry.setdefault("arn", query.get("arn"))
                    if not arn or (query.get("arn") and query["arn"] != arn):
                        raise ValueError("arn missing, or the query and the body name different roles")
                    role = self.state.add_role(entry)
                except (ValueError, StsError) as e:
                    return self.reply(400, json.dumps({"error": str(e)}), "application/json")
                return self.reply(200, json.dumps({"arn": role["arn"], "role_id": role["_id"]}), "application/json")
        self.reply(200, "{}", "application/json")

    # --- signature -------------------------------------------------------------------------------
    def authenticate(self, body):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            raise StsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
        try:
            fields = dict(part.strip().split("=", 1) for part in auth[len("AWS4-HMAC-SHA256 "):].split(","))
            key_id, date, region, service, _ = fields["Credential"].split("/")
            signed = fields["SignedHeaders"].split(";")
            signature = fields["Signature"]
        except (KeyError, ValueError):
            raise StsError(400, "IncompleteSignature", "Authorization header requires 'Credential', "
                                                       "'SignedHeaders' and 'Signature' parameters.")
        if service not in ("sts", "iam"):
            raise StsError(403, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'sts'.")
        if service == "iam" and region != "us-east-1":
            raise StsError(403, "SignatureDoesNotMatch", "Credential should be scoped to a valid region.")
        amz_date = self.headers.get("X-Amz-Date", "")
        try:
            when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            raise StsError(400, "IncompleteSignature", "Authorization requires a valid X-Amz-Date header.")
        if abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) > 300:
            raise StsError(403, "SignatureDoesNotMatch",
                           f"Signature expired: {amz_date} is now earlier than the allowed window")
        token = self.headers.get("X-Amz-Security-Token")
        with self.state.lock:
            user = self.state.users.get(key_id)
            session = self.state.sessions.get(key_id)
        if user:
            arn, account = self.state.user_arn(user), self.state.user_account(user)
            secret = user["secret_access_key"]
            caller = {"kind": "user", "user": user, "mfa": False, "arn": arn, "account": account,
                      "real_account": account, "principals": {arn}}
            if token:
                raise StsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        elif session:
            if not token or not hmac.compare_digest(token, session["token"]):
                raise StsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
            if session["expires"] < time.time():
                raise StsError(403, "ExpiredToken", "The security token included in the request is expired")
            secret, caller = session["secret"], dict(session)
        else:
            raise StsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        headers = {name: self.headers[name] for name in self.headers.keys()
                   if name.lower() in signed and name.lower() not in ("x-amz-date", "x-amz-security-token")}
        request = AWSRequest(method="POST", url=f"http://{self.headers['Host']}{self.path}", data=body, headers=headers)
        with mock.patch("botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)):
            SigV4Auth(Credentials(key_id, secret, token), service, region).add_auth(request)
        expected = request.headers["Authorization"].split("Signature=")[1]
        if not hmac.compare_digest(expected, signature):
            raise StsError(403, "SignatureDoesNotMatch",
                           "The request signature we calculated does not match the signature you provided.")
        return caller, service

    # --- STS actions -----------------------------------------------------------------------------
    def check_mfa(self, user, params):
        serial, code = params.get("SerialNumber"), params.get("TokenCode")
        if not serial:
            return False
        if not user or user.get("mfa_serial") != serial:
            raise StsError(403, "AccessDenied",
                           "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA "
                           "serial number is valid and associated with this user.")
        step = int(time.time()) // 30
        valid = {totp(user["mfa_seed"], step + d) for d in (-1, 0, 1)}
        if code not in valid or (serial, code) in self.state.used_codes:
            raise StsError(403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
        self.state.used_codes.add((serial, code))
        return True

    def duration(self, params, default, low, high, message):
        value = int(params.get("DurationSeconds", default))
        if value < low or value > high:
            raise StsError(400, "ValidationError", message.format(value=value))
        return value

    def get_session_token(self, caller, params):
        if caller["kind"] != "user":
            raise StsError(403, "AccessDenied", "Cannot call GetSessionToken with session credentials")
        mfa = self.check_mfa(caller["user"], params)
        duration = self.duration(params, 43200, 900, 129600,
                                 "1 validation error detected: Value '{value}' at 'durationSeconds' failed to satisfy "
                                 "constraint: Member must have value between 900 and 129600")
        user = caller["user"]
        key_id, session = self.state.issue("session", user, mfa, caller["arn"], duration,
                                           mfa_time=time.time() if mfa else None, account=caller["account"],
                                           real_account=caller["account"], principals={caller["arn"]})
        return xml_credentials("GetSessionToken", key_id, session)

    def assume_role(self, caller, params):
        role = self.state.roles.get(params.get("RoleArn"))
        if not role:
            raise StsError(403, "AccessDenied", f"User: {caller['arn']} is not authorized to perform: "
                                                f"sts:AssumeRole on resource: {params.get('RoleArn')}")
        if caller.get("mfa"):
            mfa, mfa_time = True, caller.get("mfa_time") or time.time()
        else:
            mfa = self.check_mfa(caller.get("user"), params)
            mfa_time = time.time() if mfa else None
        # The request context: aws:MultiFactorAuthPresent is absent for a long-term key used without a code.
        context = {}
        if caller["kind"] != "user" or mfa:
            context["aws:multifactorauthpresent"] = "true" if mfa else "false"
        if mfa:
            context["aws:multifactorauthage"] = str(int(time.time() - mfa_time))
        if "ExternalId" in params:
            context["sts:externalid"] = params["ExternalId"]
        policy = role.get("trust_policy") or legacy_policy(role)
        if not trust_allows(policy, caller, context, role["arn"]):
            raise StsError(403, "AccessDenied", f"User: {caller['arn']} is not authorized to perform: "
                                                f"sts:AssumeRole on resource: {role['arn']}")
        value = int(params.get("DurationSeconds", 3600))
        # Temporary callers (role sessions, and session-token callers as aws-vault documents) chain: 1 hour.
        if caller["kind"] != "user" and value > CHAINING_LIMIT:
            raise StsError(400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit "
                                                   "for roles assumed by role chaining.")
        if value > role.get("max_duration", 3600) or value < 900:
            raise StsError(400, "ValidationError",
                           "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        name = params.get("RoleSessionName", "")
        real_account = arn_account(role["arn"])
        account = self.state.account if role["_legacy_arn"] else real_account
        arn = f"arn:aws:sts::{account}:assumed-role/{role_name(role['arn'])}/{name}"
        key_id, session = self.state.issue(
            "role", caller.get("user"), mfa, arn, value, mfa_time=mfa_time, account=account,
            real_account=real_account, role_arn=role["arn"],
            principals={role["arn"], f"arn:aws:sts::{real_account}:assumed-role/{role_name(role['arn'])}/{name}"})
        session["tags"] = {params[k]: params[k[:-3] + "Value"] for k in params if k.endswith(".Key")}
        extra = (f"<AssumedRoleUser><AssumedRoleId>{role['_id']}:{name}</AssumedRoleId><Arn>{arn}</Arn>"
                 f"</AssumedRoleUser>"
                 f"{'<SourceIdentity>' + params['SourceIdentity'] + '</SourceIdentity>' if 'SourceIdentity' in params else ''}")
        return xml_credentials("AssumeRole", key_id, session, extra)

    def get_federation_token(self, caller, params):
        if caller["kind"] != "user":
            raise StsError(403, "AccessDenied", "Cannot call GetFederationToken with session credentials")
        duration = self.duration(params, 43200, 900, 129600, "DurationSeconds {value} out of range")
        name = params.get("Name", "")
        arn = f"arn:aws:sts::{caller['account']}:federated-user/{name}"
        key_id, session = self.state.issue("federated", caller["user"], False, arn, duration,
                                           account=caller["account"], real_account=caller["account"],
                                           principals={arn})
        return xml_credentials("GetFederationToken", key_id, session)

    def get_caller_identity(self, caller, params):
        return (f'<GetCallerIdentityResponse xmlns="{NS}"><GetCallerIdentityResult><Arn>{caller["arn"]}</Arn>'
                f"<UserId>AIDATEST</UserId><Account>{caller['account']}</Account></GetCallerIdentityResult>"
                f"<ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></GetCallerIdentityResponse>")

    # --- IAM actions -----------------------------------------------------------------------------
    def iam_authorize(self, caller, action, resource):
        """The account the caller's IAM call acts in, or the error IAM would give."""
        denied = f"User: {caller['arn']} is not authorized to perform: {action} on resource: {resource}"
        if caller["kind"] == "session" and not caller.get("mfa"):
            # AWS: GetSessionToken credentials call IAM only when made with MFA.
            raise StsError(403, "InvalidClientTokenId", "The security token included in the request is invalid")
        if caller["kind"] == "federated":
            raise StsError(403, "AccessDenied", denied)
        if caller["kind"] == "role":
            entry = self.state.roles.get(caller["role_arn"]) or {}
        else:
            entry = caller.get("user") or {}
        if action_matches(entry.get("iam_denied", []), action):
            raise StsError(403, "AccessDenied", f"{denied} because no identity-based policy allows the {action} action")
        return caller["real_account"]

    def find_role(self, account, name):
        for arn, role in self.state.roles.items():
            if arn_account(arn) == account and role_name(arn) == name:
                return role
        raise StsError(404, "NoSuchEntity", f"The role with name {name} cannot be found.")

    @staticmethod
    def role_xml(role):
        policy = role.get("trust_policy") or legacy_policy(role)
        document = urllib.parse.quote(json.dumps(policy, separators=(",", ":")))
        arn = role["arn"]
        return (f"<Path>{escape(role_path(arn))}</Path><RoleName>{escape(role_name(arn))}</RoleName>"
                f"<RoleId>{role['_id']}</RoleId><Arn>{escape(arn)}</Arn><CreateDate>{iso(role['_created'])}</CreateDate>"
                f"<AssumeRolePolicyDocument>{document}</AssumeRolePolicyDocument>"
                f"<MaxSessionDuration>{int(role.get('max_duration', 3600))}</MaxSessionDuration>")

    def get_role(self, caller, params):
        name = params.get("RoleName", "")
        account = self.iam_authorize(caller, "iam:GetRole", f"role {name}")
        role = self.find_role(account, name)
        return iam_response("GetRole", f"<Role>{self.role_xml(role)}</Role>")

    def list_roles(self, caller, params):
        account = self.iam_authorize(caller, "iam:ListRoles", f"arn:aws:iam::{caller['real_account']}:role/")
        prefix = params.get("PathPrefix", "/")
        try:
            max_items = int(params.get("MaxItems", "100"))
        except ValueError:
            max_items = 0
        if not 1 <= max_items <= 1000:
            raise StsError(400, "ValidationError", f"1 validation error detected: Value '{params.get('MaxItems')}' at "
                                                   f"'maxItems' failed to satisfy constraint: Member must have value "
                                                   f"between 1 and 1000")
        roles = sorted((r for arn, r in self.state.roles.items()
                        if arn_account(arn) == account and role_path(arn).startswith(prefix)),
                       key=lambda r: r["arn"])
        if "Marker" in params:
            try:
                start = base64.urlsafe_b64decode(params["Marker"].encode()).decode()
            except ValueError:
                raise StsError(400, "ValidationError", "Invalid Marker.")
            roles = [r for r in roles if r["arn"] >= start]
        page, rest = roles[:max_items], roles[max_items:]
        members = "".join(f"<member>{self.role_xml(r)}</member>" for r in page)
        more = (f"<IsTruncated>true</IsTruncated>"
                f"<Marker>{base64.urlsafe_b64encode(rest[0]['arn'].encode()).decode()}</Marker>") if rest \
            else "<IsTruncated>false</IsTruncated>"
        return iam_response("ListRoles", f"<Roles>{members}</Roles>{more}")

    def update_assume_role_policy(self, caller, params):
        name = params.get("RoleName", "")
        account = self.iam_authorize(caller, "iam:UpdateAssumeRolePolicy", f"role {name}")
        role = self.find_role(account, name)
        if "PolicyDocument" not in params:
            raise StsError(400, "ValidationError", "1 validation error detected: Value null at 'policyDocument' "
                                                   "failed to satisfy constraint: Member must not be null")
        role["trust_policy"] = parse_policy(params["PolicyDocument"])
        return iam_response("UpdateAssumeRolePolicy", None)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many callers at once (benchmarks, concurrency tests) are not refused


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--port-file", required=True, help="written with the port once listening")
    parser.add_argument("--session-seconds", type=int, default=0, help="override every issued lifetime")
    parser.add_argument("--trust-foreign-sessions", action="store_true",
                        help="federation: accept credentials this server did not issue (paired with moto)")
    parser.add_argument("--delay-ms", type=int, default=0,
                        help="wait this long before answering each signed call (STS and IAM), as a network would")
    args = parser.parse_args()
    with open(args.config) as f:
        try:
            Handler.state = State(json.load(f), args.session_seconds)
        except StsError as e:
            parser.error(f"{args.config}: a trust_policy: {e.message}")
    Handler.state.trust_foreign = args.trust_foreign_sessions
    Handler.state.delay_ms = max(0, args.delay_ms)
    server = Server(("127.0.0.1", 0), Handler)
    portfile.serve(server, args.port_file)


if __name__ == "__main__":
    sys.exit(main())
