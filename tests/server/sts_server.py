#!/usr/bin/env python3
"""A small STS endpoint for kura's tests, for what moto_server does not do.

Gaps it fills (moto 5.2 verifies SigV4 but):
  * moto accepts any MFA TokenCode; this server checks TOTP codes (RFC 6238) against each virtual device's
    seed, rejects a reused code, and answers with STS's real error messages;
  * moto's GetSessionToken returns fixed credentials that its own signature check then rejects; here every
    issued credential (GetSessionToken, AssumeRole, GetFederationToken) is usable for signed calls;
  * fault injection (5xx, throttling) and per-action call counts for the tests;
  * the console federation endpoint (moto has none): GET /federation?Action=getSigninToken checks that the
    Session JSON carries exactly credentials this server issued, that SessionDuration comes only with role
    sessions, and refuses GetSessionToken credentials as AWS does; Action=login redirects to Destination when
    it is on this server (a stand-in console page at /console/...).

Every request's SigV4 signature is recomputed with botocore's own signer (SigV4Auth) and compared in
constant time. Configuration is a JSON file:
  {"account": "123456789012",
   "users": [{"name": "alice", "access_key_id": "AKIA...", "secret_access_key": "...",
              "mfa_serial": "arn:aws:iam::123456789012:mfa/alice", "mfa_seed": "BASE32..."}],
   "roles": [{"arn": "arn:aws:iam::123456789012:role/admin", "max_duration": 3600, "require_mfa": true,
              "external_id": null}]}
Admin routes (unsigned, loopback only): GET /__admin/stats, POST /__admin/fail?status=503&count=2[&code=X]
[&message=TEXT] (the message is sent raw, so a test can play a hostile endpoint: escape sequences, markup),
POST /__admin/oversize?count=1&bytes=N (the next answers are N bytes of 200 OK), POST /__admin/expired?count=1
(the next credentials issued have already expired, as a skewed clock would see them),
POST /__admin/reset-stats, POST /__admin/forget-codes.
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import json
import secrets
import struct
import sys
import threading
import time
import urllib.parse
import portfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

NS = "https://sts.amazonaws.com/doc/2011-06-15/"
CHAINING_LIMIT = 3600


def totp(seed_b32, counter):
    key = base64.b32decode(seed_b32.upper() + "=" * (-len(seed_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


class StsError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class State:
    def __init__(self, config, session_seconds):
        self.lock = threading.Lock()
        self.account = config.get("account", "123456789012")
        self.users = {u["access_key_id"]: u for u in config.get("users", [])}
        self.roles = {r["arn"]: r for r in config.get("roles", [])}
        self.sessions = {}  # access key id -> dict(secret, token, kind, user, mfa, arn, expires)
        self.used_codes = set()
        self.federation = {}
        self.signin_tokens = set()
        self.stats = {}
        self.failures = []  # queued (status, code, message)
        self.oversize = []  # queued body sizes
        self.expired = 0  # how many of the next issued credentials are already expired
        self.session_seconds = session_seconds

    def issue(self, kind, user, mfa, arn, duration):
        key_id = "ASIA" + secrets.token_hex(8).upper()
        if self.session_seconds:
            duration = self.session_seconds
        if self.expired:
            self.expired -= 1
            duration = -600
        session = {"secret": secrets.token_urlsafe(30), "token": "KURATEST" + secrets.token_urlsafe(60),
                   "kind": kind, "user": user, "mfa": mfa, "arn": arn,
                   "expires": time.time() + duration}
        self.sessions[key_id] = session
        return key_id, session


def xml_credentials(action, key_id, session, extra=""):
    expires = datetime.datetime.fromtimestamp(session["expires"], datetime.timezone.utc)
    return (f'<{action}Response xmlns="{NS}"><{action}Result><Credentials>'
            f"<AccessKeyId>{key_id}</AccessKeyId><SecretAccessKey>{session['secret']}</SecretAccessKey>"
            f"<SessionToken>{session['token']}</SessionToken>"
            f"<Expiration>{expires.strftime('%Y-%m-%dT%H:%M:%SZ')}</Expiration></Credentials>{extra}"
            f"</{action}Result><ResponseMetadata><RequestId>{secrets.token_hex(8)}</RequestId>"
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

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        url = urllib.parse.urlparse(self.path)
        if url.path.startswith("/__admin/"):
            return self.admin(url)
        params = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        action = params.get("Action", "")
        with self.state.lock:
            self.state.stats[action] = self.state.stats.get(action, 0) + 1
            failure = self.state.failures.pop(0) if self.state.failures else None
            oversize = self.state.oversize.pop(0) if self.state.oversize else None
        if oversize:
            return self.reply(200, "<" + "x" * oversize + ">")
        try:
            if failure:
                raise StsError(failure[0], failure[1], failure[2])
            caller = self.authenticate(body)
            handler = {"GetSessionToken": self.get_session_token, "AssumeRole": self.assume_role,
                       "GetCallerIdentity": self.get_caller_identity,
                       "GetFederationToken": self.get_federation_token}.get(action)
            if not handler:
                raise StsError(400, "InvalidAction", f"Could not find operation {action}")
            with self.state.lock:
                self.reply(200, handler(caller, params))
        except StsError as e:
            self.reply(e.status, f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>{e.code}</Code>'
                                 f"<Message>{e.message}</Message></Error><RequestId>x</RequestId></ErrorResponse>")

    def admin(self, url):
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
        self.reply(200, "{}", "application/json")

    # --- signature -------------------------------------------------------------------------------
    def authenticate(self, body):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            raise StsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
        fields = dict(part.strip().split("=", 1) for part in auth[len("AWS4-HMAC-SHA256 "):].split(","))
        key_id, date, region, service, _ = fields["Credential"].split("/")
        signed = fields["SignedHeaders"].split(";")
        amz_date = self.headers.get("X-Amz-Date", "")
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        if abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) > 300:
            raise StsError(403, "SignatureDoesNotMatch",
                           f"Signature expired: {amz_date} is now earlier than the allowed window")
        token = self.headers.get("X-Amz-Security-Token")
        with self.state.lock:
            user = self.state.users.get(key_id)
            session = self.state.sessions.get(key_id)
        if user:
            secret, caller = user["secret_access_key"], {"kind": "user", "user": user, "mfa": False}
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
        if not hmac.compare_digest(expected, fields["Signature"]):
            raise StsError(403, "SignatureDoesNotMatch",
                           "The request signature we calculated does not match the signature you provided.")
        return caller

    # --- actions ---------------------------------------------------------------------------------
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
        arn = f"arn:aws:iam::{self.state.account}:user/{user['name']}"
        key_id, session = self.state.issue("session", user, mfa, arn, duration)
        return xml_credentials("GetSessionToken", key_id, session)

    def assume_role(self, caller, params):
        role = self.state.roles.get(params.get("RoleArn"))
        if not role:
            raise StsError(403, "AccessDenied", f"User is not authorized to perform: sts:AssumeRole on resource: "
                                                f"{params.get('RoleArn')}")
        mfa = caller.get("mfa", False) or self.check_mfa(caller.get("user"), params)
        if role.get("require_mfa") and not mfa:
            raise StsError(403, "AccessDenied", f"User: {caller.get('arn', 'user')} is not authorized to perform: "
                                                f"sts:AssumeRole on resource: {role['arn']}")
        if role.get("external_id") and params.get("ExternalId") != role["external_id"]:
            raise StsError(403, "AccessDenied", "not authorized to perform: sts:AssumeRole (ExternalId)")
        value = int(params.get("DurationSeconds", 3600))
        # Temporary callers (role sessions, and session-token callers as aws-vault documents) chain: 1 hour.
        if caller["kind"] != "user" and value > CHAINING_LIMIT:
            raise StsError(400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit "
                                                   "for roles assumed by role chaining.")
        if value > role.get("max_duration", 3600) or value < 900:
            raise StsError(400, "ValidationError",
                           "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        name = params.get("RoleSessionName", "")
        role_name = role["arn"].split("/")[-1]
        arn = f"arn:aws:sts::{self.state.account}:assumed-role/{role_name}/{name}"
        key_id, session = self.state.issue("role", caller.get("user"), mfa, arn, value)
        session["tags"] = {params[k]: params[k[:-3] + "Value"] for k in params if k.endswith(".Key")}
        extra = (f"<AssumedRoleUser><AssumedRoleId>AROA:{name}</AssumedRoleId><Arn>{arn}</Arn></AssumedRoleUser>"
                 f"{'<SourceIdentity>' + params['SourceIdentity'] + '</SourceIdentity>' if 'SourceIdentity' in params else ''}")
        return xml_credentials("AssumeRole", key_id, session, extra)

    def get_federation_token(self, caller, params):
        if caller["kind"] != "user":
            raise StsError(403, "AccessDenied", "Cannot call GetFederationToken with session credentials")
        duration = self.duration(params, 43200, 900, 129600, "DurationSeconds {value} out of range")
        name = params.get("Name", "")
        arn = f"arn:aws:sts::{self.state.account}:federated-user/{name}"
        key_id, session = self.state.issue("federated", caller["user"], False, arn, duration)
        return xml_credentials("GetFederationToken", key_id, session)

    def get_caller_identity(self, caller, params):
        arn = caller.get("arn") or f"arn:aws:iam::{self.state.account}:user/{caller['user']['name']}"
        return (f'<GetCallerIdentityResponse xmlns="{NS}"><GetCallerIdentityResult><Arn>{arn}</Arn>'
                f"<UserId>AIDATEST</UserId><Account>{self.state.account}</Account></GetCallerIdentityResult>"
                f"<ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></GetCallerIdentityResponse>")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--port-file", required=True, help="written with the port once listening")
    parser.add_argument("--session-seconds", type=int, default=0, help="override every issued lifetime")
    parser.add_argument("--trust-foreign-sessions", action="store_true",
                        help="federation: accept credentials this server did not issue (paired with moto)")
    args = parser.parse_args()
    with open(args.config) as f:
        Handler.state = State(json.load(f), args.session_seconds)
    Handler.state.trust_foreign = args.trust_foreign_sessions
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    portfile.serve(server, args.port_file)


if __name__ == "__main__":
    sys.exit(main())
