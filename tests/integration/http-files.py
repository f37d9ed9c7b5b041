#!/usr/bin/env python3
# http-files.py: a small HTTP server for ADD URL tests: serves a directory (with ETags; If-None-Match gets a 304), /named/NAME with a Content-Disposition, /moved/P as a 302 to /P, /nameless/ with no file name; prints its port on stdout.
import email.utils
import hashlib
import http.server
import os
import sys

ROOT = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("http-files: " + (fmt % args) + "\n")

    def send_file(self, path, extra=()):
        try:
            with open(path, "rb") as f:
                data = f.read()
            mtime = os.stat(path).st_mtime
        except OSError:
            self.send_error(404)
            return
        etag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        p = self.path.split("?", 1)[0]
        if p.startswith("/moved/"):
            self.send_response(302)
            self.send_header("Location", "/" + p[len("/moved/"):])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif p.startswith("/named/"):
            name = p[len("/named/"):]
            self.send_file(os.path.join(ROOT, "body.txt"),
                           [("Content-Disposition", 'attachment; filename="%s"' % name)])
        elif p == "/nameless/":
            self.send_file(os.path.join(ROOT, "body.txt"))
        else:
            self.send_file(os.path.join(ROOT, p.lstrip("/")))


srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(srv.server_address[1], flush=True)
srv.serve_forever()
