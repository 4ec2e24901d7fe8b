#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A scripted stand-in for kube-apiserver's HTTP behaviour, for the
libsfck8s unit tests (tests/unit/test_k8s_*.c): the tests must run
without a cluster, yet 401s, 410s, chunked watch streams cut at odd
places and dropped connections have to travel through real libcurl.

usage: k8s_fake_api.py SCRIPT LOG [--port N] [--tls CERT KEY [CLIENT_CA]]

SCRIPT is a JSON list of steps. A request takes the first unused step
whose method and path match, whose "query" items are all in the
request's query (a value of "*": any value; null: must be absent), and
whose "auth" (if any) equals the Authorization header. The step
answers with "status" and "body" (JSON), "raw" (text), or "chunks"
(chunked transfer encoding, one write per piece, "delay_ms" apart), then
ends the stream per "end": "clean" (the last chunk), "abort" (close
without it) or "hold" (until the client goes). Unmatched requests get a
500 Status. Every request is appended to LOG as one JSON line. Prints
"PORT <n>" once listening.
"""
import http.server
import json
import socket
import ssl
import sys
import threading
import time
import urllib.parse

lock = threading.Lock()
steps = []
used = []
log_file = None


def matches(step, method, path, query, auth):
    if step.get("method", "GET") != method or step["path"] != path:
        return False
    for k, v in step.get("query", {}).items():
        if v is None:
            if k in query:
                return False
        elif k not in query or (v != "*" and query[k] != v):
            return False
    return "auth" not in step or step["auth"] == auth


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        auth = self.headers.get("Authorization", "")
        n = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(n).decode() if n else ""
        with lock:
            idx = next((i for i, s in enumerate(steps) if not used[i] and
                        matches(s, self.command, url.path, query, auth)), -1)
            if idx >= 0:
                used[idx] = True
            peer = None
            if isinstance(self.connection, ssl.SSLSocket):
                cert = self.connection.getpeercert()
                if cert:
                    peer = dict(x[0] for x in cert["subject"]).get("commonName")
            log_file.write(json.dumps({
                "method": self.command, "path": url.path, "raw_query": url.query,
                "query": query, "auth": auth, "client_cn": peer,
                "ctype": self.headers.get("Content-Type", ""), "body": body,
                "step": idx}) + "\n")
            log_file.flush()
        if idx < 0:
            self.answer({"status": 500, "body": {
                "kind": "Status", "status": "Failure", "code": 500,
                "message": "fake: no scripted answer for %s %s" % (self.command, self.path)}})
        else:
            self.answer(steps[idx])

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any

    def answer(self, step):
        self.send_response(step.get("status", 200))
        self.send_header("Content-Type", "application/json")
        if "chunks" in step:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.stream(step)
            return
        data = step["raw"] if "raw" in step else json.dumps(step.get("body", {}))
        data = data.encode()
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def stream(self, step):
        try:
            for piece in step["chunks"]:
                b = piece.encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(b), b))
                self.wfile.flush()
                time.sleep(step.get("delay_ms", 0) / 1000.0)
            end = step.get("end", "clean")
            if end == "clean":
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                return
            if end == "hold":
                self.connection.settimeout(30)
                while self.connection.recv(1):
                    pass
        except OSError:
            pass
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def main():
    global steps, used, log_file
    args = sys.argv[1:]
    steps = json.load(open(args[0]))
    used = [False] * len(steps)
    log_file = open(args[1], "a")
    port, tls = 0, None
    i = 2
    while i < len(args):
        if args[i] == "--port":
            port = int(args[i + 1])
            i += 2
        elif args[i] == "--tls":
            tls = args[i + 1:]
            break
        else:
            sys.exit("unknown argument " + args[i])
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls[0], tls[1])
        if len(tls) > 2:
            ctx.load_verify_locations(tls[2])
            ctx.verify_mode = ssl.CERT_REQUIRED
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print("PORT %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


main()
