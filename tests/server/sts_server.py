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
  * a user's own credentials, for rotation and MFA enrolment, details under "IAM users": access keys (moto
    accepts an Inactive key and makes a new key usable at once): GetUser, ListAccessKeys, CreateAccessKey (two
    keys per user at most), UpdateAccessKey, DeleteAccessKey and GetAccessKeyLastUsed, with an Inactive or
    deleted key refused by every signed call and a new key refused for "new_key_delay_ms" as IAM's eventual
    consistency does; virtual MFA devices (moto takes any codes at EnableMFADevice and none at GetSessionToken):
    CreateVirtualMFADevice, EnableMFADevice (two consecutive TOTP codes of the device's seed), ListMFADevices,
    ListVirtualMFADevices, DeactivateMFADevice and DeleteVirtualMFADevice, an enabled device then checked by
    GetSessionToken and AssumeRole; and "iam_requires_mfa", AWS's usual policy that forces MFA;
  * fault injection (5xx, throttling), latency (--delay-ms, /__admin/delay: concurrent calls overlap their
    delays) and per-action call counts for the tests;
  * the console federation endpoint (moto has none): GET /federation?Action=getSigninToken checks that the
    Session JSON carries exactly credentials this server issued, that SessionDuration comes only with role
    sessions, and refuses GetSessionToken credentials as AWS does; Action=login redirects to Destination when
    it is on this server (a stand-in console page at /console/...);
  * IAM Identity Center (moto 5.2 has neither the sso-oidc nor the sso portal service, only sso-admin and
    identitystore, so no login flow at all): the SSO OIDC API
    (RegisterClient, StartDeviceAuthorization, CreateToken with the device-code, authorization-code + PKCE and
    refresh-token grants), its browser-facing /authorize and device verification pages, and the SSO portal
    API (GetRoleCredentials, ListAccounts, ListAccountRoles, Logout); details under "IAM Identity Center";
  * AssumeRoleWithWebIdentity (moto never reads WebIdentityToken): the token must be one configured here; see
    "web_identity_tokens".

Every STS and IAM request's SigV4 signature is recomputed with botocore's own signer (SigV4Auth) for the service
and region of its credential scope (sts in any region, iam in us-east-1 only) and compared in constant time; the
calls AWS takes unsigned (AssumeRoleWithWebIdentity, the OIDC and portal APIs) are not signed here either.
Configuration is a JSON file:
  {"account": "123456789012", "new_key_delay_ms": 0, "mfa_devices_per_user": 8, "mfa_seeds": ["BASE32..."],
   "users": [{"name": "alice", "access_key_id": "AKIA...", "secret_access_key": "...",
              "mfa_serial": "arn:aws:iam::123456789012:mfa/alice", "mfa_seed": "BASE32...",
              "account": "123456789012", "iam_denied": [], "iam_requires_mfa": false,
              "access_keys": [{"access_key_id": "AKIA...", "secret_access_key": "...", "status": "Inactive"}]}],
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
    allowed (but a user acts only on itself: "IAM users" below); federated-user sessions may not call IAM.
  * "web_identity_tokens": {"TOKEN": {"sub": "system:serviceaccount:ns:app", "aud": "sts.amazonaws.com",
    "provider": "idp.example.com", "roles": ["arn:aws:iam::...:role/x"], "expired": false}}: the tokens
    AssumeRoleWithWebIdentity accepts (compared in constant time, byte for byte: no whitespace is stripped).
    The call is unsigned (an Authorization header, if any, is ignored); RoleArn must be a role configured here
    and, when the token has "roles", one of them (no trust policy is evaluated for web identities); otherwise
    AccessDenied "Not authorized to perform sts:AssumeRoleWithWebIdentity". An unknown token is
    InvalidIdentityToken, an "expired" one ExpiredTokenException (both 400); RoleSessionName must match
    [\w+=,.@-]{2,64} and DurationSeconds (default 3600) lie in 900..the role's max_duration (ValidationError).
    The session is named as AssumeRole names it, counts as a role session everywhere (IAM, chaining,
    federation), and the answer carries SubjectFromWebIdentityToken ("sub"), Provider and Audience.

IAM users. Each entry of "users" is an IAM user of its account (names unique within an account):
  * "access_key_id"/"secret_access_key" (optional) is its first key; "access_keys": [{"access_key_id": ...,
    "secret_access_key": ..., "status": "Active" or "Inactive"}] gives it more (two in all at most, as IAM allows;
    not checked in the config);
  * the user actions take UserName and default to the caller's own user. A user's key or session may act only
    on that user (another name: AccessDenied "User: <caller ARN> is not authorized to perform: iam:<Action> on
    resource: user <name> because no identity-based policy allows the iam:<Action> action"); a role session may
    act on any user of its account and must name one (else ValidationError "Must specify userName when calling
    with non-User credentials"); an unknown user is NoSuchEntity (404) "The user with name <name> cannot be
    found."; "iam_denied" applies to these actions as to the others;
  * GetUser: Path "/", UserName, UserId (AIDA...), Arn, CreateDate (when the server started);
  * ListAccessKeys: AccessKeyMetadata (UserName, AccessKeyId, Status, CreateDate) in creation order, never paged;
  * CreateAccessKey: an AKIA id of 20 characters and a 40-character secret, Active. A user who has two keys
    (Active or Inactive) gets LimitExceeded (409) "Cannot exceed quota for AccessKeysPerUser: 2". The new key
    is refused by every signed call, STS and IAM, with InvalidClientTokenId "The security token included in
    the request is invalid." (403) until "new_key_delay_ms" (top level, default 0; POST /__admin/new-key-delay
    changes it for keys created from then on) has passed since its creation: IAM's eventual consistency;
  * UpdateAccessKey: Status Active or Inactive (else ValidationError). An Inactive key is refused by every
    signed call with InvalidClientTokenId, as is a deleted one; DeleteAccessKey removes the key at once.
    Sessions already made from such a key (GetSessionToken, AssumeRole) work until they expire, as in AWS. A
    key id that is not the user's: NoSuchEntity (404) "The Access Key with id <id> cannot be found.";
  * GetAccessKeyLastUsed (AccessKeyId; the key's user must be one the caller may act on): UserName and
    AccessKeyLastUsed (LastUsedDate, ServiceName sts or iam, Region) of the last signed call that passed the
    signature check; ServiceName and Region "N/A" and no date for a key never used;
  * "mfa_serial" and "mfa_seed" (base32) on a user: a virtual MFA device already enabled for it (an unassigned
    device after DeactivateMFADevice). CreateVirtualMFADevice (VirtualMFADeviceName matching [\w+=,.@-]{1,226},
    Path "/" or "/.../", else ValidationError) acts in the caller's account: SerialNumber
    arn:aws:iam::ACCOUNT:mfa<Path><Name>, Base32StringSeed the seed's base32 text base64-encoded (boto3 hands
    out the base32 bytes; AWS's blob encoding), the next of "mfa_seeds" (top level; POST /__admin/mfa-seed adds
    one) or else 64 random base32 characters, and QRCodePNG a valid 1x1 PNG, not a QR code. A serial already
    there: EntityAlreadyExists (409) "MFADevice entity at the same path and name already exists.";
  * EnableMFADevice (UserName as the other user actions; codes of 6 digits, else ValidationError): an unknown
    serial is NoSuchEntity (404) "VirtualMFADevice with serial number <serial> doesn't exist."; a device any
    user has enabled, EntityAlreadyExists (409) "MFA Device is already in use."; a user who already has
    "mfa_devices_per_user" devices enabled (top level, default 8 as AWS allows today; 1 plays the older rule),
    LimitExceeded (409) "Cannot exceed quota for MFADevicesPerUser: <n>". AuthenticationCode1 and 2 must be
    two consecutive codes of the seed, each within one 30-second step of the server's clock (the skew allowed
    for TokenCode): the current and the next, or the previous and the current; anything else is
    InvalidAuthenticationCode (403) "Authentication code for device is not valid.". Both codes are then spent
    (the reused-code refusal applies; POST /__admin/forget-codes resets it), and from then on GetSessionToken
    and AssumeRole with SerialNumber=<serial> check TokenCode against this device;
  * ListMFADevices (MFADevices: UserName, SerialNumber, EnableDate), ListVirtualMFADevices (AssignmentStatus
    Assigned, Unassigned or Any, the default; SerialNumber, and User and EnableDate when enabled; the caller's
    account), neither paged; DeactivateMFADevice (UserName, SerialNumber; a device the user has not enabled:
    NoSuchEntity (404) "MFA Device with serial number <serial> does not exist.") leaves the device unassigned;
    DeleteVirtualMFADevice of an enabled device is DeleteConflict (409) "MFA Device is still in use.", of an
    unknown one NoSuchEntity as above. The wordings of "already in use", "does not exist" and "still in use"
    follow what users report of AWS but are not checked against it;
  * "iam_requires_mfa": true on a user plays AWS's example policy that forces MFA (a Deny of everything but
    iam:CreateVirtualMFADevice, EnableMFADevice, GetUser, ListMFADevices, ListVirtualMFADevices and
    ResyncMFADevice when aws:MultiFactorAuthPresent is false or absent): any other IAM action signed with the
    user's long-term key is AccessDenied "User: <user ARN> is not authorized to perform: iam:<Action> on
    resource: <resource> with an explicit deny in an identity-based policy", so a key can still enrol its
    first MFA device (but not deactivate or delete one, as AWS's policy intends). A GetSessionToken session
    made with MFA may do everything; one made without MFA is refused for every IAM action whatever the flag
    (InvalidClientTokenId, AWS's rule above). STS actions and the user's role sessions are not affected.

IAM Identity Center. The config's "sso" object (every key optional; the routes exist without it):
  {"start_url": "https://kura-test.awsapps.com/start", "user": "kura-user", "access_token_ttl": 3600,
   "refresh": true, "client_ttl": 7776000, "device_code_ttl": 600, "interval": 1, "page_size": 20,
   "role_session_seconds": 3600,
   "accounts": [{"id": "111111111111", "name": "dev", "email": "dev@example.com", "roles": ["Admin", "ReadOnly"]}]}
  * "accounts": what the one signed-in user ("user") is assigned: ListAccounts answers them in this order,
    ListAccountRoles the roles of one (an account not assigned: an empty list), and GetRoleCredentials issues
    credentials only for these pairs (anything else: 403 ForbiddenException "No access", as the portal says);
  * OIDC (the sso-oidc rest-json API at botocore's paths; no signature): POST /client/register needs clientName
    and clientType "public" (else InvalidClientMetadataException); grantTypes, when given, must be among
    authorization_code, refresh_token and urn:ietf:params:oauth:grant-type:device_code
    (UnsupportedGrantTypeException) and limit what /token and /authorize accept (UnauthorizedClientException);
    without grantTypes a client may use device_code and refresh_token. authorization_code needs redirectUris
    (http on a loopback host, or https; else InvalidRedirectUriException); a loopback redirect matches at any
    port (RFC 8252), as the AWS CLI registers http://127.0.0.1/oauth/callback and listens on an ephemeral port.
    The answer: clientId, clientSecret, clientIdIssuedAt and clientSecretExpiresAt (epoch seconds,
    "client_ttl" later); after that the client is InvalidClientException (401), as is an unknown clientId or a
    wrong clientSecret anywhere. issuerUrl is recorded (GET /__admin/sso shows it), not checked;
  * POST /device_authorization (StartDeviceAuthorization): startUrl must equal "start_url" (a trailing "/"
    aside; else InvalidRequestException); answers deviceCode, userCode (ABCD-EFGH), verificationUri
    (http://127.0.0.1:PORT/device), verificationUriComplete (.../device?user_code=...), expiresIn
    ("device_code_ttl") and interval ("interval");
  * GET /device?user_code=... is the verification page: fetching it approves that device code (the test
    "browser" only fetches URLs); without a known code it is a 404 page;
  * GET /authorize?response_type=code&client_id=...&redirect_uri=...&state=...&code_challenge=...
    &code_challenge_method=S256&scopes=... approves at once and answers 302 to redirect_uri?code=...&state=...
    (code valid 5 minutes, once). An unknown client or an unregistered redirect_uri gets a 400 page and no
    redirect (a provider must not redirect to an unverified address); other faults redirect with error=
    (unsupported_response_type, invalid_request for a missing challenge or a method other than S256,
    unauthorized_client, access_denied after /__admin/sso/deny) and the state;
  * POST /token (CreateToken), clientId and clientSecret checked first. grantType
    urn:ietf:params:oauth:grant-type:device_code with deviceCode: AuthorizationPendingException until the page
    was fetched, SlowDownException when polled sooner than "interval" seconds after the previous poll (the
    interval itself does not grow), ExpiredTokenException after expiresIn, AccessDeniedException when denied;
    authorization_code with code, redirectUri (equal to the one given to /authorize) and codeVerifier
    (base64url(sha256(verifier)) must equal the code_challenge); refresh_token with refreshToken: a new
    accessToken and a new refreshToken, the old refresh token refused from then on (the old access token
    lives on until it expires). A code, device code or refresh token that is unknown, used, revoked or
    another client's: InvalidGrantException; any other grantType: UnsupportedGrantTypeException. Answers
    accessToken, tokenType "Bearer", expiresIn ("access_token_ttl") and, when "refresh" is true and the client
    registered scopes (as AWS issues refresh tokens only to clients registered with scopes), refreshToken.
    Errors are OIDC's shape: HTTP 400 (401 for InvalidClientException), header x-amzn-ErrorType naming the
    exception, body {"error": "authorization_pending", "error_description": "..."};
  * the portal (the sso rest-json API; the access token in the x-amz-sso_bearer_token header): GET
    /federation/credentials?account_id=...&role_name=... answers {"roleCredentials": {accessKeyId,
    secretAccessKey, sessionToken, expiration (epoch milliseconds)}}, valid "role_session_seconds" (or
    --session-seconds; /__admin/expired applies) and usable for signed STS/IAM calls here like AssumeRole's:
    GetCallerIdentity says arn:aws:sts::ACCOUNT:assumed-role/AWSReservedSSO_ROLE_HASH/USER, HASH being the
    first 16 hex digits of sha256("ACCOUNT/ROLE"), the role ARN
    arn:aws:iam::ACCOUNT:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ROLE_HASH (a chained AssumeRole
    trusts it as a role session of ACCOUNT). GET /assignment/accounts (accountList of accountId, accountName,
    emailAddress) and GET /assignment/roles?account_id=... (roleList of roleName, accountId) page with
    max_result (1..100; default "page_size") and an opaque next_token (an invalid one:
    InvalidRequestException). POST /logout ends the sign-in: its access and refresh tokens stop working
    (role credentials already issued do not). A missing, unknown, expired or logged-out token: 401
    UnauthorizedException "Session token not found or invalid". Errors carry x-amzn-ErrorType and
    {"message": "..."}.
  * /__admin/fail, /__admin/oversize and /__admin/delay apply to the OIDC and portal API calls too (a failure
    in their JSON error shape), never to the /authorize and /device pages.

Admin routes (unsigned, loopback only): GET /__admin/stats, POST /__admin/fail?status=503&count=2[&code=X]
[&message=TEXT] (the message is sent raw, so a test can play a hostile endpoint: escape sequences, markup),
POST /__admin/oversize?count=1&bytes=N (the next answers are N bytes of 200 OK), POST /__admin/expired?count=1
(the next credentials issued have already expired, as a skewed clock would see them),
POST /__admin/reset-stats, POST /__admin/forget-codes, POST /__admin/delay?ms=N (every signed call, STS or
IAM, waits N ms before it is answered; 0 turns it off), POST /__admin/new-key-delay?ms=N (sets
"new_key_delay_ms"), POST /__admin/mfa-seed?seed=BASE32 (queues the seed of a coming CreateVirtualMFADevice,
so a test knows the codes in advance), GET /__admin/user?name=NAME[&account=ACCT] (404 for an unknown user; else
{"name", "account", "arn", "iam_requires_mfa", "access_keys": [{"access_key_id", "status", "created", "usable_at",
"last_used": null or {"date", "service", "region"}}], "mfa_devices": [{"serial", "enabled_at"}] (the user's enabled
devices, oldest first), "enabled_serial" (the latest of them, or null), "unassigned_mfa_devices" (serials of the
account's virtual devices no user has enabled)}: never a secret or a seed), GET /__admin/role?arn=ARN (the
role's current trust policy as JSON; for a role without one, the equivalent policy; 404 for an unknown role), POST
/__admin/role?arn=ARN with a JSON role entry as body (as in "roles" above; "arn" may be left out) creates or
replaces that role. For IAM Identity Center: GET /__admin/sso ({"calls": counts of register,
device_authorization, token (by grant: device_code, authorization_code, refresh_token, other), token_issued (by
grant), authorize, device_verification, get_role_credentials, list_accounts, list_account_roles, logout;
"clients"; "tokens": the access tokens that still work, each with its refresh token, client_id, grant and
expires_at}), POST /__admin/sso/expire-access-tokens (every access token issued so far has expired, so a client
must refresh), POST /__admin/sso/revoke-refresh-tokens (every refresh token issued so far is refused, so a client
must log in again), POST /__admin/sso/expire-device-codes, POST /__admin/sso/expire-clients (registrations end
now: InvalidClientException, so a client must register again), POST /__admin/sso/deny?count=1 (the next
approvals, by /authorize or the device page, are refusals: access_denied). POST /__admin/reset-stats also
zeroes the SSO counts.
"""
import argparse
import base64
import datetime
import fnmatch
import hashlib
import hmac
import json
import re
import secrets
import struct
import sys
import threading
import time
import urllib.parse
import uuid
import zlib
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
ACCESS_KEYS_PER_USER = 2
# What AWS's example policy that forces MFA (DenyAllExceptListedIfNoMFA) lets a user do without it.
MFA_SELF_SERVICE = {"iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices",
                    "iam:ListVirtualMFADevices", "iam:ResyncMFADevice"}
DEFAULT_ACCOUNT = "123456789012"


def totp(seed_b32, counter):
    key = base64.b32decode(seed_b32.upper() + "=" * (-len(seed_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def totp_window(seed_b32, steps=1):
    """The runs of `steps` consecutive codes the server accepts now: each code within one 30-second step of
    the server's clock (RFC 6238's recommended skew), as for TokenCode."""
    now = int(time.time()) // 30
    return [[totp(seed_b32, now + d + i) for i in range(steps)] for d in range(-1, 2 - steps + 1)]


def tiny_png():
    """A valid 1x1 PNG, standing in for QRCodePNG (kura draws its own QR code from the otpauth URI)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff")) + chunk(b"IEND", b""))


class StsError(Exception):
    """An error answer; raw messages (injected ones) go out unescaped."""

    def __init__(self, status, code, message, raw=False):
        super().__init__(message)
        self.status, self.code, self.message, self.raw = status, code, message, raw


def arn_account(arn):
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def entity_id(prefix, arn):
    """A stable IAM unique id (AROA... for a role, AIDA... for a user) derived from the entity's ARN."""
    return prefix + base64.b32encode(hashlib.sha256(arn.encode()).digest()).decode()[:17]


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



# --- IAM Identity Center: OIDC and the portal --------------------------------------------------------------
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
GRANT_NAMES = {DEVICE_GRANT: "device_code", "authorization_code": "authorization_code",
               "refresh_token": "refresh_token"}
OIDC_ERRORS = {"AuthorizationPendingException": "authorization_pending", "SlowDownException": "slow_down",
               "ExpiredTokenException": "expired_token", "InvalidGrantException": "invalid_grant",
               "InvalidClientException": "invalid_client", "AccessDeniedException": "access_denied",
               "UnauthorizedClientException": "unauthorized_client",
               "UnsupportedGrantTypeException": "unsupported_grant_type", "InvalidScopeException": "invalid_scope",
               "InvalidRequestException": "invalid_request",
               "InvalidClientMetadataException": "invalid_client_metadata",
               "InvalidRedirectUriException": "invalid_redirect_uri"}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
AUTH_CODE_SECONDS = 300
SSO_UNAUTHORIZED = "Session token not found or invalid"


def find_secret(table, value):
    """The entry whose key equals value, compared in constant time (the tables are small)."""
    found = None
    if isinstance(value, str):
        for key, entry in table.items():
            if hmac.compare_digest(key.encode(), value.encode()):
                found = entry
    return found


def pkce_challenge(verifier):
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def redirect_allowed(registered, uri):
    """Whether a redirect URI was registered; a loopback one matches at any port (RFC 8252 section 7.3)."""
    try:
        want = urllib.parse.urlparse(uri)
        want.port  # noqa: B018 -- raises on a malformed port
    except ValueError:
        return False
    for entry in registered:
        have = urllib.parse.urlparse(entry)
        if (want.scheme, want.path, want.query) != (have.scheme, have.path, have.query):
            continue
        if want.netloc == have.netloc:
            return True
        if want.scheme == "http" and want.hostname in LOOPBACK_HOSTS and want.hostname == have.hostname:
            return True
    return False


def redirect_uri_valid(uri):
    try:
        url = urllib.parse.urlparse(uri)
        url.port  # noqa: B018
    except (ValueError, TypeError, AttributeError):
        return False
    return bool(url.hostname) and (url.scheme == "https" or (url.scheme == "http" and url.hostname in LOOPBACK_HOSTS))


def page_token(index):
    return base64.urlsafe_b64encode(f"kura-page:{index}".encode()).decode()


def page_of(items, query, default_size):
    """One page of items by max_result and next_token, as the portal pages; next_token or None."""
    try:
        size = int(query.get("max_result", default_size))
    except ValueError:
        size = 0
    if not 1 <= size <= 100:
        raise StsError(400, "InvalidRequestException", "max_result must be between 1 and 100")
    start = 0
    if "next_token" in query:
        try:
            text = base64.urlsafe_b64decode(query["next_token"].encode()).decode()
            if not text.startswith("kura-page:"):
                raise ValueError(text)
            start = int(text.split(":", 1)[1])
        except ValueError:
            raise StsError(400, "InvalidRequestException", "Invalid next token")
    end = start + size
    return items[start:end], (page_token(end) if end < len(items) else None)


class SsoState:
    """IAM Identity Center's side: registered clients, device codes, authorization codes, tokens, counts."""

    def __init__(self, config):
        self.start_url = config.get("start_url", "https://kura-test.awsapps.com/start")
        self.user = config.get("user", "kura-user")
        self.access_ttl = int(config.get("access_token_ttl", 3600))
        self.refresh = bool(config.get("refresh", True))
        self.client_ttl = int(config.get("client_ttl", 90 * 86400))
        self.device_ttl = int(config.get("device_code_ttl", 600))
        self.interval = int(config.get("interval", 1))
        self.page_size = int(config.get("page_size", 20))
        self.role_seconds = int(config.get("role_session_seconds", 3600))
        self.accounts = [{"id": str(a["id"]), "name": a.get("name", str(a["id"])),
                          "email": a.get("email", f"{a.get('name', a['id'])}@example.com"),
                          "roles": list(a.get("roles", []))} for a in config.get("accounts", [])]
        self.clients = {}  # clientId -> registration
        self.devices = {}  # deviceCode -> {client_id, user_code, expires, approved, denied, used, last_poll}
        self.codes = {}  # authorization code -> {client_id, redirect_uri, challenge, expires}
        self.access = {}  # access token -> {client_id, login, grant, expires, refresh_token}
        self.refresh_tokens = {}  # refresh token -> {client_id, login, used, revoked}
        self.ended_logins = set()  # sign-ins ended by Logout
        self.deny = 0  # how many of the next approvals are refusals
        self.reset_calls()

    def reset_calls(self):
        self.calls = {"register": 0, "device_authorization": 0, "authorize": 0, "device_verification": 0,
                      "get_role_credentials": 0, "list_accounts": 0, "list_account_roles": 0, "logout": 0,
                      "token": {"device_code": 0, "authorization_code": 0, "refresh_token": 0, "other": 0},
                      "token_issued": {"device_code": 0, "authorization_code": 0, "refresh_token": 0}}

    def account(self, account_id):
        return next((a for a in self.accounts if a["id"] == account_id), None)

    def client(self, client_id, secret):
        """A live registration whose secret matches, or InvalidClientException (401)."""
        client = self.clients.get(client_id) if isinstance(client_id, str) else None
        if (not client or client["expires"] <= time.time() or not isinstance(secret, str)
                or not hmac.compare_digest(secret.encode(), client["secret"].encode())):
            raise StsError(401, "InvalidClientException", "Invalid client or client secret")
        return client

    @staticmethod
    def allows(client, grant):
        return grant in (client["grant_types"] or [DEVICE_GRANT, "refresh_token"])

    def issue_tokens(self, client, login, grant):
        access = "aoa" + secrets.token_urlsafe(48)
        answer = {"accessToken": access, "tokenType": "Bearer", "expiresIn": self.access_ttl}
        entry = {"client_id": client["id"], "login": login, "grant": GRANT_NAMES[grant],
                 "expires": time.time() + self.access_ttl, "refresh_token": None}
        if self.refresh and client["scopes"]:
            refresh = "aor" + secrets.token_urlsafe(48)
            self.refresh_tokens[refresh] = {"client_id": client["id"], "login": login, "used": False,
                                            "revoked": False}
            answer["refreshToken"] = entry["refresh_token"] = refresh
        self.access[access] = entry
        self.calls["token_issued"][GRANT_NAMES[grant]] += 1
        return answer

    def bearer(self, token):
        """The access token's entry when it still works, else 401 UnauthorizedException."""
        entry = find_secret(self.access, token)
        if not entry or entry["expires"] <= time.time() or entry["login"] in self.ended_logins:
            raise StsError(401, "UnauthorizedException", SSO_UNAUTHORIZED)
        return entry

    def approve(self):
        """Whether the next approval is granted (False: /__admin/sso/deny queued a refusal)."""
        if self.deny:
            self.deny -= 1
            return False
        return True

    def snapshot(self):
        now = time.time()
        tokens = [{"access_token": t, "refresh_token": e["refresh_token"], "client_id": e["client_id"],
                   "grant": e["grant"], "expires_at": iso(e["expires"])}
                  for t, e in self.access.items() if e["expires"] > now and e["login"] not in self.ended_logins]
        clients = [{"client_id": c["id"], "client_name": c["name"], "scopes": c["scopes"],
                    "grant_types": c["grant_types"], "redirect_uris": c["redirect_uris"], "issuer_url": c["issuer"],
                    "expires_at": iso(c["expires"])} for c in self.clients.values()]
        return {"calls": self.calls, "clients": clients, "tokens": tokens}


class State:
    def __init__(self, config, session_seconds):
        self.lock = threading.Lock()
        self.account = config.get("account", DEFAULT_ACCOUNT)
        self.new_key_delay_ms = int(config.get("new_key_delay_ms", 0))
        self.mfa_limit = int(config.get("mfa_devices_per_user", 8))
        self.mfa_seeds = list(config.get("mfa_seeds", []))  # seeds for the next CreateVirtualMFADevice calls
        self.mfa_devices = {}  # serial -> {serial, seed, user (None while unassigned), created, enabled_at}
        self.users = {}  # (account, name) -> the user's config entry, plus _id, _created
        self.keys = {}  # access key id -> {user, secret, status, created, usable_at, last_used}
        for user in config.get("users", []):
            self.add_user(user)
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
        self.web_identity_tokens = dict(config.get("web_identity_tokens", {}))
        self.sso = SsoState(config.get("sso", {}))

    def add_role(self, entry):
        role = dict(entry)
        if role.get("trust_policy") is None:
            role.pop("trust_policy", None)  # null: as if absent
        else:
            check_policy(role["trust_policy"])
        role["_legacy_arn"] = "trust_policy" not in role  # sessions named in the top-level account
        role["_created"] = time.time()
        role["_id"] = entity_id("AROA", role["arn"])
        self.roles[role["arn"]] = role
        return role

    def add_user(self, user):
        account = self.user_account(user)
        user["_created"] = time.time()
        user["_id"] = entity_id("AIDA", self.user_arn(user))
        self.users[(account, user["name"])] = user
        user["_mfa"] = {}  # serial -> device: the user's enabled MFA devices
        if "mfa_serial" in user:
            device = {"serial": user["mfa_serial"], "seed": user["mfa_seed"], "user": user,
                      "created": user["_created"], "enabled_at": user["_created"]}
            user["_mfa"][device["serial"]] = device
            self.mfa_devices.setdefault(device["serial"], device)
        configured = [{"access_key_id": user["access_key_id"], "secret_access_key": user["secret_access_key"]}] \
            if "access_key_id" in user else []
        for key in configured + list(user.get("access_keys", [])):
            self.add_key(user, key["access_key_id"], key["secret_access_key"], key.get("status", "Active"), 0)

    def add_key(self, user, key_id, secret, status, delay_ms):
        now = time.time()
        self.keys[key_id] = {"user": user, "secret": secret, "status": status, "created": now,
                             "usable_at": now + delay_ms / 1000, "last_used": None}
        return self.keys[key_id]

    def user_keys(self, user):
        return sorted(((k, e) for k, e in self.keys.items() if e["user"] is user), key=lambda item: item[1]["created"])

    def user_view(self, name, account=None):
        """GET /__admin/user: a user's keys (never their secrets) and MFA devices, or None."""
        user = next((u for (a, n), u in self.users.items() if n == name and account in (None, a)), None)
        if not user:
            return None
        keys = [{"access_key_id": k, "status": e["status"], "created": iso(e["created"]),
                 "usable_at": iso(e["usable_at"]), "last_used": e["last_used"] and {
                     "date": iso(e["last_used"][0]), "service": e["last_used"][1], "region": e["last_used"][2]}}
                for k, e in self.user_keys(user)]
        enabled = sorted(user["_mfa"].values(), key=lambda d: d["enabled_at"])
        account = self.user_account(user)
        return {"name": user["name"], "account": account, "arn": self.user_arn(user),
                "iam_requires_mfa": bool(user.get("iam_requires_mfa")), "access_keys": keys,
                "mfa_devices": [{"serial": d["serial"], "enabled_at": iso(d["enabled_at"])} for d in enabled],
                "enabled_serial": enabled[-1]["serial"] if enabled else None,
                "unassigned_mfa_devices": sorted(serial for serial, d in self.mfa_devices.items()
                                                 if d["user"] is None and arn_account(serial) == account)}

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

    def reply(self, status, body, content_type="text/xml", headers=None):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
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
        if url.path == "/__admin/user":
            query = dict(urllib.parse.parse_qsl(url.query))
            with self.state.lock:
                view = self.state.user_view(query.get("name", ""), query.get("account"))
            if not view:
                return self.reply(404, json.dumps({"error": f"no user {query.get('name', '')}"}), "application/json")
            return self.reply(200, json.dumps(view), "application/json")
        if url.path == "/federation":
            return self.federation(dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True)))
        if url.path == "/__admin/sso":
            with self.state.lock:
                return self.reply(200, json.dumps(self.state.sso.snapshot()), "application/json")
        if url.path in SSO_PAGES:
            query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
            with self.state.lock:
                return getattr(self, SSO_PAGES[url.path])(query)
        if url.path in SSO_GET_API:
            return self.sso_api(url, "", SSO_GET_API[url.path])
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
        if url.path in SSO_POST_API:
            return self.sso_api(url, body, SSO_POST_API[url.path])
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
            if action in UNSIGNED_ACTIONS:  # STS takes these without a signature
                caller, service = None, "sts"
            else:
                caller, service = self.authenticate(body)
            method = (IAM_ACTIONS if service == "iam" else STS_ACTIONS).get(action)
            if not method:
                raise StsError(400, "InvalidAction", f"Could not find operation {action}"
                                                     + (" for version 2010-05-08" if service == "iam" else ""))
            with self.state.lock:
                answer = getattr(self, method)(caller, params)
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
                self.state.sso.reset_calls()
            elif url.path.startswith("/__admin/sso/"):
                return self.sso_admin(url.path[len("/__admin/sso/"):], query)
            elif url.path == "/__admin/forget-codes":  # lets one test use the current code more than once
                self.state.used_codes = set()
            elif url.path in ("/__admin/delay", "/__admin/new-key-delay"):
                try:
                    ms = max(0, int(query.get("ms", "0")))
                except ValueError:
                    return self.reply(400, json.dumps({"error": "ms must be an integer"}), "application/json")
                setattr(self.state, "delay_ms" if url.path == "/__admin/delay" else "new_key_delay_ms", ms)
            elif url.path == "/__admin/mfa-seed":
                seed = query.get("seed", "")
                try:
                    base64.b32decode(seed.upper() + "=" * (-len(seed) % 8))
                except ValueError:
                    seed = ""
                if not seed:
                    return self.reply(400, json.dumps({"error": "seed must be base32"}), "application/json")
                self.state.mfa_seeds.append(seed)
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

    # --- IAM Identity Center: the JSON APIs (OIDC, portal) and the browser pages -----------------------
    def sso_api(self, url, body, route):
        """One OIDC or portal API call: counted, then injected faults, then the operation, in JSON."""
        name, method, oidc = route
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError:
            payload = None
        with self.state.lock:
            calls = self.state.sso.calls
            if name == "token":
                grant = payload.get("grantType") if isinstance(payload, dict) else None
                calls["token"][GRANT_NAMES.get(grant, "other")] += 1
            else:
                calls[name] += 1
            failure = self.state.failures.pop(0) if self.state.failures else None
            oversize = self.state.oversize.pop(0) if self.state.oversize else None
            delay = self.state.delay_ms
        if delay:
            time.sleep(delay / 1000)
        if oversize:
            return self.reply(200, '{"x": "' + "x" * oversize + '"}', "application/json")
        try:
            if failure:
                raise StsError(failure[0], failure[1], failure[2], raw=True)
            if not isinstance(payload, dict):
                raise StsError(400, "InvalidRequestException", "The request body is not a JSON object")
            with self.state.lock:
                answer = getattr(self, method)(query, payload)
            self.reply(200, "" if answer is None else json.dumps(answer), "application/json")
        except StsError as e:
            error = ({"error": OIDC_ERRORS.get(e.code, e.code), "error_description": e.message} if oidc
                     else {"message": e.message})
            self.reply(e.status, json.dumps(error), "application/json", {"x-amzn-ErrorType": e.code})

    def register_client(self, query, p):
        sso = self.state.sso
        name, scopes = p.get("clientName"), p.get("scopes") or []
        grants, redirects = p.get("grantTypes") or [], p.get("redirectUris") or []
        if not isinstance(name, str) or not name:
            raise StsError(400, "InvalidRequestException", "clientName is required")
        if p.get("clientType") != "public":
            raise StsError(400, "InvalidClientMetadataException", "Invalid client type")
        if not isinstance(scopes, list) or not all(isinstance(x, str) and x for x in scopes):
            raise StsError(400, "InvalidScopeException", "Invalid scopes")
        if not isinstance(grants, list) or any(g not in GRANT_NAMES for g in grants):
            raise StsError(400, "UnsupportedGrantTypeException", "Unsupported grant type")
        if not isinstance(redirects, list) or not all(redirect_uri_valid(r) for r in redirects):
            raise StsError(400, "InvalidRedirectUriException", "Invalid redirect URI")
        if "authorization_code" in grants and not redirects:
            raise StsError(400, "InvalidRedirectUriException", "redirectUris are required for authorization_code")
        now = int(time.time())
        client = {"id": secrets.token_urlsafe(16), "secret": "kuracs" + secrets.token_urlsafe(60), "name": name,
                  "scopes": scopes, "grant_types": grants, "redirect_uris": redirects,
                  "issuer": p.get("issuerUrl"), "expires": now + sso.client_ttl}
        sso.clients[client["id"]] = client
        return {"clientId": client["id"], "clientSecret": client["secret"], "clientIdIssuedAt": now,
                "clientSecretExpiresAt": client["expires"]}

    def start_device_authorization(self, query, p):
        sso = self.state.sso
        client = sso.client(p.get("clientId"), p.get("clientSecret"))
        if not sso.allows(client, DEVICE_GRANT):
            raise StsError(400, "UnauthorizedClientException", "The client is not registered for this grant")
        if str(p.get("startUrl", "")).rstrip("/") != sso.start_url.rstrip("/"):
            raise StsError(400, "InvalidRequestException", "Invalid start URL")
        code = "".join(secrets.choice("BCDFGHJKLMNPQRSTVWXZ") for _ in range(8))
        user_code = f"{code[:4]}-{code[4:]}"
        device_code = secrets.token_urlsafe(48)
        sso.devices[device_code] = {"client_id": client["id"], "user_code": user_code, "approved": False,
                                    "denied": False, "used": False, "last_poll": None,
                                    "expires": time.time() + sso.device_ttl}
        page = f"http://127.0.0.1:{self.server.server_address[1]}/device"
        return {"deviceCode": device_code, "userCode": user_code, "verificationUri": page,
                "verificationUriComplete": f"{page}?user_code={user_code}", "expiresIn": sso.device_ttl,
                "interval": sso.interval}

    def create_token(self, query, p):
        sso = self.state.sso
        if "aws_iam" in query:
            raise StsError(400, "InvalidRequestException", "CreateTokenWithIAM is not offered by this test server")
        client = sso.client(p.get("clientId"), p.get("clientSecret"))
        grant = p.get("grantType")
        if grant not in GRANT_NAMES:
            raise StsError(400, "UnsupportedGrantTypeException", "Unsupported grant type")
        if not sso.allows(client, grant):
            raise StsError(400, "UnauthorizedClientException", "The client is not registered for this grant")
        now = time.time()
        if grant == DEVICE_GRANT:
            device = find_secret(sso.devices, p.get("deviceCode"))
            if not device or device["client_id"] != client["id"] or device["used"]:
                raise StsError(400, "InvalidGrantException", "Invalid device code")
            if device["expires"] <= now:
                raise StsError(400, "ExpiredTokenException", "The device code has expired")
            if device["denied"]:
                raise StsError(400, "AccessDeniedException", "The user denied the request")
            last, device["last_poll"] = device["last_poll"], now
            if last is not None and now - last < sso.interval - 0.05:  # a little slack for timer jitter
                raise StsError(400, "SlowDownException", "Client is polling too fast")
            if not device["approved"]:
                raise StsError(400, "AuthorizationPendingException", "Authorization is pending")
            device["used"] = True
            return sso.issue_tokens(client, secrets.token_hex(8), grant)
        if grant == "authorization_code":
            entry = find_secret(sso.codes, p.get("code"))
            if not entry or entry["client_id"] != client["id"] or entry["used"] or entry["expires"] <= now:
                raise StsError(400, "InvalidGrantException", "Invalid authorization code")
            entry["used"] = True  # one attempt per code, even a failed one
            if p.get("redirectUri") != entry["redirect_uri"]:
                raise StsError(400, "InvalidGrantException", "The redirect URI does not match the authorization request")
            verifier = p.get("codeVerifier")
            if not isinstance(verifier, str) or not hmac.compare_digest(pkce_challenge(verifier).encode(),
                                                                        entry["challenge"].encode()):
                raise StsError(400, "InvalidGrantException", "The code verifier does not match the code challenge")
            return sso.issue_tokens(client, secrets.token_hex(8), grant)
        entry = find_secret(sso.refresh_tokens, p.get("refreshToken"))
        if (not entry or entry["client_id"] != client["id"] or entry["used"] or entry["revoked"]
                or entry["login"] in sso.ended_logins):
            raise StsError(400, "InvalidGrantException", "Invalid refresh token")
        entry["used"] = True  # rotation: the old refresh token is spent
        return sso.issue_tokens(client, entry["login"], grant)

    def bearer_token(self):
        return self.state.sso.bearer(self.headers.get("x-amz-sso_bearer_token"))

    def get_role_credentials(self, query, p):
        sso = self.state.sso
        self.bearer_token()
        account_id, role = query.get("account_id", ""), query.get("role_name", "")
        if not account_id or not role:
            raise StsError(400, "InvalidRequestException", "account_id and role_name are required")
        account = sso.account(account_id)
        if not account or role not in account["roles"]:
            raise StsError(403, "ForbiddenException", "No access")
        name = f"AWSReservedSSO_{role}_{hashlib.sha256(f'{account_id}/{role}'.encode()).hexdigest()[:16]}"
        role_arn = f"arn:aws:iam::{account_id}:role/aws-reserved/sso.amazonaws.com/{name}"
        arn = f"arn:aws:sts::{account_id}:assumed-role/{name}/{sso.user}"
        key_id, session = self.state.issue("role", None, False, arn, sso.role_seconds, mfa_time=None,
                                           account=account_id, real_account=account_id, role_arn=role_arn,
                                           principals={role_arn, arn})
        return {"roleCredentials": {"accessKeyId": key_id, "secretAccessKey": session["secret"],
                                    "sessionToken": session["token"], "expiration": int(session["expires"] * 1000)}}

    def list_accounts(self, query, p):
        self.bearer_token()
        sso = self.state.sso
        page, token = page_of(sso.accounts, query, sso.page_size)
        answer = {"accountList": [{"accountId": a["id"], "accountName": a["name"], "emailAddress": a["email"]}
                                  for a in page]}
        return dict(answer, nextToken=token) if token else answer

    def list_account_roles(self, query, p):
        self.bearer_token()
        sso = self.state.sso
        account_id = query.get("account_id", "")
        if not account_id:
            raise StsError(400, "InvalidRequestException", "account_id is required")
        account = sso.account(account_id)
        page, token = page_of(account["roles"] if account else [], query, sso.page_size)
        answer = {"roleList": [{"roleName": r, "accountId": account_id} for r in page]}
        return dict(answer, nextToken=token) if token else answer

    def logout(self, query, p):
        entry = self.bearer_token()
        self.state.sso.ended_logins.add(entry["login"])
        return None

    def page(self, status, text):
        self.reply(status, f"<html><head><title>kura test sign-in</title></head><body>{escape(text)}</body></html>",
                   "text/html")

    def authorize_page(self, q):
        sso = self.state.sso
        sso.calls["authorize"] += 1
        client = sso.clients.get(q.get("client_id", ""))
        if not client or client["expires"] <= time.time():
            return self.page(400, "unknown or expired client")
        redirect = q.get("redirect_uri", "")
        if not redirect_allowed(client["redirect_uris"], redirect):
            return self.page(400, "the redirect_uri is not registered for this client")

        def back(**params):
            if "state" in q:
                params["state"] = q["state"]
            self.send_response(302)
            self.send_header("Location", redirect + ("&" if "?" in redirect else "?") + urllib.parse.urlencode(params))
            self.send_header("Content-Length", "0")
            self.end_headers()
        if q.get("response_type") != "code":
            return back(error="unsupported_response_type")
        if not sso.allows(client, "authorization_code"):
            return back(error="unauthorized_client")
        if not q.get("code_challenge") or q.get("code_challenge_method") != "S256":
            return back(error="invalid_request", error_description="PKCE with S256 is required")
        if not sso.approve():
            return back(error="access_denied")
        code = secrets.token_urlsafe(32)
        sso.codes[code] = {"client_id": client["id"], "redirect_uri": redirect, "challenge": q["code_challenge"],
                           "scopes": q.get("scopes", ""), "used": False, "expires": time.time() + AUTH_CODE_SECONDS}
        return back(code=code)

    def device_page(self, q):
        sso = self.state.sso
        sso.calls["device_verification"] += 1
        user_code = q.get("user_code")
        if not user_code:
            return self.page(200, "enter the code shown on your device")
        now = time.time()
        device = next((d for d in sso.devices.values() if hmac.compare_digest(d["user_code"].encode(),
                                                                              user_code.encode())
                       and not d["used"] and d["expires"] > now), None)
        if not device:
            return self.page(404, "this code is unknown or has expired")
        if sso.approve():
            device["approved"] = True
            return self.page(200, f"request approved: {device['user_code']}; you may close this window")
        device["denied"] = True
        return self.page(200, "request denied")

    def sso_admin(self, action, query):
        sso, now = self.state.sso, time.time()
        if action == "expire-access-tokens":
            for entry in sso.access.values():
                entry["expires"] = min(entry["expires"], now - 1)
        elif action == "revoke-refresh-tokens":
            for entry in sso.refresh_tokens.values():
                entry["revoked"] = True
        elif action == "expire-device-codes":
            for entry in sso.devices.values():
                entry["expires"] = min(entry["expires"], now - 1)
        elif action == "expire-clients":
            for entry in sso.clients.values():
                entry["expires"] = min(entry["expires"], now - 1)
        elif action == "deny":
            try:
                sso.deny += int(query.get("count", "1"))
            except ValueError:
                return self.reply(400, json.dumps({"error": "count must be an integer"}), "application/json")
        else:
            return self.reply(404, json.dumps({"error": f"no admin action sso/{action}"}), "application/json")
        return self.reply(200, "{}", "application/json")

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
            key = self.state.keys.get(key_id)
            session = self.state.sessions.get(key_id)
            key = key and dict(key)
        if key:
            # An Inactive key, or one IAM has not yet made known to STS (new_key_delay_ms): as AWS refuses it.
            if token or key["status"] != "Active" or time.time() < key["usable_at"]:
                raise StsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
            user = key["user"]
            arn, account = self.state.user_arn(user), self.state.user_account(user)
            secret = key["secret"]
            caller = {"kind": "user", "user": user, "key_id": key_id, "mfa": False, "arn": arn, "account": account,
                      "real_account": account, "principals": {arn}}
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
        if key:
            with self.state.lock:
                entry = self.state.keys.get(key_id)
                if entry:
                    entry["last_used"] = (time.time(), service, region)
        return caller, service

    # --- STS actions -----------------------------------------------------------------------------
    def check_mfa(self, user, params):
        serial, code = params.get("SerialNumber"), params.get("TokenCode")
        if not serial:
            return False
        device = user["_mfa"].get(serial) if user else None
        if not device:
            raise StsError(403, "AccessDenied",
                           "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA "
                           "serial number is valid and associated with this user.")
        if [code] not in totp_window(device["seed"]) or (serial, code) in self.state.used_codes:
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

    def assume_role_with_web_identity(self, caller, params):
        token = find_secret(self.state.web_identity_tokens, params.get("WebIdentityToken"))
        if token is None:
            raise StsError(400, "InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see "
                                                        "this error if you sent an Access Token)")
        if token.get("expired"):
            raise StsError(400, "ExpiredTokenException", "Token expired: current date/time must be before the "
                                                         "expiration date/time")
        role = self.state.roles.get(params.get("RoleArn"))
        if not role or ("roles" in token and role["arn"] not in token["roles"]):
            raise StsError(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
        name = params.get("RoleSessionName", "")
        if not re.fullmatch(r"[\w+=,.@-]{2,64}", name):
            raise StsError(400, "ValidationError", f"1 validation error detected: Value '{name}' at "
                                                   f"'roleSessionName' failed to satisfy constraint: Member must "
                                                   f"satisfy regular expression pattern: [\\w+=,.@-]*")
        try:
            value = int(params.get("DurationSeconds", 3600))
        except ValueError:
            value = 0
        if value > role.get("max_duration", 3600) or value < 900:
            raise StsError(400, "ValidationError",
                           "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        real_account = arn_account(role["arn"])
        account = self.state.account if role["_legacy_arn"] else real_account
        arn = f"arn:aws:sts::{account}:assumed-role/{role_name(role['arn'])}/{name}"
        key_id, session = self.state.issue(
            "role", None, False, arn, value, mfa_time=None, account=account, real_account=real_account,
            role_arn=role["arn"], web_identity=token.get("sub"),
            principals={role["arn"], f"arn:aws:sts::{real_account}:assumed-role/{role_name(role['arn'])}/{name}"})
        extra = (f"<SubjectFromWebIdentityToken>{escape(str(token.get('sub', '')))}</SubjectFromWebIdentityToken>"
                 f"<AssumedRoleUser><AssumedRoleId>{role['_id']}:{name}</AssumedRoleId><Arn>{arn}</Arn>"
                 f"</AssumedRoleUser><Provider>{escape(str(token.get('provider', 'idp.example.com')))}</Provider>"
                 f"<Audience>{escape(str(token.get('aud', 'sts.amazonaws.com')))}</Audience>")
        return xml_credentials("AssumeRoleWithWebIdentity", key_id, session, extra)

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
        if caller["kind"] == "user" and caller["user"].get("iam_requires_mfa") and action not in MFA_SELF_SERVICE:
            # AWS's "force MFA" policy: Deny NotAction [these] if BoolIfExists aws:MultiFactorAuthPresent false.
            raise StsError(403, "AccessDenied", f"{denied} with an explicit deny in an identity-based policy")
        if caller["kind"] == "role":
            entry = self.state.roles.get(caller["role_arn"]) or {}
        else:
            entry = caller.get("user") or {}
        if action_matches(entry.get("iam_denied", []), action):
            raise StsError(403, "AccessDenied", f"{denied} because no identity-based policy allows the {action} action")
        return caller["real_account"]

    def iam_user(self, caller, params, action):
        """The user an IAM user action works on: UserName, by default the caller's own user. A user (or its
        session) may act only on itself; a role session on any user of its account."""
        own = caller.get("user") if caller["kind"] in ("user", "session") else None
        name = params.get("UserName") or (own["name"] if own else "")
        account = self.iam_authorize(caller, action, f"user {name}")
        if not name:
            raise StsError(400, "ValidationError", "Must specify userName when calling with non-User credentials")
        if own and name != own["name"]:
            raise StsError(403, "AccessDenied", f"User: {caller['arn']} is not authorized to perform: {action} on "
                                                f"resource: user {name} because no identity-based policy allows the "
                                                f"{action} action")
        user = self.state.users.get((account, name))
        if not user:
            raise StsError(404, "NoSuchEntity", f"The user with name {name} cannot be found.")
        return user

    def user_xml(self, user):
        return (f"<Path>/</Path><UserName>{escape(user['name'])}</UserName><UserId>{user['_id']}</UserId>"
                f"<Arn>{escape(self.state.user_arn(user))}</Arn><CreateDate>{iso(user['_created'])}</CreateDate>")

    def get_user(self, caller, params):
        user = self.iam_user(caller, params, "iam:GetUser")
        return iam_response("GetUser", f"<User>{self.user_xml(user)}</User>")

    def user_key(self, user, params):
        """The user's access key named by AccessKeyId, or NoSuchEntity as IAM says it."""
        key_id = params.get("AccessKeyId", "")
        entry = self.state.keys.get(key_id)
        if not entry or entry["user"] is not user:
            raise StsError(404, "NoSuchEntity", f"The Access Key with id {key_id} cannot be found.")
        return key_id, entry

    def list_access_keys(self, caller, params):
        user = self.iam_user(caller, params, "iam:ListAccessKeys")
        members = "".join(f"<member><UserName>{escape(user['name'])}</UserName><AccessKeyId>{key_id}</AccessKeyId>"
                          f"<Status>{entry['status']}</Status><CreateDate>{iso(entry['created'])}</CreateDate></member>"
                          for key_id, entry in self.state.user_keys(user))
        return iam_response("ListAccessKeys", f"<AccessKeyMetadata>{members}</AccessKeyMetadata>"
                                              f"<IsTruncated>false</IsTruncated>")

    def create_access_key(self, caller, params):
        user = self.iam_user(caller, params, "iam:CreateAccessKey")
        if len(self.state.user_keys(user)) >= ACCESS_KEYS_PER_USER:  # Inactive keys count too
            raise StsError(409, "LimitExceeded", f"Cannot exceed quota for AccessKeysPerUser: {ACCESS_KEYS_PER_USER}")
        key_id = "AKIA" + base64.b32encode(secrets.token_bytes(10)).decode()
        secret = base64.b64encode(secrets.token_bytes(30)).decode()  # 40 characters, AWS's alphabet
        entry = self.state.add_key(user, key_id, secret, "Active", self.state.new_key_delay_ms)
        return iam_response("CreateAccessKey", f"<AccessKey><UserName>{escape(user['name'])}</UserName>"
                                               f"<AccessKeyId>{key_id}</AccessKeyId><Status>Active</Status>"
                                               f"<SecretAccessKey>{secret}</SecretAccessKey>"
                                               f"<CreateDate>{iso(entry['created'])}</CreateDate></AccessKey>")

    def update_access_key(self, caller, params):
        user = self.iam_user(caller, params, "iam:UpdateAccessKey")
        status = params.get("Status")
        if status not in ("Active", "Inactive"):
            raise StsError(400, "ValidationError", f"1 validation error detected: Value '{status}' at 'status' failed "
                                                   f"to satisfy constraint: Member must satisfy enum value set: "
                                                   f"[Active, Inactive]")
        _, entry = self.user_key(user, params)
        entry["status"] = status
        return iam_response("UpdateAccessKey", None)

    def delete_access_key(self, caller, params):
        user = self.iam_user(caller, params, "iam:DeleteAccessKey")
        key_id, _ = self.user_key(user, params)
        del self.state.keys[key_id]  # sessions made from it live on until they expire, as in AWS
        return iam_response("DeleteAccessKey", None)

    def get_access_key_last_used(self, caller, params):
        key_id = params.get("AccessKeyId", "")
        entry = self.state.keys.get(key_id)
        if not entry:
            raise StsError(404, "NoSuchEntity", f"The Access Key with id {key_id} cannot be found.")
        user = self.iam_user(caller, {"UserName": entry["user"]["name"]}, "iam:GetAccessKeyLastUsed")
        _, entry = self.user_key(user, params)
        used = entry["last_used"]
        last = (f"<LastUsedDate>{iso(used[0])}</LastUsedDate><ServiceName>{used[1]}</ServiceName>"
                f"<Region>{used[2]}</Region>") if used else "<ServiceName>N/A</ServiceName><Region>N/A</Region>"
        return iam_response("GetAccessKeyLastUsed", f"<UserName>{escape(user['name'])}</UserName>"
                                                    f"<AccessKeyLastUsed>{last}</AccessKeyLastUsed>")

    # --- virtual MFA devices ---------------------------------------------------------------------
    def virtual_device(self, account, serial):
        device = self.state.mfa_devices.get(serial)
        if not device or arn_account(serial) != account:
            raise StsError(404, "NoSuchEntity", f"VirtualMFADevice with serial number {serial} doesn't exist.")
        return device

    def create_virtual_mfa_device(self, caller, params):
        name, path = params.get("VirtualMFADeviceName", ""), params.get("Path", "/")
        serial = f"arn:aws:iam::{caller['real_account']}:mfa{path}{name}"
        self.iam_authorize(caller, "iam:CreateVirtualMFADevice", serial)
        if not re.fullmatch(r"[\w+=,.@-]{1,226}", name):
            raise StsError(400, "ValidationError", f"1 validation error detected: Value '{name}' at "
                                                   f"'virtualMFADeviceName' failed to satisfy constraint: Member must "
                                                   f"satisfy regular expression pattern: [\\w+=,.@-]+")
        if not re.fullmatch(r"/([\x21-\x7e]*/)?", path) or len(path) > 512:
            raise StsError(400, "ValidationError", "The specified value for path is invalid. It must begin and end "
                                                   "with / and contain only alphanumeric characters and/or / "
                                                   "characters.")
        if serial in self.state.mfa_devices:
            raise StsError(409, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.")
        seed = self.state.mfa_seeds.pop(0) if self.state.mfa_seeds \
            else base64.b32encode(secrets.token_bytes(40)).decode()  # 64 characters, as AWS's
        self.state.mfa_devices[serial] = {"serial": serial, "seed": seed, "user": None, "created": time.time(),
                                          "enabled_at": None}
        # Blobs travel base64-encoded: Base32StringSeed is the base32 text, itself base64-encoded.
        return iam_response("CreateVirtualMFADevice",
                            f"<VirtualMFADevice><SerialNumber>{escape(serial)}</SerialNumber>"
                            f"<Base32StringSeed>{base64.b64encode(seed.encode()).decode()}</Base32StringSeed>"
                            f"<QRCodePNG>{base64.b64encode(tiny_png()).decode()}</QRCodePNG></VirtualMFADevice>")

    def enable_mfa_device(self, caller, params):
        user = self.iam_user(caller, params, "iam:EnableMFADevice")
        codes = [params.get("AuthenticationCode1", ""), params.get("AuthenticationCode2", "")]
        for field, code in zip(("authenticationCode1", "authenticationCode2"), codes):
            if not re.fullmatch(r"\d{6}", code):
                raise StsError(400, "ValidationError", f"1 validation error detected: Value '{code}' at '{field}' "
                                                       f"failed to satisfy constraint: Member must have length 6 and "
                                                       f"satisfy regular expression pattern: [\\d]+")
        serial = params.get("SerialNumber", "")
        device = self.virtual_device(self.state.user_account(user), serial)
        if device["user"]:
            raise StsError(409, "EntityAlreadyExists", "MFA Device is already in use.")
        if len(user["_mfa"]) >= self.state.mfa_limit:
            raise StsError(409, "LimitExceeded", f"Cannot exceed quota for MFADevicesPerUser: {self.state.mfa_limit}")
        if codes not in totp_window(device["seed"], steps=2):
            raise StsError(403, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
        device.update(user=user, enabled_at=time.time())
        user["_mfa"][serial] = device
        self.state.used_codes |= {(serial, code) for code in codes}  # spent, as a TokenCode would be
        return iam_response("EnableMFADevice", None)

    def list_mfa_devices(self, caller, params):
        user = self.iam_user(caller, params, "iam:ListMFADevices")
        members = "".join(f"<member><UserName>{escape(user['name'])}</UserName>"
                          f"<SerialNumber>{escape(d['serial'])}</SerialNumber>"
                          f"<EnableDate>{iso(d['enabled_at'])}</EnableDate></member>"
                          for d in sorted(user["_mfa"].values(), key=lambda d: d["enabled_at"]))
        return iam_response("ListMFADevices", f"<MFADevices>{members}</MFADevices><IsTruncated>false</IsTruncated>")

    def list_virtual_mfa_devices(self, caller, params):
        account = self.iam_authorize(caller, "iam:ListVirtualMFADevices",
                                     f"arn:aws:iam::{caller['real_account']}:mfa/")
        status = params.get("AssignmentStatus", "Any")
        if status not in ("Assigned", "Unassigned", "Any"):
            raise StsError(400, "ValidationError", f"1 validation error detected: Value '{status}' at "
                                                   f"'assignmentStatus' failed to satisfy constraint: Member must "
                                                   f"satisfy enum value set: [Unassigned, Any, Assigned]")
        members = ""
        for serial, device in sorted(self.state.mfa_devices.items()):
            assigned = device["user"] is not None
            if arn_account(serial) != account or status == ("Unassigned" if assigned else "Assigned"):
                continue
            members += f"<member><SerialNumber>{escape(serial)}</SerialNumber>"
            if assigned:
                members += (f"<User>{self.user_xml(device['user'])}</User>"
                            f"<EnableDate>{iso(device['enabled_at'])}</EnableDate>")
            members += "</member>"
        return iam_response("ListVirtualMFADevices",
                            f"<VirtualMFADevices>{members}</VirtualMFADevices><IsTruncated>false</IsTruncated>")

    def deactivate_mfa_device(self, caller, params):
        user = self.iam_user(caller, params, "iam:DeactivateMFADevice")
        serial = params.get("SerialNumber", "")
        device = user["_mfa"].pop(serial, None)
        if not device:
            raise StsError(404, "NoSuchEntity", f"MFA Device with serial number {serial} does not exist.")
        device.update(user=None, enabled_at=None)
        return iam_response("DeactivateMFADevice", None)

    def delete_virtual_mfa_device(self, caller, params):
        serial = params.get("SerialNumber", "")
        account = self.iam_authorize(caller, "iam:DeleteVirtualMFADevice", serial)
        device = self.virtual_device(account, serial)
        if device["user"]:
            raise StsError(409, "DeleteConflict", "MFA Device is still in use.")
        del self.state.mfa_devices[serial]
        return iam_response("DeleteVirtualMFADevice", None)

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


# Routes of IAM Identity Center: path -> (count name, handler method, whether OIDC's error shape).
SSO_POST_API = {"/client/register": ("register", "register_client", True),
                "/device_authorization": ("device_authorization", "start_device_authorization", True),
                "/token": ("token", "create_token", True),
                "/logout": ("logout", "logout", False)}
SSO_GET_API = {"/federation/credentials": ("get_role_credentials", "get_role_credentials", False),
               "/assignment/accounts": ("list_accounts", "list_accounts", False),
               "/assignment/roles": ("list_account_roles", "list_account_roles", False)}
SSO_PAGES = {"/authorize": "authorize_page", "/device": "device_page"}
UNSIGNED_ACTIONS = {"AssumeRoleWithWebIdentity"}
# Signed actions: Action -> handler method.
STS_ACTIONS = {"GetSessionToken": "get_session_token", "AssumeRole": "assume_role",
               "GetCallerIdentity": "get_caller_identity", "GetFederationToken": "get_federation_token",
               "AssumeRoleWithWebIdentity": "assume_role_with_web_identity"}
IAM_ACTIONS = {"GetRole": "get_role", "ListRoles": "list_roles", "UpdateAssumeRolePolicy": "update_assume_role_policy",
               "GetUser": "get_user", "ListAccessKeys": "list_access_keys", "CreateAccessKey": "create_access_key",
               "UpdateAccessKey": "update_access_key", "DeleteAccessKey": "delete_access_key",
               "GetAccessKeyLastUsed": "get_access_key_last_used",
               "CreateVirtualMFADevice": "create_virtual_mfa_device", "EnableMFADevice": "enable_mfa_device",
               "ListMFADevices": "list_mfa_devices", "ListVirtualMFADevices": "list_virtual_mfa_devices",
               "DeactivateMFADevice": "deactivate_mfa_device", "DeleteVirtualMFADevice": "delete_virtual_mfa_device"}


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
