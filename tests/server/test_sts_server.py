#!/usr/bin/env python3
"""Self-test of tests/server/sts_server.py with boto3 clients (botocore's own signer) against a server on a free
loopback port: trust policies across accounts with MFA, role chaining, one use per code, IAM GetRole/ListRoles/
UpdateAssumeRolePolicy with their errors and deny list, admin routes, and the latency option; a user's access keys
(the two-key quota, Inactive and deleted keys, the delay before a new key works), MFA required for IAM, virtual MFA
enrolment (consecutive codes, then the device checks GetSessionToken and AssumeRole), deactivation and deletion; IAM
Identity Center
(OIDC device-code, authorization-code + PKCE and refresh grants, the portal, with botocore's sso-oidc and sso
clients and the AWS CLI v1) and AssumeRoleWithWebIdentity.

    python3 tests/server/test_sts_server.py        (exit status 0 when every check passes)
"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
A, B, C = "111111111111", "222222222222", "333333333333"
ALICE = {"name": "alice", "access_key_id": "AKIAKURASELFTEST0001", "secret_access_key": "alice-secret",
         "mfa_serial": f"arn:aws:iam::{A}:mfa/alice", "mfa_seed": SEED}
BOB = {"name": "bob", "access_key_id": "AKIAKURASELFTEST0002", "secret_access_key": "bob-secret"}
CAROL = {"name": "carol", "access_key_id": "AKIAKURASELFTEST0003", "secret_access_key": "carol-secret",
         "account": B, "iam_denied": ["iam:List*"]}


def allow(principal, condition=None, action="sts:AssumeRole"):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": action}
    if condition:
        statement["Condition"] = condition
    return statement


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
DEPLOY_POLICY = policy(allow(A, MFA), {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{A}:user/bob"},
                                       "Action": "sts:*"})
CONFIG = {
    "account": A,
    "users": [ALICE, BOB, CAROL],
    "roles": [
        {"arn": f"arn:aws:iam::{B}:role/deploy", "max_duration": 7200, "trust_policy": DEPLOY_POLICY},
        {"arn": f"arn:aws:iam::{C}:role/ops", "max_duration": 3600, "trust_policy": policy(
            allow([f"arn:aws:iam::{A}:user/alice"], {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
                  ["sts:AssumeRole", "sts:TagSession"]))},
        {"arn": f"arn:aws:iam::{B}:role/readonly", "trust_policy": policy(allow(f"arn:aws:iam::{B}:role/deploy",
                                                                               action="*")),
         "iam_denied": ["iam:UpdateAssumeRolePolicy"]},
        {"arn": f"arn:aws:iam::{B}:role/fussy", "trust_policy": policy(
            allow(f"arn:aws:iam::{A}:root", {"StringLike": {"aws:PrincipalTag/team": "x*"}}))},
        {"arn": f"arn:aws:iam::{B}:role/partner", "trust_policy": policy(
            allow("*", {"StringEquals": {"sts:ExternalId": "ext-1"}}))},
        {"arn": f"arn:aws:iam::{A}:role/legacy", "max_duration": 3600, "require_mfa": True},
        {"arn": f"arn:aws:iam::{A}:role/plain"},
        {"arn": f"arn:aws:iam::{C}:role/auditor", "trust_policy": policy(
            allow([f"arn:aws:iam::{B}:role/readonly", f"arn:aws:iam::{A}:role/plain"], {"BoolIfExists": {
                "aws:MultiFactorAuthPresent": "true"}}))},
    ] + [{"arn": f"arn:aws:iam::{B}:role/team/sub/r{i}", "trust_policy": policy(allow(A))} for i in range(5)],
    "web_identity_tokens": {"wi-token-plain": {"sub": "system:serviceaccount:ci:deployer", "aud": "sts.amazonaws.com",
                                               "provider": "idp.example.com", "roles": [f"arn:aws:iam::{A}:role/plain"]},
                            "wi-token-any": {"sub": "any-sub"},
                            "wi-token-expired": {"sub": "old", "expired": True}},
    "sso": {"start_url": "https://kura-test.awsapps.com/start", "user": "dana@example.com", "page_size": 2,
            "accounts": [{"id": A, "name": "dev", "roles": ["Admin", "ReadOnly", "Billing"]},
                         {"id": B, "name": "prod", "email": "prod@example.com", "roles": ["ReadOnly"]},
                         {"id": C, "name": "audit", "roles": ["Auditor"]}]},
}
# Issue 14's server: access keys, MFA required for IAM, virtual MFA enrolment (run_iam_users).
DAN = {"name": "dan", "access_key_id": "AKIAKURASELFTEST0010", "secret_access_key": "dan-secret"}
GUS = {"name": "gus", "access_key_id": "AKIAKURASELFTEST0011", "secret_access_key": "gus-secret",
       "access_keys": [{"access_key_id": "AKIAKURASELFTEST0012", "secret_access_key": "gus-old", "status": "Inactive"}],
       "iam_denied": ["iam:GetUser"]}
ERIN = {"name": "erin", "access_key_id": "AKIAKURASELFTEST0013", "secret_access_key": "erin-secret",
        "mfa_serial": f"arn:aws:iam::{A}:mfa/erin", "mfa_seed": SEED, "iam_requires_mfa": True}
FAY = {"name": "fay", "access_key_id": "AKIAKURASELFTEST0014", "secret_access_key": "fay-secret",
       "iam_requires_mfa": True}
SEED2 = "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ2DAMBQ"
KEYS_CONFIG = {"account": A, "new_key_delay_ms": 1500, "users": [DAN, GUS, ERIN, FAY], "mfa_devices_per_user": 1,
               "mfa_seeds": [SEED2],
               "roles": [{"arn": f"arn:aws:iam::{A}:role/admin", "trust_policy": policy(allow(A))},
                         {"arn": f"arn:aws:iam::{A}:role/mfa-only", "trust_policy": policy(allow(A, MFA))}]}
START_URL = "https://kura-test.awsapps.com/start"
DEVICE = "urn:ietf:params:oauth:grant-type:device_code"

results = []


def check(what, ok, detail=""):
    results.append((what, bool(ok)))
    print(("ok: " if ok else "FAIL: ") + what + ("" if ok else f" ({detail})"))


def error_of(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except ClientError as e:
        return e.response["Error"].get("Code"), e.response["Error"].get("Message"), \
            e.response["ResponseMetadata"]["HTTPStatusCode"]
    return None, None, 200


def totp(seed, step):
    key = base64.b32decode(seed + "=" * (-len(seed) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    o = digest[-1] & 15
    return "%06d" % ((struct.unpack(">I", digest[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


def keys(user):
    return {"aws_access_key_id": user["access_key_id"], "aws_secret_access_key": user["secret_access_key"]}


def start(work, name, config, *args):
    path, port_file = os.path.join(work, name + ".json"), os.path.join(work, name + ".port")
    with open(path, "w") as f:
        json.dump(config, f)
    log = open(os.path.join(work, name + ".log"), "w")
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "sts_server.py"), "--config", path,
                             "--port-file", port_file, *args], stdout=log, stderr=log)
    for _ in range(100):
        if os.path.exists(port_file):
            break
        time.sleep(0.05)
    with open(port_file) as f:
        return proc, f"http://127.0.0.1:{f.read().strip()}", log.name


def main():
    work = tempfile.mkdtemp(prefix="sts-selftest.")
    proc, url, log = start(work, "main", CONFIG)
    procs = [proc]
    try:
        run(url, log, work, procs)
    except Exception as e:  # noqa: BLE001 -- an unexpected error is a failed check, then the summary
        import traceback
        traceback.print_exc()
        check(f"the run ended early: {type(e).__name__}: {e}", False)
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        shutil.rmtree(work, ignore_errors=True)
    failed = [w for w, ok in results if not ok]
    print(f"sts_server self-test: {len(results) - len(failed)}/{len(results)} checks passed"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def run(url, log, work, procs):
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"}, max_pool_connections=32)

    def client(service, creds, region="us-east-1", endpoint=url):
        if "AccessKeyId" in creds:
            creds = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
                     "aws_session_token": creds["SessionToken"]}
        return boto3.client(service, endpoint_url=endpoint, region_name=region, config=cfg, **creds)

    def admin(method, path, body=None, base=url):
        request = urllib.request.Request(base + path, method=method, data=body and json.dumps(body).encode())
        try:
            with urllib.request.urlopen(request) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def denied(caller_arn, role_arn):
        return f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"

    alice = client("sts", keys(ALICE))
    step = int(time.time()) // 30
    now_code, next_code = totp(SEED, step), totp(SEED, step + 1)
    deploy, ops = f"arn:aws:iam::{B}:role/deploy", f"arn:aws:iam::{C}:role/ops"
    readonly = f"arn:aws:iam::{B}:role/readonly"

    # --- MFA session, then roles in two accounts whose trust requires MFA --------------------------
    mfa_creds = alice.get_session_token(SerialNumber=ALICE["mfa_serial"], TokenCode=now_code)["Credentials"]
    mfa_sts = client("sts", mfa_creds)
    out = mfa_sts.assume_role(RoleArn=deploy, RoleSessionName="s1")
    check("MFA session assumes a role in account B (MFA required)",
          out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{B}:assumed-role/deploy/s1", out["AssumedRoleUser"])
    deploy_creds = out["Credentials"]
    ident = client("sts", deploy_creds).get_caller_identity()
    check("the role session is in account B", ident["Account"] == B and ident["Arn"].endswith("deploy/s1"), ident)
    out = mfa_sts.assume_role(RoleArn=ops, RoleSessionName="s2")
    check("MFA session assumes a role in account C (MultiFactorAuthAge < 3600, user principal)",
          out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{C}:assumed-role/ops/s2", out["AssumedRoleUser"])

    # --- without MFA ------------------------------------------------------------------------------
    code, message, status = error_of(alice.assume_role, RoleArn=deploy, RoleSessionName="xx")
    check("long-term key without MFA: AccessDenied in AWS's words",
          code == "AccessDenied" and status == 403 and message == denied(f"arn:aws:iam::{A}:user/alice", deploy),
          (code, message))
    plain_creds = alice.get_session_token()["Credentials"]
    code, message, _ = error_of(client("sts", plain_creds).assume_role, RoleArn=deploy, RoleSessionName="xx")
    check("session token without MFA: AccessDenied", code == "AccessDenied", (code, message))
    code, message, _ = error_of(client("sts", plain_creds).assume_role, RoleArn=ops, RoleSessionName="xx")
    check("no MFA: MultiFactorAuthAge absent, NumericLessThan fails", code == "AccessDenied", (code, message))
    code, message, _ = error_of(client("sts", keys(BOB)).assume_role, RoleArn=deploy, RoleSessionName="xx")
    check("a Deny statement wins", code == "AccessDenied" and f"user/bob" in message, (code, message))

    # --- AssumeRole with a code; role chaining keeps MFA; chaining limit; one use per code ----------
    out = alice.assume_role(RoleArn=deploy, RoleSessionName="s3", SerialNumber=ALICE["mfa_serial"],
                            TokenCode=next_code, DurationSeconds=7200)
    check("AssumeRole with SerialNumber+TokenCode, 2h from a long-term key", "Credentials" in out)
    chained = client("sts", out["Credentials"])
    out2 = chained.assume_role(RoleArn=readonly, RoleSessionName="s4")
    check("role chaining: trusted by role ARN", out2["AssumedRoleUser"]["Arn"].endswith("readonly/s4"))
    code, message, _ = error_of(chained.assume_role, RoleArn=readonly, RoleSessionName="s5", DurationSeconds=7200)
    check("role chaining is limited to 1 hour", code == "ValidationError" and "role chaining" in message,
          (code, message))
    out3 = client("sts", out2["Credentials"]).assume_role(RoleArn=f"arn:aws:iam::{C}:role/auditor",
                                                          RoleSessionName="s6")
    check("a chained session keeps the MFA context (auditor needs MFA)",
          out3["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{C}:assumed-role/auditor/s6", out3["AssumedRoleUser"])
    code, message, _ = error_of(client("sts", out2["Credentials"]).assume_role, RoleArn=deploy, RoleSessionName="xx")
    check("deploy (trusting account A) refuses account B's role session",
          code == "AccessDenied" and message == denied(f"arn:aws:sts::{B}:assumed-role/readonly/s4", deploy),
          (code, message))
    no_mfa_ro = client("sts", client("sts", plain_creds).assume_role(
        RoleArn=f"arn:aws:iam::{A}:role/plain", RoleSessionName="pp")["Credentials"])
    code, _, _ = error_of(no_mfa_ro.assume_role, RoleArn=f"arn:aws:iam::{C}:role/auditor", RoleSessionName="xx")
    check("a chained session without MFA does not get it", code == "AccessDenied", code)
    code, message, _ = error_of(alice.assume_role, RoleArn=deploy, RoleSessionName="xx",
                                SerialNumber=ALICE["mfa_serial"], TokenCode=now_code)
    check("a code used once is refused", code == "AccessDenied" and "one time pass code" in message, (code, message))

    # --- unsupported conditions fail closed; ExternalId -------------------------------------------
    code, message, _ = error_of(mfa_sts.assume_role, RoleArn=f"arn:aws:iam::{B}:role/fussy", RoleSessionName="xx")
    time.sleep(0.1)
    check("an unsupported condition denies and says so on stderr",
          code == "AccessDenied" and "unsupported condition StringLike" in open(log).read(), (code, message))
    partner = f"arn:aws:iam::{B}:role/partner"
    code, _, _ = error_of(alice.assume_role, RoleArn=partner, RoleSessionName="xx")
    check("StringEquals sts:ExternalId: missing refused", code == "AccessDenied", code)
    code, _, _ = error_of(alice.assume_role, RoleArn=partner, RoleSessionName="xx", ExternalId="ext-1")
    check("StringEquals sts:ExternalId: matching allowed", code is None, code)

    # --- IAM from the role session of account B ---------------------------------------------------
    iam = client("iam", deploy_creds)
    role = iam.get_role(RoleName="deploy")["Role"]
    check("GetRole: fields and decoded trust policy",
          role["Arn"] == deploy and role["RoleName"] == "deploy" and role["Path"] == "/"
          and role["RoleId"].startswith("AROA") and role["MaxSessionDuration"] == 7200
          and role["AssumeRolePolicyDocument"] == DEPLOY_POLICY and role["CreateDate"].year >= 2024, role)
    new_policy = policy(allow(A, {"StringEquals": {"sts:ExternalId": "rotated"}, **MFA}))
    iam.update_assume_role_policy(RoleName="deploy", PolicyDocument=json.dumps(new_policy))
    check("UpdateAssumeRolePolicy then GetRole returns it",
          iam.get_role(RoleName="deploy")["Role"]["AssumeRolePolicyDocument"] == new_policy)
    check("GET /__admin/role shows it", admin("GET", f"/__admin/role?arn={deploy}") == (200, new_policy))
    code, _, _ = error_of(mfa_sts.assume_role, RoleArn=deploy, RoleSessionName="xx")
    check("AssumeRole honours the new policy (ExternalId now needed)", code == "AccessDenied", code)
    code, _, _ = error_of(mfa_sts.assume_role, RoleArn=deploy, RoleSessionName="xx", ExternalId="rotated")
    check("and allows with it", code is None, code)
    for document, words in (("{not json", "This policy contains invalid Json"), ("[]", "Syntax errors in policy."),
                            ('{"Version": "2012-10-17"}', "Syntax errors in policy.")):
        code, message, status = error_of(iam.update_assume_role_policy, RoleName="deploy", PolicyDocument=document)
        check(f"MalformedPolicyDocument for {document!r}",
              code == "MalformedPolicyDocument" and message == words and status == 400, (code, message, status))
    code, message, status = error_of(iam.get_role, RoleName="nope")
    check("GetRole of an unknown role: NoSuchEntity 404",
          code == "NoSuchEntity" and status == 404 and message == "The role with name nope cannot be found.",
          (code, message, status))
    code, _, _ = error_of(iam.get_role, RoleName="ops")
    check("IAM acts in the caller's account (ops is in C)", code == "NoSuchEntity", code)

    # --- ListRoles paging -------------------------------------------------------------------------
    first = iam.list_roles(PathPrefix="/team/", MaxItems=2)
    names, pages, page = [r["RoleName"] for r in first["Roles"]], 1, first
    while page.get("IsTruncated"):
        page = iam.list_roles(PathPrefix="/team/", MaxItems=2, Marker=page["Marker"])
        names += [r["RoleName"] for r in page["Roles"]]
        pages += 1
    check("ListRoles pages by MaxItems with Marker", first["IsTruncated"] and pages == 3
          and names == [f"r{i}" for i in range(5)], (pages, names))
    all_roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    check("ListRoles lists only the caller's account (default MaxItems 100)",
          len(all_roles) == 9 and "ops" not in all_roles and "legacy" not in all_roles, all_roles)
    paginated = [r["RoleName"] for p in iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 4})
                 for r in p["Roles"]]
    check("boto3's paginator sees every role once", sorted(paginated) == sorted(all_roles), paginated)

    # --- iam_denied, session tokens, long-term users ----------------------------------------------
    ro_iam = client("iam", out2["Credentials"])
    code, message, status = error_of(ro_iam.update_assume_role_policy, RoleName="readonly",
                                     PolicyDocument=json.dumps(new_policy))
    check("iam_denied: AccessDenied 403 in IAM's words",
          code == "AccessDenied" and status == 403 and message ==
          f"User: arn:aws:sts::{B}:assumed-role/readonly/s4 is not authorized to perform: iam:UpdateAssumeRolePolicy"
          f" on resource: role readonly because no identity-based policy allows the iam:UpdateAssumeRolePolicy"
          f" action", (code, message))
    check("iam_denied: other actions still allowed", ro_iam.get_role(RoleName="readonly")["Role"]["Arn"] == readonly)
    code, _, _ = error_of(client("iam", plain_creds).get_role, RoleName="legacy")
    check("GetSessionToken credentials without MFA may not call IAM", code == "InvalidClientTokenId", code)
    legacy = client("iam", mfa_creds).get_role(RoleName="legacy")["Role"]
    check("an MFA session calls IAM on its own account; a legacy role shows its equivalent policy",
          legacy["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] == MFA, legacy)
    carol = client("iam", keys(CAROL))
    check("a long-term user of account B calls IAM on B", carol.get_role(RoleName="deploy")["Role"]["Arn"] == deploy)
    code, message, _ = error_of(carol.list_roles)
    check("a user's iam_denied with a wildcard", code == "AccessDenied" and "iam:ListRoles" in message,
          (code, message))

    # --- signature scope --------------------------------------------------------------------------
    code, message, _ = error_of(client("iam", keys(CAROL), region="eu-west-1").get_role, RoleName="deploy")
    check("IAM signed for another region is refused", code == "SignatureDoesNotMatch", (code, message))
    bad = dict(keys(ALICE), aws_secret_access_key="wrong")
    code, _, _ = error_of(client("iam", bad).get_role, RoleName="legacy")
    check("IAM with a wrong secret: SignatureDoesNotMatch", code == "SignatureDoesNotMatch", code)
    code, _, _ = error_of(client("sts", keys(ALICE), region="eu-north-1").get_caller_identity)
    check("STS in any region", code is None, code)

    # --- admin: create/replace roles at runtime; stats ---------------------------------------------
    extra = f"arn:aws:iam::{C}:role/extra"
    status, _ = admin("POST", f"/__admin/role?arn={extra}", {"trust_policy": policy(allow(f"arn:aws:iam::{A}:root")),
                                                             "max_duration": 3600})
    out = alice.assume_role(RoleArn=extra, RoleSessionName="ee")
    check("POST /__admin/role creates a role", status == 200 and out["AssumedRoleUser"]["Arn"].endswith("extra/ee"))
    admin("POST", f"/__admin/role?arn={extra}", {"trust_policy": policy(allow(f"arn:aws:iam::{B}:root"))})
    code, _, _ = error_of(alice.assume_role, RoleArn=extra, RoleSessionName="ee")
    check("POST /__admin/role replaces it", code == "AccessDenied", code)
    status, _ = admin("POST", f"/__admin/role?arn={extra}", {"trust_policy": {"no": "statement"}})
    check("POST /__admin/role refuses a malformed policy", status == 400, status)
    check("GET /__admin/role of an unknown role: 404", admin("GET", "/__admin/role?arn=arn:aws:iam::1:role/x")[0] == 404)
    _, stats = admin("GET", "/__admin/stats")
    check("stats count IAM actions", stats.get("GetRole", 0) >= 5 and stats.get("ListRoles", 0) >= 5
          and stats.get("UpdateAssumeRolePolicy") == 5, stats)

    # --- latency ----------------------------------------------------------------------------------
    admin("POST", "/__admin/delay?ms=400")
    t0 = time.monotonic()
    alice.get_caller_identity()
    one = time.monotonic() - t0
    t0 = time.monotonic()
    iam.get_role(RoleName="deploy")
    one_iam = time.monotonic() - t0
    check("a delayed call takes at least the delay (STS and IAM)", one >= 0.4 and one_iam >= 0.4, (one, one_iam))
    admin("POST", "/__admin/delay?ms=1000")
    errors = []

    def call():
        try:
            client("sts", keys(ALICE)).get_caller_identity()
        except Exception as e:  # noqa: BLE001 -- collected and reported
            errors.append(e)
    threads = [threading.Thread(target=call) for _ in range(16)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    check("16 concurrent delayed calls overlap (1 s each)", not errors and 1.0 <= elapsed < 4.0, (elapsed, errors))
    admin("POST", "/__admin/delay?ms=0")
    t0 = time.monotonic()
    alice.get_caller_identity()
    check("delay 0 turns it off", time.monotonic() - t0 < 0.4)
    proc2, url2, _ = start(work, "delayed", {"users": [BOB]}, "--delay-ms", "300")
    procs.append(proc2)
    t0 = time.monotonic()
    ident = client("sts", keys(BOB), endpoint=url2).get_caller_identity()
    check("--delay-ms delays calls; the default account applies",
          time.monotonic() - t0 >= 0.3 and ident["Arn"] == "arn:aws:iam::123456789012:user/bob", ident)

    run_iam_users(work, procs, client, admin)
    run_web_identity(url, client, admin)
    run_sso(url, work, cfg, client, admin)


def run_iam_users(work, procs, client, admin):
    """Access keys (rotation's steps, the two-key quota, Inactive keys, IAM's delay), on a server of its own."""
    proc, url, _ = start(work, "keys", KEYS_CONFIG)
    procs.append(proc)

    def iam(creds):
        return client("iam", creds, endpoint=url)

    def sts(creds):
        return client("sts", creds, endpoint=url)

    def get(path):
        return admin("GET", path, base=url)

    def post(path):
        return admin("POST", path, base=url)

    invalid = ("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
    dan = iam(keys(DAN))
    user = dan.get_user()["User"]
    check("GetUser without UserName: the caller's user",
          user["UserName"] == "dan" and user["Arn"] == f"arn:aws:iam::{A}:user/dan" and user["Path"] == "/"
          and user["UserId"].startswith("AIDA") and user["CreateDate"].year >= 2024, user)
    listed = dan.list_access_keys()
    check("ListAccessKeys without UserName: the caller's one key, Active",
          [(k["UserName"], k["AccessKeyId"], k["Status"]) for k in listed["AccessKeyMetadata"]]
          == [("dan", DAN["access_key_id"], "Active")] and listed["IsTruncated"] is False, listed)

    # --- CreateAccessKey, refused by STS until new_key_delay_ms has passed ---------------------------
    made = dan.create_access_key()["AccessKey"]
    t0 = time.monotonic()
    new = {"aws_access_key_id": made["AccessKeyId"], "aws_secret_access_key": made["SecretAccessKey"]}
    check("CreateAccessKey: an AKIA id, a 40-character secret, Active, for the caller",
          made["AccessKeyId"].startswith("AKIA") and len(made["AccessKeyId"]) == 20
          and len(made["SecretAccessKey"]) == 40 and made["Status"] == "Active" and made["UserName"] == "dan", made)
    check("a new key is InvalidClientTokenId until new_key_delay_ms (1.5 s) has passed",
          error_of(sts(new).get_caller_identity) == invalid, error_of(sts(new).get_caller_identity))
    while error_of(sts(new).get_caller_identity)[0] and time.monotonic() - t0 < 5:
        time.sleep(0.1)
    waited = time.monotonic() - t0
    check("then it signs STS and IAM calls as its user",
          1.3 <= waited < 3 and sts(new).get_caller_identity()["Arn"] == f"arn:aws:iam::{A}:user/dan"
          and iam(new).get_user()["User"]["UserName"] == "dan", waited)
    code, message, status = error_of(dan.create_access_key)
    check("a third key: LimitExceeded 409 in IAM's words",
          (code, message, status) == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409),
          (code, message, status))

    # --- UpdateAccessKey: an Inactive key is refused everywhere, and still counts ---------------------
    dan.update_access_key(AccessKeyId=made["AccessKeyId"], Status="Inactive")
    check("an Inactive key: InvalidClientTokenId from STS and IAM",
          error_of(sts(new).get_caller_identity) == invalid and error_of(iam(new).get_user)[0] == invalid[0],
          error_of(sts(new).get_caller_identity))
    check("ListAccessKeys shows it Inactive",
          {k["AccessKeyId"]: k["Status"] for k in dan.list_access_keys()["AccessKeyMetadata"]}
          == {DAN["access_key_id"]: "Active", made["AccessKeyId"]: "Inactive"})
    check("an Inactive key still counts towards the quota", error_of(dan.create_access_key)[0] == "LimitExceeded")
    code, _, status = error_of(dan.update_access_key, AccessKeyId=made["AccessKeyId"], Status="Disabled")
    check("UpdateAccessKey with another Status: ValidationError 400", (code, status) == ("ValidationError", 400),
          (code, status))
    dan.update_access_key(AccessKeyId=made["AccessKeyId"], Status="Active")
    check("Active again: it works at once", sts(new).get_caller_identity()["Arn"].endswith("user/dan"))

    # --- DeleteAccessKey: the key is gone, its sessions live on ---------------------------------------
    session = sts(new).get_session_token()["Credentials"]
    iam(new).delete_access_key(AccessKeyId=DAN["access_key_id"])  # rotation: the new key deletes the old one
    check("DeleteAccessKey: the deleted key is InvalidClientTokenId",
          error_of(sts(keys(DAN)).get_caller_identity) == invalid)
    check("a GetSessionToken session of a deleted key lives on until it expires",
          sts(session).get_caller_identity()["Arn"].endswith("user/dan"))
    dan = iam(new)
    code, message, status = error_of(dan.delete_access_key, AccessKeyId=DAN["access_key_id"])
    check("DeleteAccessKey of an unknown key: NoSuchEntity 404",
          (code, status) == ("NoSuchEntity", 404)
          and message == f"The Access Key with id {DAN['access_key_id']} cannot be found.", (code, message, status))
    code, _, _ = error_of(dan.update_access_key, AccessKeyId=GUS["access_key_id"], Status="Inactive")
    check("another user's key is NoSuchEntity for UpdateAccessKey", code == "NoSuchEntity", code)
    used = dan.get_access_key_last_used(AccessKeyId=made["AccessKeyId"])
    check("GetAccessKeyLastUsed: when, which service, which region",
          used["UserName"] == "dan" and used["AccessKeyLastUsed"]["ServiceName"] == "iam"
          and used["AccessKeyLastUsed"]["Region"] == "us-east-1"
          and abs(used["AccessKeyLastUsed"]["LastUsedDate"].timestamp() - time.time()) < 5, used)
    post("/__admin/new-key-delay?ms=0")
    second = dan.create_access_key()["AccessKey"]
    unused = dan.get_access_key_last_used(AccessKeyId=second["AccessKeyId"])["AccessKeyLastUsed"]
    check("GetAccessKeyLastUsed of a key never used: N/A, no date",
          unused == {"ServiceName": "N/A", "Region": "N/A"}, unused)
    check("POST /__admin/new-key-delay?ms=0: a new key works at once",
          sts({"aws_access_key_id": second["AccessKeyId"], "aws_secret_access_key": second["SecretAccessKey"]})
          .get_caller_identity()["Arn"].endswith("user/dan"))

    # --- whose keys: UserName, other users, role sessions, the config's extra keys -----------------------
    for action, call, kwargs in (("ListAccessKeys", dan.list_access_keys, {"UserName": "gus"}),
                                 ("CreateAccessKey", dan.create_access_key, {"UserName": "gus"}),
                                 ("GetUser", dan.get_user, {"UserName": "gus"}),
                                 ("GetAccessKeyLastUsed", dan.get_access_key_last_used,
                                  {"AccessKeyId": GUS["access_key_id"]})):
        code, message, status = error_of(call, **kwargs)
        check(f"{action} on another user: AccessDenied 403 in IAM's words",
              (code, status) == ("AccessDenied", 403) and message ==
              f"User: arn:aws:iam::{A}:user/dan is not authorized to perform: iam:{action} on resource: user gus "
              f"because no identity-based policy allows the iam:{action} action", (code, message))
    check("UserName naming the caller is the caller",
          len(dan.list_access_keys(UserName="dan")["AccessKeyMetadata"]) == 2)
    gus = iam(keys(GUS))
    gus_keys = {k["AccessKeyId"]: k["Status"] for k in gus.list_access_keys()["AccessKeyMetadata"]}
    check("a user's \"access_keys\" in the config: more keys, with their status",
          gus_keys == {GUS["access_key_id"]: "Active", "AKIAKURASELFTEST0012": "Inactive"}
          and error_of(sts(keys(GUS["access_keys"][0])).get_caller_identity) == invalid, gus_keys)
    code, message, _ = error_of(gus.get_user)
    check("a user's iam_denied applies to the user actions", code == "AccessDenied" and "iam:GetUser" in message,
          (code, message))
    role = iam(sts(keys(GUS)).assume_role(RoleArn=f"arn:aws:iam::{A}:role/admin", RoleSessionName="ops")
               ["Credentials"])
    code, message, status = error_of(role.list_access_keys)
    check("a role session without UserName: ValidationError 400",
          (code, status) == ("ValidationError", 400)
          and message == "Must specify userName when calling with non-User credentials", (code, message))
    check("a role session acts on users of its account",
          len(role.list_access_keys(UserName="gus")["AccessKeyMetadata"]) == 2
          and role.get_user(UserName="dan")["User"]["UserName"] == "dan")
    code, message, status = error_of(role.get_user, UserName="nobody")
    check("GetUser of an unknown user: NoSuchEntity 404",
          (code, status, message) == ("NoSuchEntity", 404, "The user with name nobody cannot be found."),
          (code, message, status))

    # --- iam_requires_mfa: the long-term key may only enrol MFA; an MFA session may do everything --------
    erin = iam(keys(ERIN))
    code, message, status = error_of(erin.list_access_keys)
    check("iam_requires_mfa: the long-term key is AccessDenied 403 with an explicit deny",
          (code, status) == ("AccessDenied", 403) and message ==
          f"User: arn:aws:iam::{A}:user/erin is not authorized to perform: iam:ListAccessKeys on resource: user erin"
          f" with an explicit deny in an identity-based policy", (code, message))
    check("iam_requires_mfa: CreateAccessKey too", error_of(erin.create_access_key)[0] == "AccessDenied")
    check("iam_requires_mfa: GetUser (self-service) is allowed", erin.get_user()["User"]["UserName"] == "erin")
    check("iam_requires_mfa: STS calls are not affected",
          sts(keys(ERIN)).get_caller_identity()["Arn"].endswith("user/erin"))
    plain = sts(keys(ERIN)).get_session_token()["Credentials"]
    check("iam_requires_mfa: a session without MFA is InvalidClientTokenId, as for any user",
          error_of(iam(plain).list_access_keys)[0] == "InvalidClientTokenId")
    step = int(time.time()) // 30
    with_mfa = sts(keys(ERIN)).get_session_token(SerialNumber=ERIN["mfa_serial"], TokenCode=totp(SEED, step))
    erin_mfa = iam(with_mfa["Credentials"])
    erin_key = erin_mfa.create_access_key()["AccessKey"]
    check("iam_requires_mfa: an MFA session lists and creates keys",
          erin_key["UserName"] == "erin" and len(erin_mfa.list_access_keys()["AccessKeyMetadata"]) == 2)
    check("GET /__admin/user shows iam_requires_mfa", get("/__admin/user?name=erin")[1]["iam_requires_mfa"] is True)

    # --- admin and stats -----------------------------------------------------------------------------
    status, view = get("/__admin/user?name=dan")
    check("GET /__admin/user: the user's keys with status and dates, never a secret",
          status == 200 and view["arn"] == f"arn:aws:iam::{A}:user/dan"
          and [(k["access_key_id"], k["status"]) for k in view["access_keys"]]
          == [(made["AccessKeyId"], "Active"), (second["AccessKeyId"], "Active")]
          and view["access_keys"][0]["last_used"]["service"] in ("sts", "iam")
          and made["SecretAccessKey"] not in json.dumps(view), view)
    check("GET /__admin/user of an unknown user: 404", get("/__admin/user?name=nobody")[0] == 404)
    _, stats = get("/__admin/stats")
    check("stats count the access key actions",
          (stats.get("CreateAccessKey"), stats.get("UpdateAccessKey"), stats.get("DeleteAccessKey"),
           stats.get("GetAccessKeyLastUsed"), stats.get("ListAccessKeys")) == (7, 4, 2, 3, 10), stats)
    run_mfa_enrolment(iam, sts, get, post)


def run_mfa_enrolment(iam, sts, get, post):
    """A virtual MFA device enrolled from a long-term key under iam_requires_mfa, then used, replaced, removed."""
    fay_keys = keys(FAY)
    fay = iam(fay_keys)
    created = fay.create_virtual_mfa_device(VirtualMFADeviceName="fay")["VirtualMFADevice"]
    serial = created["SerialNumber"]
    check("CreateVirtualMFADevice (allowed without MFA): the serial, the seed from \"mfa_seeds\" as base32 text, "
          "a PNG", serial == f"arn:aws:iam::{A}:mfa/fay" and created["Base32StringSeed"] == SEED2.encode()
          and created["QRCodePNG"].startswith(b"\x89PNG\r\n\x1a\n"), created)
    code, message, status = error_of(fay.create_virtual_mfa_device, VirtualMFADeviceName="fay")
    check("the same name again: EntityAlreadyExists 409",
          (code, message, status) == ("EntityAlreadyExists", "MFADevice entity at the same path and name already "
                                                             "exists.", 409), (code, message, status))
    other = fay.create_virtual_mfa_device(VirtualMFADeviceName="fay", Path="/team/")["VirtualMFADevice"]
    random_seed = other["Base32StringSeed"].decode()
    check("with a Path: the serial carries it; without \"mfa_seeds\" a random 64-character base32 seed",
          other["SerialNumber"] == f"arn:aws:iam::{A}:mfa/team/fay" and len(random_seed) == 64
          and base64.b32decode(random_seed), other["SerialNumber"])
    for kwargs in ({"VirtualMFADeviceName": "fay phone"}, {"VirtualMFADeviceName": "x", "Path": "team"}):
        code, _, status = error_of(fay.create_virtual_mfa_device, **kwargs)
        check(f"CreateVirtualMFADevice {kwargs}: ValidationError 400", (code, status) == ("ValidationError", 400),
              (code, status))

    # --- EnableMFADevice: two consecutive codes of the seed ---------------------------------------------
    step = int(time.time()) // 30
    now, later = totp(SEED2, step), totp(SEED2, step + 1)
    code, message, _ = error_of(sts(fay_keys).get_session_token, SerialNumber=serial, TokenCode=now)
    check("before it is enabled the device is not the user's", code == "AccessDenied" and "unable to validate" in
          message, (code, message))
    for codes, why in (((now, now), "the same code twice"), ((later, now), "in the wrong order"),
                       ((totp(SEED2, step + 5), totp(SEED2, step + 6)), "outside the clock window"),
                       ((now, totp(random_seed, step + 1)), "another device's")):
        code, message, status = error_of(fay.enable_mfa_device, UserName="fay", SerialNumber=serial,
                                         AuthenticationCode1=codes[0], AuthenticationCode2=codes[1])
        check(f"EnableMFADevice with codes {why}: InvalidAuthenticationCode 403", (code, message, status) == (
            "InvalidAuthenticationCode", "Authentication code for device is not valid.", 403), (code, message))
    code, _, status = error_of(fay.enable_mfa_device, UserName="fay", SerialNumber=serial,
                               AuthenticationCode1="12345a", AuthenticationCode2=later)
    check("EnableMFADevice with a code that is not 6 digits: ValidationError", code == "ValidationError", code)
    code, message, status = error_of(fay.enable_mfa_device, UserName="fay", SerialNumber=f"arn:aws:iam::{A}:mfa/none",
                                     AuthenticationCode1=now, AuthenticationCode2=later)
    check("EnableMFADevice of an unknown device: NoSuchEntity 404", (code, status) == ("NoSuchEntity", 404),
          (code, message))
    fay.enable_mfa_device(UserName="fay", SerialNumber=serial, AuthenticationCode1=now, AuthenticationCode2=later)
    devices = fay.list_mfa_devices()["MFADevices"]
    check("EnableMFADevice (allowed without MFA) with the current and the next code; ListMFADevices shows it",
          [(d["UserName"], d["SerialNumber"]) for d in devices] == [("fay", serial)]
          and abs(devices[0]["EnableDate"].timestamp() - time.time()) < 5, devices)
    code, message, _ = error_of(sts(fay_keys).get_session_token, SerialNumber=serial, TokenCode=later)
    check("the codes given at enrolment are spent", code == "AccessDenied" and "one time pass code" in message,
          (code, message))
    post("/__admin/forget-codes")
    session = sts(fay_keys).get_session_token(SerialNumber=serial, TokenCode=totp(SEED2, int(time.time()) // 30))
    fay_mfa = iam(session["Credentials"])
    check("GetSessionToken checks codes against the enrolled device; the MFA session may call IAM",
          fay_mfa.list_access_keys()["AccessKeyMetadata"][0]["UserName"] == "fay")
    post("/__admin/forget-codes")
    role = sts(fay_keys).assume_role(RoleArn=f"arn:aws:iam::{A}:role/mfa-only", RoleSessionName="mf",
                                     SerialNumber=serial, TokenCode=totp(SEED2, int(time.time()) // 30))
    check("AssumeRole with the enrolled device's code has the MFA context",
          role["AssumedRoleUser"]["Arn"].endswith("mfa-only/mf"))

    # --- one device per user here (mfa_devices_per_user), in use, unassigned -----------------------------
    code, message, status = error_of(iam(keys(GUS)).enable_mfa_device, UserName="gus", SerialNumber=serial,
                                     AuthenticationCode1=now, AuthenticationCode2=later)
    check("a device another user has enabled: EntityAlreadyExists 409",
          (code, message, status) == ("EntityAlreadyExists", "MFA Device is already in use.", 409), (code, message))
    step = int(time.time()) // 30
    code, message, status = error_of(fay.enable_mfa_device, UserName="fay", SerialNumber=other["SerialNumber"],
                                     AuthenticationCode1=totp(random_seed, step),
                                     AuthenticationCode2=totp(random_seed, step + 1))
    check("a second device beyond mfa_devices_per_user (1): LimitExceeded 409",
          (code, message, status) == ("LimitExceeded", "Cannot exceed quota for MFADevicesPerUser: 1", 409),
          (code, message))
    listed = {d["SerialNumber"]: d.get("User", {}).get("UserName")
              for d in fay_mfa.list_virtual_mfa_devices()["VirtualMFADevices"]}
    check("ListVirtualMFADevices (Any): the account's devices, with the user of each enabled one",
          listed == {serial: "fay", other["SerialNumber"]: None, f"arn:aws:iam::{A}:mfa/erin": "erin"}, listed)
    unassigned = [d["SerialNumber"] for d in
                  fay_mfa.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]]
    check("ListVirtualMFADevices Unassigned", unassigned == [other["SerialNumber"]], unassigned)
    status, view = get("/__admin/user?name=fay")
    check("GET /__admin/user: the enabled device, the account's unassigned ones",
          status == 200 and view["enabled_serial"] == serial and [d["serial"] for d in view["mfa_devices"]] == [serial]
          and view["unassigned_mfa_devices"] == [other["SerialNumber"]] and SEED2 not in json.dumps(view), view)

    # --- DeactivateMFADevice, DeleteVirtualMFADevice -----------------------------------------------------
    code, message, status = error_of(fay_mfa.delete_virtual_mfa_device, SerialNumber=serial)
    check("DeleteVirtualMFADevice of an enabled device: DeleteConflict 409",
          (code, message, status) == ("DeleteConflict", "MFA Device is still in use.", 409), (code, message))
    code, message, _ = error_of(fay.deactivate_mfa_device, UserName="fay", SerialNumber=serial)
    check("iam_requires_mfa: DeactivateMFADevice needs MFA", code == "AccessDenied" and "explicit deny" in message,
          (code, message))
    fay_mfa.deactivate_mfa_device(UserName="fay", SerialNumber=serial)
    post("/__admin/forget-codes")
    code, message, _ = error_of(sts(fay_keys).get_session_token, SerialNumber=serial,
                                TokenCode=totp(SEED2, int(time.time()) // 30))
    check("DeactivateMFADevice: the device no longer authenticates the user",
          fay_mfa.list_mfa_devices()["MFADevices"] == [] and code == "AccessDenied"
          and "unable to validate" in message, (code, message))
    code, _, status = error_of(fay_mfa.deactivate_mfa_device, UserName="fay", SerialNumber=serial)
    check("DeactivateMFADevice of a device not enabled: NoSuchEntity 404", (code, status) == ("NoSuchEntity", 404),
          (code, status))
    step = int(time.time()) // 30
    fay.enable_mfa_device(UserName="fay", SerialNumber=other["SerialNumber"],
                          AuthenticationCode1=totp(random_seed, step), AuthenticationCode2=totp(random_seed, step + 1))
    check("after deactivation another device can be enabled",
          [d["SerialNumber"] for d in fay.list_mfa_devices()["MFADevices"]] == [other["SerialNumber"]])
    code, message, _ = error_of(fay.delete_virtual_mfa_device, SerialNumber=serial)
    check("iam_requires_mfa: DeleteVirtualMFADevice needs MFA", code == "AccessDenied", (code, message))
    fay_mfa.delete_virtual_mfa_device(SerialNumber=serial)
    code, message, status = error_of(fay_mfa.delete_virtual_mfa_device, SerialNumber=serial)
    check("DeleteVirtualMFADevice: gone (NoSuchEntity 404 the second time)",
          (code, status) == ("NoSuchEntity", 404)
          and message == f"VirtualMFADevice with serial number {serial} doesn't exist.", (code, message))
    status, _ = post(f"/__admin/mfa-seed?seed={SEED}")
    queued = fay.create_virtual_mfa_device(VirtualMFADeviceName="fay")["VirtualMFADevice"]
    check("POST /__admin/mfa-seed: the next device's seed (a seed that is not base32: 400)",
          status == 200 and queued["Base32StringSeed"] == SEED.encode()
          and post("/__admin/mfa-seed?seed=not-base32!")[0] == 400, queued)
    _, stats = get("/__admin/stats")
    check("stats count the MFA actions",
          (stats.get("CreateVirtualMFADevice"), stats.get("EnableMFADevice"), stats.get("ListMFADevices"),
           stats.get("ListVirtualMFADevices"), stats.get("DeactivateMFADevice"), stats.get("DeleteVirtualMFADevice"))
          == (6, 10, 3, 2, 3, 4), stats)


def oidc_error(call, **kwargs):
    """(Code, the OIDC "error" field, HTTP status) of a failing sso-oidc call; (None, None, 200) when it works."""
    try:
        call(**kwargs)
    except ClientError as e:
        return e.response["Error"].get("Code"), e.response.get("error"), e.response["ResponseMetadata"]["HTTPStatusCode"]
    return None, None, 200


def browse(url):
    """The test browser: one GET, redirects not followed; (status, Location, body)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", parts.path + ("?" + parts.query if parts.query else ""))
    response = connection.getresponse()
    answer = response.status, response.getheader("Location"), response.read().decode()
    connection.close()
    return answer


