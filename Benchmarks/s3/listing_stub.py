#!/usr/bin/env python3
"""A read-only S3 listing endpoint over a local tree, for measuring a client's no-op.

moto_server lists a bucket in time proportional to the bucket for every page (a 20,000-object
no-op took 11 s, a 200,000-object one would take about 20 minutes) and accepts about 50 PUTs a
second, so it cannot hold the 200,000 objects issue 14's memory figure needs. This stub serves
one bucket whose objects are the regular files of a local tree, as swiftsync would have
uploaded them (key = PREFIX + relative path, LastModified = the file's mtime, ETag = its MD5,
so both an upload no-op from the tree and a download no-op into it have nothing to do), and
answers ListObjectsV2 (prefix, delimiter, continuation-token, start-after, max-keys,
encoding-type=url) and HeadBucket in O(log n + page). Anything else — a PUT, GET or DELETE, a
second bucket — is answered 501 and counted, so a run that was not a no-op fails loudly
(the client reports the error) instead of being measured. Requests are not authenticated.

    listing_stub.py TREE --bucket NAME --prefix PREFIX --port-file FILE

It binds a free loopback port, writes it to FILE once it serves, and runs until killed.
"""
import argparse
import base64
import bisect
import datetime
import hashlib
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


def load(tree, prefix):
    """(key bytes, size, mtime seconds, md5 hex) for every regular file, in S3's byte order."""
    objects = []
    for directory, _, files in os.walk(tree):
        for name in files:
            path = os.path.join(directory, name)
            status = os.lstat(path)
            if not (status.st_mode & 0o170000 == 0o100000):
                continue
            digest = hashlib.md5()
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
            key = (prefix + os.path.relpath(path, tree)).encode()
            objects.append((key, status.st_size, int(status.st_mtime), digest.hexdigest()))
    objects.sort(key=lambda o: o[0])
    return objects


def iso(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def after(prefix_bytes):
    """The smallest byte string greater than every string starting with prefix_bytes."""
    return prefix_bytes[:-1] + bytes([prefix_bytes[-1] + 1])


class Bucket:
    def __init__(self, name, objects):
        self.name = name
        self.objects = objects
        self.keys = [o[0] for o in objects]
        self.refused = 0
        self.lock = threading.Lock()

    def list_page(self, query):
        prefix = query.get("prefix", "").encode()
        delimiter = query.get("delimiter", "").encode()
        max_keys = min(int(query.get("max-keys", "1000")), 1000)
        url = query.get("encoding-type") == "url"
        start = prefix
        if "continuation-token" in query:
            start = max(start, base64.urlsafe_b64decode(query["continuation-token"]))
        elif "start-after" in query:
            start = max(start, query["start-after"].encode() + b"\0")
        i = bisect.bisect_left(self.keys, start)
        contents, common = [], []
        while i < len(self.keys) and len(contents) + len(common) < max_keys:
            key = self.keys[i]
            if not key.startswith(prefix):
                break
            cut = key.find(delimiter, len(prefix)) if delimiter else -1
            if cut >= 0:
                group = key[: cut + len(delimiter)]
                common.append(group)
                i = bisect.bisect_left(self.keys, after(group))
            else:
                contents.append(self.objects[i])
                i += 1
        truncated = i < len(self.keys) and self.keys[i].startswith(prefix)

        def name(b):
            text = b.decode()
            return escape(urllib.parse.quote(text, safe="/~-._") if url else text)

        parts = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
                 f"<Name>{escape(self.name)}</Name><Prefix>{name(prefix)}</Prefix>",
                 f"<KeyCount>{len(contents) + len(common)}</KeyCount><MaxKeys>{max_keys}</MaxKeys>",
                 f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>"]
        if url:
            parts.append("<EncodingType>url</EncodingType>")
        if delimiter:
            parts.append(f"<Delimiter>{name(delimiter)}</Delimiter>")
        if truncated:
            token = base64.urlsafe_b64encode(self.keys[i]).decode()  # the next key, inclusive
            parts.append(f"<NextContinuationToken>{token}</NextContinuationToken>")
        for key, size, mtime, md5 in contents:
            parts.append(f"<Contents><Key>{name(key)}</Key><LastModified>{iso(mtime)}</LastModified>"
                         f"<ETag>&quot;{md5}&quot;</ETag><Size>{size}</Size>"
                         "<StorageClass>STANDARD</StorageClass></Contents>")
        for group in common:
            parts.append(f"<CommonPrefixes><Prefix>{name(group)}</Prefix></CommonPrefixes>")
        parts.append("</ListBucketResult>")
        return "".join(parts).encode()


def handler_for(bucket):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def target(self):
            url = urllib.parse.urlsplit(self.path)
            path = urllib.parse.unquote(url.path).lstrip("/")
            name, _, key = path.partition("/")
            return name, key, dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))

        def reply(self, status, body=b"", content_type="application/xml"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def refuse(self):
            with bucket.lock:
                bucket.refused += 1
            print(f"listing_stub: refused {self.command} {self.path}", file=sys.stderr, flush=True)
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            self.reply(501, b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code>'
                            b"<Message>listing_stub serves listings only</Message></Error>")

        def do_GET(self):
            name, key, query = self.target()
            if name == bucket.name and not key and query.get("list-type") == "2":
                self.reply(200, bucket.list_page(query))
            else:
                self.refuse()

        def do_HEAD(self):
            name, key, query = self.target()
            if name == bucket.name and not key and not query:
                self.reply(200)
            else:
                self.refuse()

        do_PUT = do_POST = do_DELETE = refuse

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree")
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--prefix", default="")
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    bucket = Bucket(args.bucket, load(args.tree, args.prefix))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(bucket))
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(args.port_file + ".tmp", args.port_file)
    print(f"listing_stub: {len(bucket.objects)} objects in s3://{args.bucket}/{args.prefix}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
