"""boto3 session of scripts/client-smoke.sh (see lib.sh for its environment)."""
import base64
import hashlib
import os
import sys
import urllib.error
import urllib.request
import zlib

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

MiB = 1024 * 1024
ep = os.environ["SMOKE_EP"]
bucket = os.environ["SMOKE_BUCKET"]
work = os.getcwd()


step_no = 0


def step(msg):
    global step_no
    step_no += 1
    print(f"\n[boto3 {step_no:02d}] {msg}", flush=True)
    with open(os.environ["SMOKE_STEP_FILE"], "w") as f:
        f.write(msg + "\n")


def check(cond, msg):
    if not cond:
        print(f"FAIL (boto3): {msg}", file=sys.stderr, flush=True)
        sys.exit(1)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            h.update(block)
    return h.hexdigest()


s3 = boto3.client(
    "s3",
    endpoint_url=ep,
    region_name=os.environ["SMOKE_REGION"],
    config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard"}),
)

step(f"create_bucket {bucket}")
s3.create_bucket(Bucket=bucket)

step("put_object/get_object with ChecksumAlgorithm=CRC32")
body = os.urandom(MiB + 123)
crc = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
put = s3.put_object(Bucket=bucket, Key="crc/object.bin", Body=body, ChecksumAlgorithm="CRC32")
check(put.get("ChecksumCRC32") == crc, f"PutObject ChecksumCRC32 {put.get('ChecksumCRC32')!r}, want {crc!r}")
got = s3.get_object(Bucket=bucket, Key="crc/object.bin", ChecksumMode="ENABLED")
data = got["Body"].read()
check(data == body, f"get_object returned {len(data)} bytes that differ from the {len(body)} put")
check(got.get("ChecksumCRC32") == crc, f"GetObject ChecksumCRC32 {got.get('ChecksumCRC32')!r}, want {crc!r}")

step("upload_file 20 MiB (multipart_threshold 5 MiB) and download_file")
src = os.path.join(work, "py-20m.bin")
dst = os.path.join(work, "py-20m.down")
with open(src, "wb") as f:
    f.write(os.urandom(20 * MiB))
tc = TransferConfig(multipart_threshold=5 * MiB)
s3.upload_file(src, bucket, "py/20m.bin", Config=tc)
head = s3.head_object(Bucket=bucket, Key="py/20m.bin")
check(head["ContentLength"] == 20 * MiB, f"ContentLength {head['ContentLength']}")
parts = -(-20 * MiB // tc.multipart_chunksize)
check(head["ETag"].endswith(f'-{parts}"'), f"ETag {head['ETag']} is not that of a {parts}-part upload")
s3.download_file(bucket, "py/20m.bin", dst, Config=tc)
check(sha256_file(src) == sha256_file(dst), "downloaded 20 MiB file differs")

step("list_objects_v2 paginator (25 keys, pages of 10) and a delimiter listing")
keys = [f"many/key-{i:03d}" for i in range(25)]
for k in keys:
    s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
pages = list(
    s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix="many/", PaginationConfig={"PageSize": 10}
    )
)
listed = [o["Key"] for p in pages for o in p.get("Contents", [])]
check(listed == keys, f"paginated listing {listed}")
check([p["KeyCount"] for p in pages] == [10, 10, 5], f"page sizes {[p['KeyCount'] for p in pages]}")
top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
prefixes = sorted(p["Prefix"] for p in top.get("CommonPrefixes", []))
check(prefixes == ["crc/", "many/", "py/"], f"common prefixes {prefixes}")
check(not top.get("Contents"), f"unexpected top-level keys {top.get('Contents')}")

step("delete_objects (25 keys in one request)")
resp = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
check(not resp.get("Errors"), f"delete_objects errors {resp.get('Errors')}")
check(sorted(d["Key"] for d in resp.get("Deleted", [])) == keys, "delete_objects did not report every key")
left = s3.list_objects_v2(Bucket=bucket, Prefix="many/")
check(left["KeyCount"] == 0, f"{left['KeyCount']} keys left after delete_objects")

