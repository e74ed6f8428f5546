#!/usr/bin/env python3
"""A tiny Bearer token endpoint for the registry tests (distribution docs/spec/auth/token.md).

Usage: token_server.py PORT_FILE USER PASSWORD LOG_FILE EXPIRES_IN
Listens on 127.0.0.1 (a free port, written to PORT_FILE). GET /token with `Authorization: Basic user:password`
answers {"token": "...", "access_token": "...", "expires_in": EXPIRES_IN}; wrong or missing credentials get 401.
Each request is logged to LOG_FILE as one JSON line: {"service": ..., "scopes": [...], "user": ..., "status": ...}.
The registry runs with `auth: silly`, which accepts any Authorization header, so this exercises the client's
challenge parsing, scopes, credentials and token refresh against a real registry.
"""
import base64
import http.server
import json
import sys
import threading
import urllib.parse

port_file, user, password, log_file, expires = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
lock = threading.Lock()
counter = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        auth = self.headers.get("Authorization", "")
        who = None
        if auth.startswith("Basic "):
            try:
                who = base64.b64decode(auth[6:]).decode()
            except Exception:
                who = None
        ok = url.path == "/token" and who == f"{user}:{password}"
        with lock:
            counter[0] += 1
            n = counter[0]
            with open(log_file, "a") as f:
                f.write(json.dumps({"service": query.get("service", [None])[0], "scopes": query.get("scope", []),
                                    "user": who.split(":")[0] if who else None, "status": 200 if ok else 401}) + "\n")
        if not ok:
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}')
            return
        body = json.dumps({"token": f"token-{n}", "access_token": f"token-{n}", "expires_in": expires}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
