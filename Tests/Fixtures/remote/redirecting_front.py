#!/usr/bin/env python3
"""A registry front that redirects blob downloads to "blob storage" on another origin, like S3-backed registries.

Usage: redirecting_front.py PORT_FILE UPSTREAM_PORT USER PASSWORD LOG_FILE
Listens on 127.0.0.1 (free port written to PORT_FILE). Requests to the API need `Authorization: Basic user:password`
(else 401 with a Basic challenge) and are proxied to the open registry on 127.0.0.1:UPSTREAM_PORT, except
`GET /v2/<name>/blobs/<digest>`, answered with 307 to http://localhost:<port>/storage/<name>/blobs/<digest> — the
same server under another host name, i.e. another origin. Every request is logged as a JSON line
{"path": ..., "host": ..., "authorization": bool} so a test can check that Authorization never reaches the storage.
"""
import base64
import http.client
import http.server
import json
import os
import re
import sys
import threading

port_file, upstream, user, password, log_file = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
lock = threading.Lock()
BLOB = re.compile(r"^/v2/(.+)/blobs/(sha256:[0-9a-f]{64})$")


class Front(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self):
        with lock, open(log_file, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path, "host": self.headers.get("Host"),
                                "authorization": "Authorization" in self.headers}) + "\n")

    def proxy(self, path):
        length = int(self.headers.get("Content-Length", "0") or "0")
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "authorization", "connection")}
        conn = http.client.HTTPConnection("127.0.0.1", upstream)
        conn.request(self.command, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() in ("content-length", "connection", "transfer-encoding"):
                continue
            if k.lower() == "location":
                v = v.replace(f"127.0.0.1:{upstream}", self.headers.get("Host", ""))
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def handle_any(self):
        self.record()
        if self.path.startswith("/storage/"):
            return self.proxy("/v2/" + self.path[len("/storage/"):])
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="front"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        m = BLOB.match(self.path)
        if m and self.command == "GET":
            self.send_response(307)
            self.send_header("Location", f"http://localhost:{self.server.server_address[1]}/storage/{m.group(1)}/blobs/{m.group(2)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.proxy(self.path)

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Front)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
