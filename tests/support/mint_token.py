#!/usr/bin/python3
"""Mints JWTs for the tests with PyJWT (an independent implementation), plus deliberately forged ones.

usage: mint_token.py ALG KEY_FILE CLAIMS_JSON [--forge none|hs256-with-public-key PUBLIC_KEY_FILE]
"""
import base64
import hashlib
import hmac
import json
import sys

import jwt


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> None:
    alg, key_file, claims = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    key = open(key_file, "rb").read()
    forge = sys.argv[4:6]
    if forge and forge[0] == "--forge":
        body = b64url(json.dumps(claims).encode())
        if forge[1] == "none":
            print(b64url(b'{"alg":"none","typ":"JWT"}') + "." + body + ".")
        else:  # HS256 keyed with the RSA public key: the classic algorithm confusion
            head = b64url(b'{"alg":"HS256","typ":"JWT"}') + "." + body
            public = open(sys.argv[6], "rb").read()
            print(head + "." + b64url(hmac.new(public, head.encode(), hashlib.sha256).digest()))
        return
    if alg == "HS256":
        key = key.decode().strip()
    print(jwt.encode(claims, key, algorithm=alg))


main()