def run_web_identity(url, client, admin):
    plain, deploy = f"arn:aws:iam::{A}:role/plain", f"arn:aws:iam::{B}:role/deploy"
    sts = client("sts", {})  # no credentials at all: botocore sends this operation unsigned
    out = sts.assume_role_with_web_identity(RoleArn=plain, RoleSessionName="ci-run", WebIdentityToken="wi-token-plain",
                                            DurationSeconds=900)
    check("AssumeRoleWithWebIdentity, unsigned, with a configured token",
          out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{A}:assumed-role/plain/ci-run"
          and out["SubjectFromWebIdentityToken"] == "system:serviceaccount:ci:deployer"
          and out["Provider"] == "idp.example.com" and out["Audience"] == "sts.amazonaws.com"
          and 800 < (out["Credentials"]["Expiration"].timestamp() - time.time()) <= 900, out)
    ident = client("sts", out["Credentials"]).get_caller_identity()
    check("its credentials sign calls here", ident["Arn"] == f"arn:aws:sts::{A}:assumed-role/plain/ci-run", ident)
    chained = client("sts", out["Credentials"]).assume_role(RoleArn=f"arn:aws:iam::{B}:role/team/sub/r1",
                                                            RoleSessionName="next")
    check("and chain into a role trusting the account", chained["AssumedRoleUser"]["Arn"].endswith("r1/next"))
    out = sts.assume_role_with_web_identity(RoleArn=deploy, RoleSessionName="any", WebIdentityToken="wi-token-any")
    check("a token without \"roles\" may assume any role configured here",
          out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{B}:assumed-role/deploy/any", out["AssumedRoleUser"])
    for token, role, want, status in (("wi-token-wrong", plain, "InvalidIdentityToken", 400),
                                      ("wi-token-plain ", plain, "InvalidIdentityToken", 400),
                                      ("wi-token-expired", plain, "ExpiredTokenException", 400),
                                      ("wi-token-plain", deploy, "AccessDenied", 403),
                                      ("wi-token-any", f"arn:aws:iam::{A}:role/nope", "AccessDenied", 403)):
        code, message, got = error_of(sts.assume_role_with_web_identity, RoleArn=role, RoleSessionName="xx",
                                      WebIdentityToken=token)
        check(f"web identity {token!r} on {role.split('/')[-1]}: {want} {status}", code == want and got == status,
              (code, message, got))
    code, _, _ = error_of(sts.assume_role_with_web_identity, RoleArn=plain, RoleSessionName="x y",
                          WebIdentityToken="wi-token-plain")
    check("web identity: a RoleSessionName outside [\\w+=,.@-] is a ValidationError", code == "ValidationError", code)
    code, _, _ = error_of(sts.assume_role_with_web_identity, RoleArn=plain, RoleSessionName="xx",
                          WebIdentityToken="wi-token-plain", DurationSeconds=7200)
    check("web identity: DurationSeconds above the role's maximum is a ValidationError", code == "ValidationError", code)
    _, stats = admin("GET", "/__admin/stats")
    check("stats count AssumeRoleWithWebIdentity", stats.get("AssumeRoleWithWebIdentity") == 9, stats)


def run_sso(url, work, cfg, client, admin):
    oidc, portal = client("sso-oidc", {}), client("sso", {})
    admin("POST", "/__admin/reset-stats")
    _, snap = admin("GET", "/__admin/sso")
    check("reset-stats zeroes the SSO counts", snap["calls"]["register"] == 0 and snap["tokens"] == [], snap)

    # --- RegisterClient ---------------------------------------------------------------------------
    t0 = int(time.time())
    device_client = oidc.register_client(clientName="kura-test", clientType="public", scopes=["sso:account:access"])
    dc = {"clientId": device_client["clientId"], "clientSecret": device_client["clientSecret"]}
    check("RegisterClient answers an id, a secret and 90 days of validity",
          dc["clientId"] and len(dc["clientSecret"]) > 40 and abs(device_client["clientIdIssuedAt"] - t0) <= 2
          and device_client["clientSecretExpiresAt"] - device_client["clientIdIssuedAt"] == 90 * 86400,
          device_client)
    for kwargs, want in (({"clientType": "confidential"}, "InvalidClientMetadataException"),
                         ({"clientType": "public", "grantTypes": ["password"]}, "UnsupportedGrantTypeException"),
                         ({"clientType": "public", "grantTypes": ["authorization_code"]},
                          "InvalidRedirectUriException"),
                         ({"clientType": "public", "grantTypes": ["authorization_code"],
                           "redirectUris": ["http://example.com/cb"]}, "InvalidRedirectUriException")):
        code, error, status = oidc_error(oidc.register_client, clientName="bad", **kwargs)
        check(f"RegisterClient {kwargs}: {want} 400", code == want and status == 400, (code, error, status))

    # --- device authorization -------------------------------------------------------------------
    code, error, status = oidc_error(oidc.start_device_authorization, clientId=dc["clientId"], clientSecret="wrong",
                                     startUrl=START_URL)
    check("StartDeviceAuthorization with a wrong secret: InvalidClientException 401 invalid_client",
          (code, error, status) == ("InvalidClientException", "invalid_client", 401), (code, error, status))
    code, error, status = oidc_error(oidc.start_device_authorization, startUrl="https://other.awsapps.com/start", **dc)
    check("StartDeviceAuthorization for another start URL: InvalidRequestException",
          (code, error, status) == ("InvalidRequestException", "invalid_request", 400), (code, error, status))
    device = oidc.start_device_authorization(startUrl=START_URL + "/", **dc)
    check("StartDeviceAuthorization answers the device flow's fields",
          device["verificationUri"] == url + "/device"
          and device["verificationUriComplete"] == f"{url}/device?user_code={device['userCode']}"
          and len(device["userCode"]) == 9 and device["expiresIn"] == 600 and device["interval"] == 1, device)
    poll = dict(dc, grantType=DEVICE, deviceCode=device["deviceCode"])
    code, error, status = oidc_error(oidc.create_token, **poll)
    check("CreateToken before approval: AuthorizationPendingException authorization_pending 400",
          (code, error, status) == ("AuthorizationPendingException", "authorization_pending", 400), (code, error))
    code, error, status = oidc_error(oidc.create_token, **poll)
    check("polling sooner than interval: SlowDownException slow_down",
          (code, error, status) == ("SlowDownException", "slow_down", 400), (code, error))
    status, _, body = browse(device["verificationUriComplete"])
    check("the verification page approves the device", status == 200 and "approved" in body, (status, body))
    time.sleep(1.05)
    token = oidc.create_token(**poll)
    check("CreateToken after approval: an access token, a refresh token (scopes registered), Bearer, 1 hour",
          token["accessToken"] and token.get("refreshToken") and token["tokenType"] == "Bearer"
          and token["expiresIn"] == 3600, token)
    time.sleep(1.05)
    code, error, _ = oidc_error(oidc.create_token, **poll)
    check("a device code works once: InvalidGrantException invalid_grant", (code, error) == (
        "InvalidGrantException", "invalid_grant"), (code, error))
    code, _, _ = oidc_error(oidc.create_token, **dict(poll, deviceCode="unknown"))
    check("an unknown device code: InvalidGrantException", code == "InvalidGrantException", code)
    expiring = oidc.start_device_authorization(startUrl=START_URL, **dc)
    admin("POST", "/__admin/sso/expire-device-codes")
    code, error, _ = oidc_error(oidc.create_token, **dict(poll, deviceCode=expiring["deviceCode"]))
    check("an expired device code: ExpiredTokenException expired_token",
          (code, error) == ("ExpiredTokenException", "expired_token"), (code, error))
    check("an expired device code's page is a 404", browse(expiring["verificationUriComplete"])[0] == 404)
    denied = oidc.start_device_authorization(startUrl=START_URL, **dc)
    admin("POST", "/__admin/sso/deny")
    status, _, body = browse(denied["verificationUriComplete"])
    code, error, _ = oidc_error(oidc.create_token, **dict(poll, deviceCode=denied["deviceCode"]))
    check("a denied device: AccessDeniedException access_denied",
          "denied" in body and (code, error) == ("AccessDeniedException", "access_denied"), (code, error, body))
    code, _, _ = oidc_error(oidc.create_token, **dict(poll, grantType="password"))
    check("an unknown grant type: UnsupportedGrantTypeException", code == "UnsupportedGrantTypeException", code)

    # --- authorization code with PKCE -------------------------------------------------------------
    pkce_client = oidc.register_client(clientName="kura-pkce", clientType="public", scopes=["sso:account:access"],
                                       grantTypes=["authorization_code", "refresh_token"],
                                       redirectUris=["http://127.0.0.1/oauth/callback"], issuerUrl=START_URL)
    pc = {"clientId": pkce_client["clientId"], "clientSecret": pkce_client["clientSecret"]}
    redirect = "http://127.0.0.1:54321/oauth/callback"

    def authorize(verifier, state="st-1", method="S256", redirect_uri=redirect, client_id=pc["clientId"]):
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        query = urllib.parse.urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
                                        "state": state, "code_challenge_method": method, "code_challenge": challenge,
                                        "scopes": "sso:account:access"})
        return browse(f"{url}/authorize?{query}")

    def redirected(location):
        base, _, query = location.partition("?")
        return base, dict(urllib.parse.parse_qsl(query))

    verifier = base64.urlsafe_b64encode(os.urandom(40)).decode().rstrip("=")
    status, location, _ = authorize(verifier)
    base, params = redirected(location or "")
    check("/authorize approves and redirects to the loopback redirect_uri (any port) with code and state",
          status == 302 and base == redirect and params.get("state") == "st-1" and params.get("code"),
          (status, location))
    grant = dict(pc, grantType="authorization_code", redirectUri=redirect)
    code, error, _ = oidc_error(oidc.create_token, code=params["code"], codeVerifier="x" * 43, **grant)
    check("PKCE: a verifier that does not match the challenge: InvalidGrantException invalid_grant",
          (code, error) == ("InvalidGrantException", "invalid_grant"), (code, error))
    code, _, _ = oidc_error(oidc.create_token, code=params["code"], codeVerifier=verifier, **grant)
    check("PKCE: a code is spent by a failed attempt", code == "InvalidGrantException", code)
    _, location, _ = authorize(verifier)
    code, _, _ = oidc_error(oidc.create_token, code=redirected(location)[1]["code"], codeVerifier=verifier,
                            **dict(grant, redirectUri="http://127.0.0.1:1/oauth/callback"))
    check("PKCE: a redirectUri other than /authorize's: InvalidGrantException", code == "InvalidGrantException", code)
    _, location, _ = authorize(verifier)
    pkce_token = oidc.create_token(code=redirected(location)[1]["code"], codeVerifier=verifier, **grant)
    check("PKCE: the right verifier gets tokens", pkce_token["accessToken"] and pkce_token.get("refreshToken"),
          pkce_token)
    status, location, _ = authorize(verifier, method="plain")
    check("/authorize with code_challenge_method=plain redirects error=invalid_request with the state",
          status == 302 and redirected(location)[1].get("error") == "invalid_request"
          and redirected(location)[1].get("state") == "st-1", location)
    for redirect_uri, why in (("http://127.0.0.1:54321/other", "another path"),
                              ("http://evil.example:54321/oauth/callback", "another host")):
        status, location, _ = authorize(verifier, redirect_uri=redirect_uri)
        check(f"/authorize with an unregistered redirect_uri ({why}): a 400 page, no redirect",
              status == 400 and location is None, (status, location))
    check("/authorize for an unknown client: a 400 page", authorize(verifier, client_id="nope")[0] == 400)
    admin("POST", "/__admin/sso/deny")
    _, location, _ = authorize(verifier)
    check("/authorize refused: error=access_denied", redirected(location or "")[1].get("error") == "access_denied",
          location)
    code, _, _ = oidc_error(oidc.start_device_authorization, startUrl=START_URL, **pc)
    check("a client registered for authorization_code only may not start a device flow",
          code == "UnauthorizedClientException", code)
    code, _, _ = oidc_error(oidc.create_token, code="whatever", codeVerifier=verifier,
                            **dict(grant, clientId=dc["clientId"], clientSecret=dc["clientSecret"]))
    check("a client registered without grantTypes may not use authorization_code",
          code == "UnauthorizedClientException", code)

    # --- refresh tokens ---------------------------------------------------------------------------
    refresh = dict(pc, grantType="refresh_token")
    renewed = oidc.create_token(refreshToken=pkce_token["refreshToken"], **refresh)
    check("refresh: a new access token and a new refresh token",
          renewed["accessToken"] not in (pkce_token["accessToken"], token["accessToken"])
          and renewed["refreshToken"] != pkce_token["refreshToken"] and renewed["expiresIn"] == 3600, renewed)
    code, error, _ = oidc_error(oidc.create_token, refreshToken=pkce_token["refreshToken"], **refresh)
    check("refresh: the old refresh token is refused (rotation)",
          (code, error) == ("InvalidGrantException", "invalid_grant"), (code, error))
    check("refresh: the old access token still works until it expires",
          portal.list_accounts(accessToken=pkce_token["accessToken"])["accountList"])
    code, _, _ = oidc_error(oidc.create_token, refreshToken=renewed["refreshToken"],
                            **dict(refresh, clientId=dc["clientId"], clientSecret=dc["clientSecret"]))
    check("refresh: another client's refresh token is refused", code == "InvalidGrantException", code)
    bare = oidc.register_client(clientName="no-scopes", clientType="public")
    bare_device = oidc.start_device_authorization(clientId=bare["clientId"], clientSecret=bare["clientSecret"],
                                                  startUrl=START_URL)
    browse(bare_device["verificationUriComplete"])
    bare_token = oidc.create_token(clientId=bare["clientId"], clientSecret=bare["clientSecret"], grantType=DEVICE,
                                   deviceCode=bare_device["deviceCode"])
    check("a client registered without scopes gets no refresh token", "refreshToken" not in bare_token, bare_token)

    # --- the portal -------------------------------------------------------------------------------
    access = renewed["accessToken"]
    creds = portal.get_role_credentials(accessToken=access, accountId=A, roleName="Admin")["roleCredentials"]
    left = creds["expiration"] / 1000 - time.time()
    check("GetRoleCredentials: credentials with expiration in epoch milliseconds, 1 hour",
          creds["accessKeyId"].startswith("ASIA") and creds["sessionToken"] and 3500 < left <= 3600, creds)
    sso_creds = {"aws_access_key_id": creds["accessKeyId"], "aws_secret_access_key": creds["secretAccessKey"],
                 "aws_session_token": creds["sessionToken"]}
    role_hash = hashlib.sha256(f"{A}/Admin".encode()).hexdigest()[:16]
    ident = client("sts", sso_creds).get_caller_identity()
    check("the SSO role credentials sign STS calls here: the AWSReservedSSO assumed-role ARN",
          ident["Arn"] == f"arn:aws:sts::{A}:assumed-role/AWSReservedSSO_Admin_{role_hash}/dana@example.com"
          and ident["Account"] == A, ident)
    chained = client("sts", sso_creds).assume_role(RoleArn=f"arn:aws:iam::{B}:role/team/sub/r2", RoleSessionName="up")
    check("an SSO role session chains into a role trusting its account",
          chained["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{B}:assumed-role/r2/up", chained["AssumedRoleUser"])
    for account, role in ((B, "Admin"), ("999999999999", "Admin"), (A, "Auditor")):
        code, message, status = error_of(portal.get_role_credentials, accessToken=access, accountId=account,
                                         roleName=role)
        check(f"GetRoleCredentials {account}/{role} not assigned: ForbiddenException 403 No access",
              (code, message, status) == ("ForbiddenException", "No access", 403), (code, message, status))
    code, message, status = error_of(portal.get_role_credentials, accessToken="aoa-unknown", accountId=A,
                                     roleName="Admin")
    check("GetRoleCredentials with an unknown token: UnauthorizedException 401",
          (code, status) == ("UnauthorizedException", 401) and message == "Session token not found or invalid",
          (code, message, status))

    first = portal.list_accounts(accessToken=access)
    check("ListAccounts pages by the configured page size with nextToken",
          [a["accountId"] for a in first["accountList"]] == [A, B] and first.get("nextToken")
          and first["accountList"][1] == {"accountId": B, "accountName": "prod", "emailAddress": "prod@example.com"},
          first)
    second = portal.list_accounts(accessToken=access, nextToken=first["nextToken"])
    check("ListAccounts: the last page has no nextToken",
          [a["accountId"] for a in second["accountList"]] == [C] and "nextToken" not in second, second)
    paged = [a["accountName"] for p in portal.get_paginator("list_accounts").paginate(
        accessToken=access, PaginationConfig={"PageSize": 1}) for a in p["accountList"]]
    check("boto3's ListAccounts paginator (max_result=1) sees every account once, in order",
          paged == ["dev", "prod", "audit"], paged)
    roles = [(r["roleName"], r["accountId"]) for p in portal.get_paginator("list_account_roles").paginate(
        accessToken=access, accountId=A) for r in p["roleList"]]
    check("ListAccountRoles pages through an account's roles",
          roles == [("Admin", A), ("ReadOnly", A), ("Billing", A)], roles)
    check("ListAccountRoles of an account not assigned: empty",
          portal.list_account_roles(accessToken=access, accountId="999999999999")["roleList"] == [])
    code, _, status = error_of(portal.list_accounts, accessToken=access, nextToken="garbage")
    check("ListAccounts with a bad nextToken: InvalidRequestException 400",
          (code, status) == ("InvalidRequestException", 400), (code, status))

    # --- the AWS CLI v1 against the portal ---------------------------------------------------------
    env = dict(os.environ, AWS_CONFIG_FILE=os.path.join(work, "nope-config"),
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(work, "nope-credentials"), AWS_DEFAULT_REGION="us-east-1")
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    cli = subprocess.run(["aws", "sso", "get-role-credentials", "--access-token", access, "--role-name", "ReadOnly",
                          "--account-id", B, "--endpoint-url", url], capture_output=True, text=True, env=env,
                         timeout=60)
    try:
        cli_creds = json.loads(cli.stdout)["roleCredentials"]
    except (ValueError, KeyError):
        cli_creds = {}
    check("the AWS CLI v1 runs aws sso get-role-credentials against the server",
          cli.returncode == 0 and cli_creds.get("accessKeyId", "").startswith("ASIA"), (cli.returncode, cli.stderr))
    live_refresh = run_cli_sso_profile(url, work, env, pc, renewed, admin)

    # --- expiry, revocation, logout, faults, admin ---------------------------------------------------
    admin("POST", "/__admin/sso/expire-access-tokens")
    code, _, status = error_of(portal.list_accounts, accessToken=access)
    check("after expire-access-tokens: UnauthorizedException 401", (code, status) == ("UnauthorizedException", 401),
          (code, status))
    _, snap = admin("GET", "/__admin/sso")
    check("GET /__admin/sso lists no live tokens after expire-access-tokens", snap["tokens"] == [], snap["tokens"])
    current = oidc.create_token(refreshToken=live_refresh, **refresh)
    check("a refresh after expiry gets an access token that works",
          portal.list_accounts(accessToken=current["accessToken"])["accountList"])
    admin("POST", "/__admin/sso/revoke-refresh-tokens")
    code, _, _ = oidc_error(oidc.create_token, refreshToken=current["refreshToken"], **refresh)
    check("after revoke-refresh-tokens: refresh is InvalidGrantException", code == "InvalidGrantException", code)
    _, location, _ = authorize(verifier)
    session = oidc.create_token(code=redirected(location)[1]["code"], codeVerifier=verifier, **grant)
    portal.logout(accessToken=session["accessToken"])
    code, _, _ = error_of(portal.list_accounts, accessToken=session["accessToken"])
    check("Logout: the access token is refused afterwards", code == "UnauthorizedException", code)
    code, _, _ = oidc_error(oidc.create_token, refreshToken=session["refreshToken"], **refresh)
    check("Logout: so is its refresh token", code == "InvalidGrantException", code)
    check("Logout: another sign-in's token still works",
          portal.list_accounts(accessToken=current["accessToken"])["accountList"])
    admin("POST", "/__admin/fail?status=429&code=TooManyRequestsException&count=1")
    portal_once = boto3.client("sso", endpoint_url=url, region_name="us-east-1",
                               config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))
    code, message, status = error_of(portal_once.get_role_credentials, accessToken=current["accessToken"], accountId=A,
                                     roleName="Admin")
    check("/__admin/fail applies to portal calls, in their JSON error shape",
          (code, message, status) == ("TooManyRequestsException", "injected failure", 429), (code, message, status))
    admin("POST", "/__admin/sso/expire-clients")
    code, error, status = oidc_error(oidc.start_device_authorization, startUrl=START_URL, **dc)
    check("after expire-clients: InvalidClientException 401", (code, error, status) == (
        "InvalidClientException", "invalid_client", 401), (code, error, status))
    _, snap = admin("GET", "/__admin/sso")
    calls = snap["calls"]
    check("GET /__admin/sso counts every call by kind and grant",
          calls["register"] == 7 and calls["device_authorization"] == 8
          and calls["token"] == {"device_code": 8, "authorization_code": 6, "refresh_token": 7, "other": 1}
          and calls["token_issued"] == {"device_code": 2, "authorization_code": 2, "refresh_token": 3}
          and calls["authorize"] == 9 and calls["device_verification"] == 4 and calls["logout"] == 1
          and calls["get_role_credentials"] == 9 and calls["list_accounts"] == 11 and calls["list_account_roles"] == 3,
          calls)
    pkce_entry = next((c for c in snap["clients"] if c["client_id"] == pc["clientId"]), {})
    check("GET /__admin/sso shows each client's registration (issuerUrl recorded)",
          pkce_entry.get("issuer_url") == START_URL and pkce_entry.get("grant_types") == ["authorization_code",
                                                                                         "refresh_token"]
          and [t["access_token"] for t in snap["tokens"]] == [current["accessToken"]], snap)