step("generate_presigned_url + urllib")
url = s3.generate_presigned_url(
    "get_object", Params={"Bucket": bucket, "Key": "crc/object.bin"}, ExpiresIn=300
)
with urllib.request.urlopen(url, timeout=30) as r:
    check(r.status == 200, f"presigned GET status {r.status}")
    check(r.read() == body, "presigned GET body differs")
if os.environ.get("SMOKE_SKIP_AUTH_CHECK") != "1":
    step("a presigned URL with a wrong signature -> 403")
    sig_at = url.index("Signature=") + len("Signature=")
    flipped = "0" if url[sig_at] != "0" else "1"
    bad = url[:sig_at] + flipped + url[sig_at + 1 :]
    try:
        urllib.request.urlopen(bad, timeout=30)
        check(False, "a presigned URL with a wrong signature was accepted")
    except urllib.error.HTTPError as e:
        check(e.code == 403, f"wrong signature answered {e.code}, want 403")

step("head_object of a missing key -> 404")
try:
    s3.head_object(Bucket=bucket, Key="no/such/key")
    check(False, "head_object of a missing key succeeded")
except ClientError as e:
    status = e.response["ResponseMetadata"]["HTTPStatusCode"]
    code = e.response["Error"]["Code"]
    check(status == 404 and code in ("404", "NoSuchKey", "NotFound"), f"got {status} {code}")

step("put_bucket_cors (two rules), get_bucket_cors returns them")
cors_rules = [
    {
        "ID": "app-read",
        "AllowedMethods": ["GET", "HEAD"],
        "AllowedOrigins": ["https://app.example.com"],
        "AllowedHeaders": ["*"],
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": 600,
    },
    {
        "ID": "local-put",
        "AllowedMethods": ["PUT"],
        "AllowedOrigins": ["http://localhost:3000"],
    },
]
s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": cors_rules})
got_rules = s3.get_bucket_cors(Bucket=bucket).get("CORSRules")
check(got_rules == cors_rules, f"get_bucket_cors returned {got_rules}, want {cors_rules}")


