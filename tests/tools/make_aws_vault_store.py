#!/usr/bin/env python3
"""Writes items in aws-vault's storage formats, for kura's import tests.

file backend: one file per item, named by its key, holding a JWE compact token made exactly as aws-vault's
keyring library (jose2go) makes it: PBES2-HS256+A128KW key management, A256GCM content encryption, the
payload being the item as JSON ({"Key", "Data" (base64), "Label", "Description"}).
pass backend: the same item JSON, written with `pass insert -m PREFIX/KEY` by the caller.

usage: make_aws_vault_store.py file DIR PASSPHRASE KEY=ID:SECRET[:TOKEN] ...
       make_aws_vault_store.py json KEY ID SECRET        (prints one item's JSON)
"""
import base64
import json
import os
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.keywrap import aes_key_wrap


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def item_json(key, key_id, secret, token=""):
    creds = {"AccessKeyID": key_id, "SecretAccessKey": secret, "SessionToken": token, "Source": "",
             "CanExpire": bool(token), "Expires": "0001-01-01T00:00:00Z"}
    return json.dumps({"Key": key, "Data": base64.b64encode(json.dumps(creds).encode()).decode(),
                       "Label": "aws-vault (" + key + ")", "Description": "",
                       "KeychainNotTrustApplication": False, "KeychainNotSynchronizable": False})


def jwe(payload, passphrase, rounds=8192):
    alg = "PBES2-HS256+A128KW"
    salt = os.urandom(16)
    header = b64u(json.dumps({"alg": alg, "enc": "A256GCM", "p2c": rounds, "p2s": b64u(salt),
                              "created": "2026-11-22 12:00:00"}).encode())
    kek = PBKDF2HMAC(hashes.SHA256(), 16, alg.encode() + b"\0" + salt, rounds).derive(passphrase.encode())
    cek = os.urandom(32)
    iv = os.urandom(12)
    sealed = AESGCM(cek).encrypt(iv, payload.encode(), header.encode())
    return ".".join([header, b64u(aes_key_wrap(kek, cek)), b64u(iv), b64u(sealed[:-16]), b64u(sealed[-16:])])


def main():
    if sys.argv[1] == "json":
        print(item_json(*sys.argv[2:5]))
        return
    directory, passphrase = sys.argv[2], sys.argv[3]
    os.makedirs(directory, mode=0o700, exist_ok=True)
    for spec in sys.argv[4:]:
        key, creds = spec.split("=", 1)
        parts = creds.split(":")
        with open(os.path.join(directory, key), "w") as f:
            f.write(jwe(item_json(key, *parts), passphrase))


if __name__ == "__main__":
    main()
