"""A loopback HTTP proxy in front of moto_server that injects faults, for the retry tests.

usage: fault_proxy.py LISTEN_PORT UPSTREAM_URL PLAN
PLAN: comma-separated faults applied to requests 1, 2, 3, ... in order (then every request
passes): "ok" passes the request, "503" answers 503 SlowDown, "500" answers 500 InternalError,
"drop" closes the connection without an answer, "cut" forwards the request but cuts the answer
after its headers. "every=N:FAULT" instead applies FAULT to every N-th request.
Prints "ready" once listening; on stdout, one line per request: number, method, path, fault.
"""
import http.client
import http.server
import socketserver
import sys
import threading
import urllib.parse

listen_port, upstream, plan = int(sys.argv[1]), urllib.parse.urlparse(sys.argv[2]), sys.argv[3]
counter = 0
lock = threading.Lock()
every = None
faults = []
if plan.startswith("every="):
    n, fault = plan[len("every="):].split(":")
    every = (int(n), fault)
elif plan:
    faults = plan.split(",")

ERRORS = {
    "503": (503, "SlowDown", "Please reduce your request rate."),
    "500": (500, "InternalError", "We encountered an internal error. Please try again."),
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def fault_for_next(self):
        global counter
        with lock:
            counter += 1
            number = counter
        if every:
            fault = every[1] if number % every[0] == 0 else "ok"
        else:
            fault = faults[number - 1] if number <= len(faults) else "ok"
        print(number, self.command, self.path, fault, flush=True)
        return fault

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fault = self.fault_for_next()
        if fault == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if fault in ERRORS:
            status, code, message = ERRORS[fault]
            payload = f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
        conn.request(self.command, self.path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        self.send_response(response.status)
        for k, v in response.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if fault == "cut":
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", listen_port), Handler)
print("ready", flush=True)
server.serve_forever()
