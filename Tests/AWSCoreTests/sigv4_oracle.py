"""Signs requests with botocore (the AWS CLI's signer) for SigV4SignerTests.

stdin: a JSON list of {service, region, key, secret, token?, time (epoch seconds), method, host,
path, query: [[k, v], ...], headers: [[k, v], ...], payload_hash}. stdout: a JSON list of the
Authorization header values, in the same order.
"""
import datetime
import json
import sys
import urllib.parse

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

out = []
for case in json.load(sys.stdin):
    moment = datetime.datetime.fromtimestamp(case["time"], datetime.timezone.utc).replace(tzinfo=None)
    botocore.auth.get_current_datetime = lambda moment=moment: moment
    query = urllib.parse.urlencode([tuple(pair) for pair in case["query"]], quote_via=lambda v, *_: urllib.parse.quote(v, safe="~"))
    url = f"https://{case['host']}{case['path']}" + (f"?{query}" if query else "")
    request = AWSRequest(method=case["method"], url=url, headers=dict(case["headers"]))
    credentials = Credentials(case["key"], case["secret"], case.get("token"))
    if case["service"] == "s3":
        signer = botocore.auth.S3SigV4Auth(credentials, "s3", case["region"])
        request.headers["X-Amz-Content-SHA256"] = case["payload_hash"]
    else:
        signer = botocore.auth.SigV4Auth(credentials, case["service"], case["region"])
        request.context["payload_signing_enabled"] = True
    signer.payload_signing_enabled = True
    signer._should_sha256_sign_payload = lambda request: True
    signer.payload = lambda request, h=case["payload_hash"]: h
    signer.add_auth(request)
    out.append(request.headers["Authorization"])
json.dump(out, sys.stdout)