def preflight(key, origin, method):
    """Sends a browser's preflight (unsigned OPTIONS); returns (status, headers)."""
    req = urllib.request.Request(
        f"{ep}/{bucket}/{key}",
        method="OPTIONS",
        headers={"Origin": origin, "Access-Control-Request-Method": method},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.headers


step("CORS preflights: an allowed origin and method -> 200, another origin -> 403")
for origin, method in (("https://app.example.com", "GET"), ("http://localhost:3000", "PUT")):
    status, hdrs = preflight("crc/object.bin", origin, method)
    check(status == 200, f"preflight {method} from {origin} answered {status}, want 200")
    allow_origin = hdrs.get("Access-Control-Allow-Origin")
    check(allow_origin == origin, f"preflight from {origin}: Access-Control-Allow-Origin {allow_origin!r}")
    allow_methods = [m.strip() for m in (hdrs.get("Access-Control-Allow-Methods") or "").split(",")]
    check(method in allow_methods, f"preflight {method}: Access-Control-Allow-Methods {allow_methods}")
status, _ = preflight("crc/object.bin", "https://evil.example.com", "GET")
check(status == 403, f"preflight from an origin no rule allows answered {status}, want 403")
status, _ = preflight("crc/object.bin", "http://localhost:3000", "DELETE")
check(status == 403, f"preflight of a method no rule allows answered {status}, want 403")

step("GET of an object with an allowed Origin carries Access-Control-Allow-Origin")
url = s3.generate_presigned_url(
    "get_object", Params={"Bucket": bucket, "Key": "crc/object.bin"}, ExpiresIn=300
)
req = urllib.request.Request(url, headers={"Origin": "https://app.example.com"})
with urllib.request.urlopen(req, timeout=30) as r:
    check(r.status == 200, f"GET with Origin status {r.status}")
    check(r.read() == body, "GET with Origin body differs")
    allow_origin = r.headers.get("Access-Control-Allow-Origin")
    check(
        allow_origin == "https://app.example.com",
        f"GET with Origin: Access-Control-Allow-Origin {allow_origin!r}",
    )

step("delete_bucket_cors, then get_bucket_cors -> NoSuchCORSConfiguration")
s3.delete_bucket_cors(Bucket=bucket)
try:
    s3.get_bucket_cors(Bucket=bucket)
    check(False, "get_bucket_cors succeeded after delete_bucket_cors")
except ClientError as e:
    code = e.response["Error"]["Code"]
    check(code == "NoSuchCORSConfiguration", f"get_bucket_cors after delete: {code}")

step("SSE-S3 and SSE-KMS: put_object, upload_file (multipart) and get_object report and undo them")
sealed = os.urandom(3 * MiB + 5)
put = s3.put_object(Bucket=bucket, Key="sse/s3.bin", Body=sealed, ServerSideEncryption="AES256")
check(put.get("ServerSideEncryption") == "AES256", f"PutObject SSE {put.get('ServerSideEncryption')!r}")
got = s3.get_object(Bucket=bucket, Key="sse/s3.bin")
check(got.get("ServerSideEncryption") == "AES256", "GetObject does not report AES256")
check(got["Body"].read() == sealed, "SSE-S3 object read back different")
s3.upload_file(src, bucket, "sse/kms.bin", Config=tc,
               ExtraArgs={"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "smoke-1"})
head = s3.head_object(Bucket=bucket, Key="sse/kms.bin")
check(head.get("SSEKMSKeyId") == "smoke-1", f"HeadObject SSEKMSKeyId {head.get('SSEKMSKeyId')!r}")
s3.download_file(bucket, "sse/kms.bin", dst + ".kms", Config=tc)
check(sha256_file(dst + ".kms") == sha256_file(src), "SSE-KMS multipart object read back different")

step("bucket default encryption: a plain put_object is encrypted, then the default is removed")
s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
conf = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
check(conf["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", f"{conf}")
put = s3.put_object(Bucket=bucket, Key="sse/default.txt", Body=b"by default")
check(put.get("ServerSideEncryption") == "AES256", "the bucket default was not applied")
s3.delete_bucket_encryption(Bucket=bucket)

step("SSE-C over plain HTTP is refused (InvalidRequest): the key would cross the wire in clear")
try:
    s3.put_object(Bucket=bucket, Key="sse/c.bin", Body=b"x", SSECustomerAlgorithm="AES256",
                  SSECustomerKey=os.urandom(32))
    check(False, "SSE-C over plain HTTP was accepted")
except ClientError as e:
    code = e.response["Error"]["Code"]
    check(code == "InvalidRequest", f"SSE-C over HTTP: {code}")

step("select_object_content: a CSV filtered to JSON, and a bad cast ends in its error event")
rows = "".join(f"{i},name{i},{i * 7 % 50}\n" for i in range(2000))
s3.put_object(Bucket=bucket, Key="select/t.csv", Body=("id,name,score\n" + rows).encode())


def select(sql, output):
    answer = s3.select_object_content(
        Bucket=bucket, Key="select/t.csv", Expression=sql, ExpressionType="SQL",
        InputSerialization={"CSV": {"FileHeaderInfo": "USE"}}, OutputSerialization=output)
    records, ended = b"", False
    for event in answer["Payload"]:
        records += event.get("Records", {}).get("Payload", b"")
        ended = ended or "End" in event
    check(ended, "the select answer had no End event")
    return records.decode()


got = select("SELECT s.id, s.name FROM S3Object s WHERE CAST(s.score AS INT) = 49 LIMIT 3",
             {"JSON": {}})
want = "".join(f'{{"id":"{i}","name":"name{i}"}}\n' for i in range(2000) if i * 7 % 50 == 49)
check(got == "".join(want.splitlines(True)[:3]), f"select answered {got!r}")
check(select("select count(*) from s3object", {"CSV": {}}) == "2000\n", "count(*)")
try:
    select("select cast(name as int) from s3object", {"CSV": {}})
    check(False, "a failing cast ended without an error")
except Exception as e:  # botocore's EventStreamError
    check("CastFailed" in str(e), f"the error event: {e}")

step("clean up the bucket")
s3.delete_object(Bucket=bucket, Key="select/t.csv")
for k in ("sse/s3.bin", "sse/kms.bin", "sse/default.txt"):
    s3.delete_object(Bucket=bucket, Key=k)
for k in ("crc/object.bin", "py/20m.bin"):
    s3.delete_object(Bucket=bucket, Key=k)
s3.delete_bucket(Bucket=bucket)
print("  boto3 session passed", flush=True)
