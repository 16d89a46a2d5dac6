// AWS SDK for JavaScript v3 session of scripts/client-smoke.sh (see
// ../lib.sh for its environment). The client is made as a user of an S3
// store that is not AWS makes it: endpoint, region, credentials, path-style;
// everything else (checksums, retries, multipart part size) default.
//
// client-smoke.sh copies this file next to the node_modules that `npm ci`
// installed from package-lock.json (under target/) and runs it there.
// SMOKE_JS_DEBUG=1 logs every HTTP request and response.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { createReadStream, createWriteStream, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";

import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

const env = process.env;
const bucket = env.SMOKE_BUCKET;
const data = env.SMOKE_DATA;
const MiB = 1024 * 1024;

let stepNo = 0;
function step(msg) {
  stepNo += 1;
  console.log(`\n[js ${String(stepNo).padStart(2, "0")}] ${msg}`);
  writeFileSync(env.SMOKE_STEP_FILE, `${msg}\n`);
}
function check(cond, msg) {
  if (!cond) {
    throw new Error(msg);
  }
}
async function sha256File(path) {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) {
    h.update(chunk);
  }
  return h.digest("hex");
}

const s3 = new S3Client({
  endpoint: env.SMOKE_EP,
  region: env.SMOKE_REGION,
  forcePathStyle: true,
  credentials: {
    accessKeyId: env.SMOKE_ACCESS_KEY,
    secretAccessKey: env.SMOKE_SECRET_KEY,
  },
});

if (env.SMOKE_JS_DEBUG === "1") {
  // The request as signed and sent, and the response before parsing.
  s3.middlewareStack.add(
    (next) => async (args) => {
      const r = args.request;
      const query = new URLSearchParams(r.query ?? {}).toString();
      console.log(`> ${r.method} ${r.path}${query ? `?${query}` : ""}`);
      for (const [k, v] of Object.entries(r.headers)) console.log(`> ${k}: ${v}`);
      const out = await next(args);
      const res = out.response;
      console.log(`< ${res.statusCode}`);
      for (const [k, v] of Object.entries(res.headers)) console.log(`< ${k}: ${v}`);
      return out;
    },
    { step: "deserialize", name: "smokeWireLog" },
  );
}

async function main() {
  step(`CreateBucket ${bucket}, ListBuckets`);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const buckets = await s3.send(new ListBucketsCommand({}));
  check(
    (buckets.Buckets ?? []).some((b) => b.Name === bucket),
    `ListBuckets lacks ${bucket}: ${JSON.stringify(buckets.Buckets)}`,
  );

  step("PutObject small.txt, GetObject, compare");
  const small = readFileSync(join(data, "small.txt"));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "small.txt", Body: small }));
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "small.txt" }));
  const smallDown = Buffer.from(await got.Body.transformToByteArray());
  check(smallDown.equals(small), `GetObject small.txt: ${smallDown.length} bytes that differ`);
  console.log(`small.txt: ${smallDown.length} bytes match`);

  step("lib-storage Upload: 24 MiB stream (multipart, 5 MiB parts)");
  const bigPath = join(data, "big.bin");
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: "big.bin", Body: createReadStream(bigPath) },
  });
  await upload.done();
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "big.bin" }));
  check(head.ContentLength === 24 * MiB, `big.bin: ContentLength ${head.ContentLength}`);
  check(/-5"$/.test(head.ETag ?? ""), `big.bin: ETag ${head.ETag} is not that of a 5-part upload`);
  console.log(`HeadObject big.bin: ContentLength ${head.ContentLength}, ETag ${head.ETag}`);

  step("ListObjectsV2 (paginator)");
  const listed = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket })) {
    for (const o of page.Contents ?? []) listed.push(`${o.Key} ${o.Size}`);
  }
  console.log(listed.join("\n"));
  const want = [`big.bin ${24 * MiB}`, `small.txt ${small.length}`];
  check(JSON.stringify(listed) === JSON.stringify(want), `listing ${JSON.stringify(listed)}, want ${JSON.stringify(want)}`);

  step("GetObject big.bin to a file, compare");
  const bigDown = join(process.cwd(), "big.down");
  const big = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "big.bin" }));
  await pipeline(big.Body, createWriteStream(bigDown));
  const [wantSum, gotSum] = [await sha256File(bigPath), await sha256File(bigDown)];
  check(wantSum === gotSum, `big.bin sha256 ${gotSum}, want ${wantSum}`);
  console.log(`big.down: sha256 ${gotSum.slice(0, 16)}… matches`);

  step("getSignedUrl GetObject (default expiry) + curl");
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: "small.txt" }));
  execFileSync(join(env.SMOKE_CLIENTS_DIR, "fetch-url.sh"), [url, join(data, "small.txt")], {
    stdio: "inherit",
  });

  step("DeleteObject, DeleteObjects, DeleteBucket");
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "small.txt" }));
  const del = await s3.send(
    new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "big.bin" }] } }),
  );
  check(!del.Errors?.length, `DeleteObjects errors ${JSON.stringify(del.Errors)}`);
  check(del.Deleted?.[0]?.Key === "big.bin", `DeleteObjects reported ${JSON.stringify(del.Deleted)}`);
  const left = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket })) {
    for (const o of page.Contents ?? []) left.push(o.Key);
  }
  check(left.length === 0, `keys left: ${left}`);
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    check(false, `bucket ${bucket} still exists after DeleteBucket`);
  } catch (e) {
    check(e.$metadata?.httpStatusCode === 404, `HeadBucket after DeleteBucket: ${e.name} ${e.message}`);
  }
  console.log(`bucket ${bucket} is gone`);
}

try {
  await main();
} catch (e) {
  console.error(`FAIL (js): ${e.name}: ${e.message}`);
  if (e.$metadata) console.error(`  $metadata ${JSON.stringify(e.$metadata)}`);
  if (e.$response) {
    console.error(`  HTTP ${e.$response.statusCode} ${JSON.stringify(e.$response.headers)}`);
  }
  if (e.Code || e.$fault) console.error(`  Code ${e.Code} fault ${e.$fault}`);
  process.exit(1);
}
