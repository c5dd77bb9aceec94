"""An upstream no one at Gatehouse wrote the server of: Python's http.server, HTTP/1.1.

Like uvicorn (vLLM, SGLang, FastAPI), it answers "Expect: 100-continue" with its own
"100 Continue" before it reads the body. POST anywhere: JSON with the bytes received.
POST /always-100: sends "100 Continue" even without an Expect (an interim answer the gateway
must not take for the final one), then a 103 Early Hints, then the answer.
GET /redirect-own: 302 to this server's own absolute URL (http://<Host>/landed), as apps behind
a proxy that rewrites Host do. GET /redirect-path: 302 to the path /landed. GET /cookies: sets
an app cookie with Path=/ and tries to set the gateway's own cookie in every spelling a browser
reads as it (a space before "=", another case, a __Host- prefix, no name at all, no "=").
GET /health: 200.
Any GET answers with the request's path, headers and cookies. Usage: echo_upstream.py PORT
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.startswith("/redirect-own"):
            self.send_response(302)
            self.send_header("Location", "http://" + self.headers.get("Host") + "/landed")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/redirect-path"):
            self.send_response(302)
            self.send_header("Location", "/landed")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/cookies"):
            data = b"{}"
            self.send_response(200)
            self.send_header("Set-Cookie", "app_session=abc; Path=/; HttpOnly")
            for forged in ("gatehouse_session=forged; Path=/", "gatehouse_session =forged; Path=/",
                           "GATEHOUSE_SESSION=forged; Path=/", "__Host-gatehouse_session=forged; Path=/; Secure",
                           "=gatehouse_session=forged; Path=/", " gatehouse_session\t=forged",
                           "gatehouse_session; Path=/", "=forged"):
                self.send_header("Set-Cookie", forged)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.answer(200, {"ok": True, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})

    def do_POST(self):
        if self.path.startswith("/always-100"):
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.wfile.write(b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n")
            self.wfile.flush()
        length = int(self.headers.get("Content-Length", "0"))
        received = 0
        while received < length:
            chunk = self.rfile.read(min(65536, length - received))
            if not chunk:
                break
            received += len(chunk)
        self.answer(200, {"received": received, "expect": self.headers.get("Expect")})


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print("listening", flush=True)
    server.serve_forever()
