#!/usr/bin/env python3
"""Self-test of tests/server/sts_server.py with boto3 clients (botocore's own signer) against a server on a free
loopback port: trust policies across accounts with MFA, role chaining, one use per code, IAM GetRole/ListRoles/
UpdateAssumeRolePolicy with their errors and deny list, admin routes, and the latency option.

    python3 tests/server/test_sts_server.py        (exit status 0 when every check passes)
"""
import base64
import hashlib
import hmac
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
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
}

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

    def keys(user):
        return {"aws_access_key_id": user["access_key_id"], "aws_secret_access_key": user["secret_access_key"]}

    def admin(method, path, body=None):
        request = urllib.request.Request(url + path, method=method, data=body and json.dumps(body).encode())
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


if __name__ == "__main__":
    sys.exit(main())
