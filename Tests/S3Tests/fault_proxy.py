"""A loopback HTTP proxy in front of moto_server that injects faults, for the retry tests, and
can check every request's SigV4 signature with botocore (moto checks none).

usage: fault_proxy.py LISTEN_PORT UPSTREAM_URL PLAN [SECRET_ACCESS_KEY]
PLAN: comma-separated faults applied to requests 1, 2, 3, ... in order (then every request
passes): "ok" passes the request, "503" answers 503 SlowDown, "500" answers 500 InternalError,
"drop" closes the connection without an answer, "cut" forwards the request but cuts the answer
after its headers, "ec2:STATUS:CODE" answers an EC2 Query API error, "echo:STATUS" answers STATUS
with an HTML page (not an S3 error document) echoing the request's headers, as some proxies do,
"sleep:SECONDS" forwards the request after that long (its line is printed first, so a test can
act while a request is held). "every=N:FAULT" instead
applies FAULT to every N-th request; "action=NAME:FAULT,FAULT..." applies the faults in order to
the requests of the Query API action NAME only (e.g. "action=AttachVolume:ok,ec2:400:AttachmentLimitExceeded").
With SECRET_ACCESS_KEY, each signed request's Authorization header is recomputed with botocore
from what arrived (method, URL, signed headers, body); a mismatch is answered 403
SignatureDoesNotMatch and logged as the fault "sigv4-mismatch".
Prints "ready" once listening; on stdout, one line per request: number, method, path, the
Query API action (when there is one), fault.
"""
import datetime
import http.client
import http.server
import re
import socketserver
import sys
import threading
import time
import urllib.parse

listen_port, upstream, plan = int(sys.argv[1]), urllib.parse.urlparse(sys.argv[2]), sys.argv[3]
secret = sys.argv[4] if len(sys.argv) > 4 else None
counter = 0
lock = threading.Lock()
every = None
only_action = None
faults = []
if plan.startswith("every="):
    n, fault = plan[len("every="):].split(":", 1)
    every = (int(n), fault)
elif plan.startswith("action="):
    only_action, rest = plan[len("action="):].split(":", 1)
    faults = rest.split(",")
elif plan:
    faults = plan.split(",")
action_counts = {}
signing_lock = threading.Lock()

ERRORS = {
    "503": (503, "SlowDown", "Please reduce your request rate."),
    "500": (500, "InternalError", "We encountered an internal error. Please try again."),
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def fault_for_next(self, action):
        global counter
        with lock:
            counter += 1
            number = counter
            nth_of_action = action_counts[action] = action_counts.get(action, 0) + 1
        if every:
            fault = every[1] if number % every[0] == 0 else "ok"
        elif only_action is not None:
            fault = faults[nth_of_action - 1] if action == only_action and nth_of_action <= len(faults) else "ok"
        else:
            fault = faults[number - 1] if number <= len(faults) else "ok"
        return number, fault

    def signature_matches(self, body):
        """Recomputes the request's SigV4 Authorization with botocore from what arrived."""
        import botocore.auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        auth = self.headers.get("Authorization") or ""
        m = re.fullmatch(r"AWS4-HMAC-SHA256 Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}", auth)
        if not m:
            return False
        key, region, service, signed = m.groups()
        moment = datetime.datetime.strptime(self.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
        botocore.auth.get_current_datetime = lambda: moment
        headers = {name: self.headers[name] for name in signed.split(";")}
        request = AWSRequest(method=self.command, url=f"http://{self.headers['Host']}{self.path}", data=body, headers=headers)
        credentials = Credentials(key, secret, self.headers.get("X-Amz-Security-Token"))
        signer = (botocore.auth.S3SigV4Auth if service == "s3" else botocore.auth.SigV4Auth)(credentials, service, region)
        signer._should_sha256_sign_payload = lambda request: True
        signer.add_auth(request)
        return request.headers["Authorization"] == auth

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        form = urllib.parse.parse_qs(body.decode(errors="replace")) if b"Action=" in body else {}
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        action = (form.get("Action") or query.get("Action") or [None])[0]
        number, fault = self.fault_for_next(action)
        if secret is not None and "Authorization" in self.headers:
            with signing_lock:  # botocore's clock is patched module-wide
                if not self.signature_matches(body):
                    fault = "sigv4-mismatch"
        print(number, self.command, self.path, *([action] if action else []), fault, flush=True)
        if fault == "sigv4-mismatch":
            self.answer(403, b"<?xml version=\"1.0\"?><Response><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>botocore computes another signature</Message></Error></Errors></Response>")
            return
        if fault.startswith("ec2:"):
            _, status, code = fault.split(":", 2)
            self.answer(int(status), f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{code}</Code><Message>injected by fault_proxy</Message></Error></Errors><RequestID>fault-{number}</RequestID></Response>".encode())
            return
        if fault.startswith("echo:"):
            echoed = "".join(f"<li>{k}: {v}</li>" for k, v in self.headers.items())
            payload = f"<html><body><h1>Bad Gateway</h1><ul>{echoed}</ul></body></html>".encode()
            self.send_response(int(fault.split(":", 1)[1]))
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        if fault.startswith("sleep:"):
            time.sleep(float(fault.split(":", 1)[1]))
        if fault == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if fault in ERRORS:
            status, code, message = ERRORS[fault]
            self.answer(status, f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>".encode())
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

    def answer(self, status, payload):
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", listen_port), Handler)
print("ready", flush=True)
server.serve_forever()
