"""What the EC2 end-to-end tests share: a fake instance started on moto with the aws CLI, a fake
instance metadata service (IMDSv2 only: a token first, then requests carrying it) that names
that instance, and fault_proxy.py in front of moto checking every signature with botocore.

moto_server serves metadata too, but always names the instance "i-fake", which its own EC2 does
not know; so the tests serve the metadata of the instance they started."""
import contextlib
import http.server
import json
import pathlib
import subprocess
import sys
import threading

import s3_support

FAULT_PROXY = pathlib.Path(__file__).resolve().parents[1] / "S3Tests" / "fault_proxy.py"


def run_instance(moto):
    """A new instance on moto; returns (instance id, availability zone)."""
    r = s3_support.aws(moto, "ec2", "run-instances", "--image-id", "ami-12c6146b", "--count", "1")
    instance = json.loads(r.stdout)["Instances"][0]
    return instance["InstanceId"], instance["Placement"]["AvailabilityZone"]


def describe_volumes(moto, *filters):
    """The volumes `aws ec2 describe-volumes` lists, for filters given as NAME=VALUE."""
    args = ["ec2", "describe-volumes"]
    if filters:
        args += ["--filters", *[f"Name={f.split('=', 1)[0]},Values={f.split('=', 1)[1]}" for f in filters]]
    return json.loads(s3_support.aws(moto, *args).stdout)["Volumes"]


class Metadata:
    """A fake IMDSv2 service on a free loopback port; `requests` records (method, path, token)."""

    TOKEN = "imds-token-for-tests"

    def __init__(self, instance_id, zone):
        self.values = {"instance-id": instance_id, "placement/availability-zone": zone, "placement/region": zone[:-1]}
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, text):
                body = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_PUT(self):
                outer.requests.append(("PUT", self.path, None))
                if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                    self.reply(200, Metadata.TOKEN)
                else:
                    self.reply(400, "bad token request")

            def do_GET(self):
                token = self.headers.get("X-aws-ec2-metadata-token")
                outer.requests.append(("GET", self.path, token))
                if token != Metadata.TOKEN:
                    self.reply(401, "IMDSv2 token required")
                    return
                key = self.path[len("/latest/meta-data/"):] if self.path.startswith("/latest/meta-data/") else None
                if key in outer.values:
                    self.reply(200, outer.values[key])
                else:
                    self.reply(404, "not found")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", s3_support.free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def proxy(moto, plan=""):
    """fault_proxy.py in front of `moto` with `plan`, checking every signature against the test
    secret; yields (url, log) where log() stops the proxy and returns its request lines."""
    port = s3_support.free_port()
    proc = subprocess.Popen([sys.executable, str(FAULT_PROXY), str(port), moto, plan, s3_support.ENV["AWS_SECRET_ACCESS_KEY"]],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready", "fault_proxy.py did not start: " + proc.stderr.read()
    lines = []

    def log():
        if proc.poll() is None:
            proc.kill()
            out, _ = proc.communicate()
            lines.extend(out.splitlines())
        return lines

    try:
        yield f"http://127.0.0.1:{port}", log
    finally:
        log()


def environment(metadata=None):
    """The test credentials; the metadata service when given (else metadata disabled)."""
    env = dict(s3_support.ENV)
    if metadata:
        env.pop("AWS_EC2_METADATA_DISABLED")
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = metadata.url
    return env
