//! Valid example inputs of every target, built from the code itself so
//! they follow its formats, and their planting into the fuzzer's corpus.

use super::chunked::chunked_seeds;
use super::prelude::*;
use super::stored::{consensus_seeds, frame_seeds, record_seeds, segment_seeds, snapshot_seeds};

/// Every target, as named in `fuzz/Cargo.toml`.
pub const TARGETS: &[&str] = &[
    "auth_header",
    "auth_query",
    "auth_request",
    "aws_chunked",
    "consensus_wire",
    "frame_decode",
    "meta_records",
    "meta_snapshot",
    "range_headers",
    "request_headers",
    "segment_scan",
    "select_query",
    "xml_bodies",
];

/// Valid example inputs of `target` (one of [`TARGETS`]), for the fuzzer
/// to start from; empty for an unknown target.
pub fn seeds(target: &str) -> Vec<Vec<u8>> {
    let text = |items: &[&str]| items.iter().map(|s| s.as_bytes().to_vec()).collect();
    match target {
        "auth_header" => text(&[
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",
            "20130524T000000Z",
            "Fri, 24 May 2013 00:00:00 GMT",
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            EMPTY_SHA256,
        ]),
        "auth_query" => text(&[
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F\
             us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&\
             X-Amz-SignedHeaders=host&X-Amz-Signature=\
             aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
            "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1369353660&\
             Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D&response-content-type=text%2Fplain",
            "list-type=2&prefix=a%2Fb&max-keys=10&continuation-token=YQ&partNumber=3&\
             uploadId=x+y&response-cache-control=no-cache",
        ]),
        "auth_request" => text(&[
            "GET /examplebucket/test.txt HTTP/1.1\n\
             host: examplebucket.s3.amazonaws.com\n\
             range: bytes=0-9\n\
             x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
             x-amz-date: 20130524T000000Z\n\
             authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/\
             s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,\
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\n",
            "PUT /examplebucket/chunked?partNumber=1&uploadId=u HTTP/1.1\n\
             host: s3.amazonaws.com\n\
             content-encoding: aws-chunked\n\
             x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\n\
             x-amz-trailer: x-amz-checksum-crc32\n\
             date: Fri, 24 May 2013 00:00:00 GMT\n\
             authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/\
             s3/aws4_request,SignedHeaders=content-encoding;host;x-amz-content-sha256;\
             x-amz-trailer,Signature=00\n\
             \n\
             5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n",
            "GET /examplebucket/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=\
             AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=\
             20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=00 \
             HTTP/1.1\nhost: examplebucket.s3.amazonaws.com\n",
            "PUT /b/k?acl HTTP/1.1\nhost: b.s3.amazonaws.com\ncontent-md5: md5==\n\
             content-type: text/plain\ndate: Fri, 24 May 2013 00:00:00 GMT\n\
             x-amz-meta-a: 1\nauthorization: AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=\n",
            "GET /b/k?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1369353660&\
             Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D HTTP/1.1\nhost: b\n",
        ]),
        "aws_chunked" => chunked_seeds(),
        "range_headers" => text(&[
            "bytes=0-99\n1000\n\"abc\"\nW/\"x\", \"y\"\nTue, 02 Jan 2024 03:04:05 GMT\n\
             Tue, 02 Jan 2024 03:04:05 GMT\n\"abc\"\n1704164645678\nbytes=0-9",
            "bytes=-5\n3",
            "bytes=5-\n0\n*\n*",
            "bytes=0-1,3-4\n10\n\n\nTuesday, 02-Jan-24 03:04:05 GMT\nTue Jan  2 03:04:05 2024",
        ]),
        "request_headers" => text(&[
            "/bucket/key%20with%20space?versionId=null\n\
             a=1&project=blue+sky&k%20e=v%2Bw\n\
             REPLACE\n\
             x-amz-meta-color: blue\n\
             X-Amz-Meta-Color: green\n\
             x-amz-storage-class: STANDARD\n\
             x-amz-server-side-encryption: AES256\n\
             x-amz-acl: private\n\
             public-read\n\
             content-md5: 1B2M2Y8AsgTpgAmY7PhCfg==\n\
             x-amz-checksum-crc32: AAAAAA==\n\
             x-amz-checksum-sha256: 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\
             my-bucket.example\n\
             1000\n\
             cGhvdG9zLzIwMjQvaW1nLmpwZw",
        ]),
        "select_query" => text(&[
            "select s.name, cast(s.age as int) + 1 from S3Object s where s.city like 'P%' and s.age between 20 and 40 limit 5\n\
             csv-use\n\
             \x05name,age,city\nalice,31,Paris\nbob,25,\"Lyon, FR\"\r\ncarol,x,Paris",
            "select count(*), sum(e.n), max(to_timestamp(e.at)) from S3Object[*].items[*] e where e.n is not null\n\
             json,json\n\
             \x03{\"items\":[{\"n\":1,\"at\":\"2020-01-01T\"},{\"n\":2.5}]}\n{\"items\":[]}",
            "select case when _1 in ('a', 'b') then upper(_1) else substring(_2, 2, 3) end from s3object\n\
             csv\n\
             \x40a,hello\nz,world\n",
        ]),
        "xml_bodies" => text(&[
            "<SelectObjectContentRequest><Expression>select * from s3object</Expression>\
             <ExpressionType>SQL</ExpressionType><InputSerialization><CompressionType>GZIP\
             </CompressionType><CSV><FileHeaderInfo>USE</FileHeaderInfo><Comments>#</Comments>\
             </CSV></InputSerialization><OutputSerialization><JSON><RecordDelimiter>;\
             </RecordDelimiter></JSON></OutputSerialization><RequestProgress><Enabled>true\
             </Enabled></RequestProgress></SelectObjectContentRequest>",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <Part><PartNumber>1</PartNumber><ETag>\"a54357aff0632cce46d942af68356b38\"</ETag>\
             <ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>\
             <Part><PartNumber>2</PartNumber><ETag>0c78aef83f66abc1fa1e8477f296d394</ETag></Part>\
             </CompleteMultipartUpload>",
            "<Delete><Quiet>true</Quiet><Object><Key>a&amp;b</Key></Object>\
             <Object><Key>c&#x1;</Key><VersionId>null</VersionId></Object></Delete>",
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <LocationConstraint>us-west-2</LocationConstraint></CreateBucketConfiguration>",
            "<Tagging><TagSet><Tag><Key>project</Key><Value>blue sky</Value></Tag>\
             <Tag><Key>caf\u{e9}</Key><Value></Value></Tag></TagSet></Tagging>",
            "<AccessControlPolicy><Owner><ID>alice</ID></Owner><AccessControlList>\
             <Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xsi:type=\"CanonicalUser\"><ID>bob</ID></Grantee><Permission>READ</Permission>\
             </Grant><Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xsi:type=\"Group\"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI>\
             </Grantee><Permission>WRITE_ACP</Permission></Grant></AccessControlList>\
             </AccessControlPolicy>",
            "<CORSConfiguration><CORSRule><ID>web</ID>\
             <AllowedOrigin>https://*.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod>\
             <AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader>\
             <MaxAgeSeconds>600</MaxAgeSeconds></CORSRule></CORSConfiguration>",
            "<LifecycleConfiguration><Rule><ID>logs</ID><Filter><And><Prefix>logs/</Prefix>\
             <Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan>\
             </And></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration>\
             <NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays>\
             <NewerNoncurrentVersions>5</NewerNoncurrentVersions></NoncurrentVersionExpiration>\
             </Rule><Rule><ID>uploads</ID><Prefix>tmp/</Prefix><Status>Disabled</Status>\
             <AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation>\
             </AbortIncompleteMultipartUpload><Expiration><Date>2030-01-01T00:00:00.000Z</Date>\
             </Expiration></Rule></LifecycleConfiguration>",
            "<OwnershipControls><Rule><ObjectOwnership>BucketOwnerPreferred</ObjectOwnership>\
             </Rule></OwnershipControls>",
            "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>\
             <RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>",
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"home","Effect":"Allow",
             "Principal":{"AWS":["arn:aws:iam::alice-id:root"]},"Action":["s3:Get*","s3:PutObject"],
             "Resource":"arn:aws:s3:::bucket/home/${aws:username}/*",
             "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},
             "StringLikeIfExists":{"s3:prefix":["home/*"]}}},{"Effect":"Deny","Principal":"*",
             "NotAction":"s3:GetObject","Resource":["arn:aws:s3:::bucket","arn:aws:s3:::bucket/*"],
             "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
        ]),
        "consensus_wire" => consensus_seeds(),
        "meta_records" => record_seeds(),
        "meta_snapshot" => snapshot_seeds(),
        "frame_decode" => frame_seeds(),
        "segment_scan" => segment_seeds(),
        _ => Vec::new(),
    }
}

/// Writes [`seeds`] of `target` into every directory named on the command
/// line (the corpus directories libFuzzer was given), as `seed-NN` files;
/// call it from the target's `init`. A file argument (a crash being
/// reproduced) is left alone.
pub fn plant_seeds(target: &str) {
    let seeds = seeds(target);
    if seeds.is_empty() {
        return;
    }
    for arg in std::env::args_os().skip(1) {
        let dir = PathBuf::from(arg);
        if dir.to_string_lossy().starts_with('-') || !dir.is_dir() {
            continue;
        }
        for (i, seed) in seeds.iter().enumerate() {
            // Best effort: a corpus that cannot be written to still fuzzes.
            let _ = std::fs::write(dir.join(format!("seed-{i:02}")), seed);
        }
    }
}
