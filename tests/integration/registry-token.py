#!/usr/bin/env python3
# registry-token.py: a bearer token server for the test registry (Docker's token auth): anyone may pull public/*, user kiln (password s3cret) may do anything.
#
# usage: registry-token.py PORT KEY.pem CERT.pem SERVICE ISSUER
# GET /token?service=S&scope=repository:NAME:ACTIONS... with or without
# Basic auth -> {"token": JWT (RS256, x5c), "expires_in": 300}; a wrong
# password -> 401. Tokens are signed with openssl(1). Logs each request.
import base64
import http.server
import json
import subprocess
import sys
import time
import urllib.parse

PORT, KEY, CERT, SERVICE, ISSUER = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
USER, PASSWORD = "kiln", "s3cret"
DER = subprocess.run(["openssl", "x509", "-in", CERT, "-outform", "DER"],
                     check=True, capture_output=True).stdout
X5C = base64.b64encode(DER).decode()


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def sign(claims):
    head = {"typ": "JWT", "alg": "RS256", "x5c": [X5C]}
    data = b64(json.dumps(head).encode()) + b"." + b64(json.dumps(claims).encode())
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", KEY], input=data,
                         check=True, capture_output=True).stdout
    return (data + b"." + b64(sig)).decode()


def grants(scopes, authed):
    out = []
    for s in scopes:
        parts = s.split(":")
        if len(parts) != 3 or parts[0] != "repository":
            continue
        acts = parts[2].split(",")
        if not authed:
            acts = [a for a in acts if a == "pull" and parts[1].startswith("public/")]
        out.append({"type": "repository", "name": parts[1], "actions": acts})
    return out


class Token(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("token: " + (fmt % args) + "\n")

    def answer(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        auth = self.headers.get("Authorization", "")
        authed = False
        if auth.startswith("Basic "):
            user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            if (user, pw) != (USER, PASSWORD):
                return self.answer(401, {"errors": [{"code": "UNAUTHORIZED",
                                                     "message": "bad username or password"}]})
            authed = True
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": USER if authed else "", "aud": SERVICE,
                  "exp": now + 300, "nbf": now - 10, "iat": now, "jti": str(now) + self.path,
                  "access": grants(q.get("scope", []), authed)}
        self.answer(200, {"token": sign(claims), "expires_in": 300})


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Token).serve_forever()
