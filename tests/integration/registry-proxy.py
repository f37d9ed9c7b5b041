#!/usr/bin/env python3
# registry-proxy.py: a proxy in front of a test registry that cuts blob downloads short, for the resume and killed-registry tests.
#
# usage: registry-proxy.py PORT UPSTREAM-PORT MODE
#   MODE cut: the first GET of each blob over 64 KiB sends half its body and
#             closes the connection; later ones (with Range) pass whole.
#        die: the first such GET sends half and the proxy exits, as a
#             registry killed mid-pull.
#        slow: blobs over 64 KiB come in 64 KiB pieces 0.1 s apart, for the
#              build view's download progress.
#        pass: everything passes.
# Logs one line per request on stderr.
import http.client
import http.server
import os
import sys
import time

PORT, UPSTREAM, MODE = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
CUT_OVER = 64 * 1024
HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}
cut_done = set()


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("proxy: " + (fmt % args) + "\n")

    def forward(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        up = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        up.request(self.command, self.path, body=body, headers=headers)
        r = up.getresponse()
        data = r.read()
        cut = (MODE in ("cut", "die") and self.command == "GET" and "/blobs/" in self.path
               and r.status == 200 and len(data) > CUT_OVER and self.path not in cut_done)
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if cut:
            cut_done.add(self.path)
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.log_message("cut %s after %d of %d bytes", self.path, len(data) // 2, len(data))
            if MODE == "die":
                os._exit(0)
            self.close_connection = True
            return
        if MODE == "slow" and "/blobs/" in self.path and len(data) > CUT_OVER:
            for i in range(0, len(data), CUT_OVER):
                self.wfile.write(data[i:i + CUT_OVER])
                self.wfile.flush()
                time.sleep(0.1)
            return
        self.wfile.write(data)

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = forward


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Proxy).serve_forever()
