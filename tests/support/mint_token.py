#!/usr/bin/python3
"""Mints JWTs for the tests with PyJWT (an independent implementation), plus deliberately forged ones.

usage: mint_token.py ALG KEY_FILE CLAIMS_JSON [--forge none|hs256-with-public-key PUBLIC_KEY_FILE]
       mint_token.py HS256 KEY_FILE PAYLOAD_TEXT --raw-header HEADER_TEXT

--raw-header signs HEADER_TEXT and PAYLOAD_TEXT byte for byte with HS256, never re-serialising
them, so that inputs a JSON library would normalise (duplicate keys, "alg": "hs256", a "crit"
header) reach the verifier exactly as written.
"""
import base64
import hashlib
import hmac
import json
import sys

import jwt


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(key: bytes, header: bytes, payload: bytes) -> str:
    head = b64url(header) + "." + b64url(payload)
    return head + "." + b64url(hmac.new(key, head.encode(), hashlib.sha256).digest())


def main() -> None:
    alg, key_file = sys.argv[1], sys.argv[2]
    key = open(key_file, "rb").read()
    option = sys.argv[4:6]
    if option and option[0] == "--raw-header":
        print(hs256(key.strip(), option[1].encode(), sys.argv[3].encode()))
        return
    claims = json.loads(sys.argv[3])
    if option and option[0] == "--forge":
        body = b64url(json.dumps(claims).encode())
        if option[1] == "none":
            print(b64url(b'{"alg":"none","typ":"JWT"}') + "." + body + ".")
        else:  # HS256 keyed with the RSA public key: the classic algorithm confusion
            public = open(sys.argv[6], "rb").read()
            print(hs256(public, b'{"alg":"HS256","typ":"JWT"}', json.dumps(claims).encode()))
        return
    if alg == "HS256":
        key = key.decode().strip()
    print(jwt.encode(claims, key, algorithm=alg))


main()