def run_cli_sso_profile(url, work, env, pc, token, admin):
    """The AWS CLI v1 (botocore's SSO credential and token providers) on an sso-session profile whose token cache
    points at this server: it reads the cached token, and refreshes an expired one with CreateToken. Returns the
    refresh token that is live afterwards."""
    home = os.path.join(work, "home")
    cache_dir = os.path.join(home, ".aws", "sso", "cache")
    os.makedirs(cache_dir)
    config = os.path.join(home, ".aws", "config")
    with open(config, "w") as f:
        f.write(f"[profile sso-dev]\nsso_session = kura\nsso_account_id = {A}\nsso_role_name = ReadOnly\n"
                f"region = us-east-1\n\n[sso-session kura]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n"
                f"sso_registration_scopes = sso:account:access\n")
    cache = os.path.join(cache_dir, hashlib.sha1(b"kura").hexdigest() + ".json")

    def write_cache(access, refresh, expires_in):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + expires_in))
        with open(cache, "w") as f:
            json.dump({"startUrl": START_URL, "region": "us-east-1", "accessToken": access, "expiresAt": stamp,
                       "clientId": pc["clientId"], "clientSecret": pc["clientSecret"],
                       "registrationExpiresAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86400)),
                       "refreshToken": refresh}, f)

    env = dict(env, HOME=home, AWS_CONFIG_FILE=config, AWS_ENDPOINT_URL_SSO=url, AWS_ENDPOINT_URL_SSO_OIDC=url)
    role_hash = hashlib.sha256(f"{A}/ReadOnly".encode()).hexdigest()[:16]
    want = f"arn:aws:sts::{A}:assumed-role/AWSReservedSSO_ReadOnly_{role_hash}/dana@example.com"

    def caller():
        run = subprocess.run(["aws", "sts", "get-caller-identity", "--profile", "sso-dev", "--endpoint-url", url,
                              "--output", "json"], capture_output=True, text=True, env=env, timeout=60)
        try:
            return json.loads(run.stdout).get("Arn"), run.stderr
        except ValueError:
            return None, run.stderr

    write_cache(token["accessToken"], token["refreshToken"], 3600)
    _, before = admin("GET", "/__admin/sso")
    arn, stderr = caller()
    _, after = admin("GET", "/__admin/sso")
    check("the AWS CLI v1 uses a cached SSO token: portal credentials, then a signed STS call here",
          arn == want and after["calls"]["get_role_credentials"] == before["calls"]["get_role_credentials"] + 1
          and after["calls"]["token"] == before["calls"]["token"], (arn, stderr))
    shutil.rmtree(os.path.join(home, ".aws", "cli"), ignore_errors=True)  # its role-credential cache
    write_cache(token["accessToken"], token["refreshToken"], -60)
    arn, stderr = caller()
    with open(cache) as f:
        cached = json.load(f)
    _, after = admin("GET", "/__admin/sso")
    check("the AWS CLI v1 refreshes an expired cached token with CreateToken (refresh_token) and caches the new one",
          arn == want and after["calls"]["token_issued"]["refresh_token"]
          == before["calls"]["token_issued"]["refresh_token"] + 1
          and cached["accessToken"] != token["accessToken"] and cached["refreshToken"] != token["refreshToken"]
          and cached["accessToken"] in [t["access_token"] for t in after["tokens"]], (arn, stderr, cached))
    return cached.get("refreshToken", token["refreshToken"])


if __name__ == "__main__":
    sys.exit(main())
