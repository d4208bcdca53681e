#!/usr/bin/env python3
"""Generates tests/data/sigv4-botocore.json once: STS-shaped requests signed by botocore's SigV4Auth.

Run by hand (python3 tests/tools/gen_sigv4_vectors.py > tests/data/sigv4-botocore.json); the output is
committed as data so the unit tests need no Python. Timestamps are fixed so the vectors never change.
"""
import datetime
import json
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CASES = [
    # name, region, url, body, session token
    ("sts-get-session-token", "us-east-1", "https://sts.us-east-1.amazonaws.com/",
     "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=3600&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice&TokenCode=123456",
     None),
    ("sts-assume-role-with-token", "eu-west-1", "https://sts.eu-west-1.amazonaws.com/",
     "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fadmin&RoleSessionName=kura-1700000000&DurationSeconds=900",
     "FwoGZXIvYXdzEXAMPLETOKEN//////////wEaDKAMPLE+/="),
    ("sts-assume-role-tags", "ap-southeast-2", "https://sts.ap-southeast-2.amazonaws.com/",
     "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fadmin&RoleSessionName=s&Tags.member.1.Key=team&Tags.member.1.Value=sre%20ops&TransitiveTagKeys.member.1=team",
     None),
    ("sts-cn-partition", "cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn/",
     "Action=GetCallerIdentity&Version=2011-06-15", None),
    ("sts-govcloud", "us-gov-west-1", "https://sts.us-gov-west-1.amazonaws.com/",
     "Action=GetCallerIdentity&Version=2011-06-15", "IQoJb3JpZ2luX2VjEXAMPLE"),
    ("sts-local-endpoint-port", "us-east-1", "http://127.0.0.1:5000/",
     "Action=GetFederationToken&Version=2011-06-15&Name=alice&DurationSeconds=43200", None),
]

TIME = datetime.datetime(2024, 5, 17, 8, 30, 15)


def main():
    out = []
    for name, region, url, body, token in CASES:
        creds = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", token)
        request = AWSRequest(method="POST", url=url, data=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        with mock.patch("botocore.auth.get_current_datetime", return_value=TIME):
            SigV4Auth(creds, "sts", region).add_auth(request)
        out.append({
            "name": name, "region": region, "url": url, "body": body, "session_token": token,
            "access_key_id": creds.access_key, "secret_access_key": creds.secret_key,
            "time": TIME.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "authorization": request.headers["Authorization"],
        })
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
