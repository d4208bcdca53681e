#!/usr/bin/env python3
"""A forward HTTP proxy for tests: relays plain-HTTP requests to loopback targets and logs each target URL.

Used to check that kura honours HTTP(S)_PROXY and NO_PROXY. Only loopback targets are relayed.
"""
import argparse
import http.client
import urllib.parse
import portfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log_path = ""

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        with open(self.log_path, "a") as log:
            log.write(self.path + "\n")
        if url.hostname not in ("127.0.0.1", "localhost"):
            self.send_error(403, "loopback only")
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        upstream = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "connection")}
        upstream.request("POST", url.path or "/", body=body, headers=headers)
        reply = upstream.getresponse()
        data = reply.read()
        self.send_response(reply.status)
        for key, value in reply.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    Proxy.log_path = args.log
    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    portfile.serve(server, args.port_file)


if __name__ == "__main__":
    main()
