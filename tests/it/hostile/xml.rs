//! XML request bodies (DeleteObjects, CompleteMultipartUpload,
//! CreateBucketConfiguration, PutObjectTagging, PutBucketTagging):
//! malformed documents, 10 000 levels of nesting, entity expansion
//! ("billion laughs"), external and internal entities, oversized bodies.
//! Each is 400 MalformedXML (or MaxMessageLengthExceeded) at once, the
//! memory of the process stays bounded, and nothing changes.

use std::time::{Duration, Instant};

use md5::{Digest, Md5};

use super::{
    body_tag, create_bucket, describe, exchange, list_keys, object_path, put_object, Hostile,
};
use crate::common::digest::b64;

/// How long a refusal of a hostile document may take: generous for a
/// loaded machine, and far below what expanding one would take.
const QUICK: Duration = Duration::from_secs(30);

const MALFORMED_XML: &[(u16, Option<&str>)] = &[(400, Some("MalformedXML"))];
const TOO_BIG: &[(u16, Option<&str>)] = &[
    (400, Some("MaxMessageLengthExceeded")),
    (400, Some("MalformedXML")),
];

/// One XML operation: its method and target, and a document with `inner`
/// where the operation expects text.
struct Op {
    name: &'static str,
    method: &'static str,
    target: String,
    root: &'static str,
    doc: fn(&str) -> String,
}

fn delete_doc(inner: &str) -> String {
    format!("<Delete><Object><Key>{inner}</Key></Object></Delete>")
}

fn complete_doc(inner: &str) -> String {
    format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{inner}</ETag></Part></CompleteMultipartUpload>"
    )
}

fn bucket_config_doc(inner: &str) -> String {
    format!(
        "<CreateBucketConfiguration><LocationConstraint>{inner}</LocationConstraint></CreateBucketConfiguration>"
    )
}

fn tagging_doc(inner: &str) -> String {
    format!("<Tagging><TagSet><Tag><Key>{inner}</Key><Value>v</Value></Tag></TagSet></Tagging>")
}

/// `<!DOCTYPE>` with ten levels of ten-fold entities: 10^9 `lol`s if
/// expanded.
fn billion_laughs(root: &str) -> String {
    let mut d = format!("<?xml version=\"1.0\"?>\n<!DOCTYPE {root} [\n<!ENTITY lol0 \"lol\">\n");
    for i in 1..10 {
        let refs: String = (0..10).map(|_| format!("&lol{};", i - 1)).collect();
        d.push_str(&format!("<!ENTITY lol{i} \"{refs}\">\n"));
    }
    d.push_str("]>\n");
    d
}

/// Headers every request of `op` carries: DeleteObjects needs Content-MD5.
fn md5_header(body: &[u8]) -> String {
    let digest: [u8; 16] = Md5::digest(body).into();
    b64(&digest)
}

#[test]
fn hostile_xml_bodies_are_malformed_xml_quickly_and_change_nothing() {
    let h = Hostile::start("xml", &[]);
    let addr = h.addr();
    create_bucket(&h, "xml");
    let victim = b"must survive".to_vec();
    put_object(&h, "xml", "victim", &victim);
    put_object(&h, "xml", "scratch", b"may go");
    let r = h.signed("POST", "/xml/mpu?uploads", &[], b"");
    let upload_id =
        body_tag(&r, "UploadId").unwrap_or_else(|| panic!("create upload: {}", describe(&r)));
    let r = h.signed(
        "PUT",
        &format!("/xml/mpu?partNumber=1&uploadId={upload_id}"),
        &[],
        b"part1",
    );
    assert!(
        matches!(&r, Ok(r) if r.status == 200),
        "upload part: {}",
        describe(&r)
    );

    // A well-formed DeleteObjects, for contrast.
    let ok = delete_doc("scratch");
    let md5 = md5_header(ok.as_bytes());
    let r = h.signed(
        "POST",
        "/xml?delete",
        &[("content-md5", &md5)],
        ok.as_bytes(),
    );
    h.expect("a well-formed DeleteObjects is served", &r, &[(200, None)]);

    let ops = [
        Op {
            name: "DeleteObjects",
            method: "POST",
            target: "/xml?delete".into(),
            root: "Delete",
            doc: delete_doc,
        },
        Op {
            name: "CompleteMultipartUpload",
            method: "POST",
            target: format!("/xml/mpu?uploadId={upload_id}"),
            root: "CompleteMultipartUpload",
            doc: complete_doc,
        },
        Op {
            name: "CreateBucketConfiguration",
            method: "PUT",
            target: "/xml-new".into(),
            root: "CreateBucketConfiguration",
            doc: bucket_config_doc,
        },
        Op {
            name: "PutObjectTagging",
            method: "PUT",
            target: "/xml/victim?tagging".into(),
            root: "Tagging",
            doc: tagging_doc,
        },
        Op {
            name: "PutBucketTagging",
            method: "PUT",
            target: "/xml?tagging".into(),
            root: "Tagging",
            doc: tagging_doc,
        },
    ];
    let rss_before = h.peak_rss_kib();
    let deep_open = "<a>".repeat(10_000);
    let deep = format!("{deep_open}{}", "</a>".repeat(10_000));
    for op in &ops {
        let doc = op.doc;
        let well_formed = doc("x");
        let cut = &well_formed[..well_formed.len() - 7];
        let bodies: [(&str, String); 9] = [
            ("an unclosed document", cut.to_string()),
            ("text that is not XML", "this is not xml at all".into()),
            ("another root element", "<Unexpected><Key>x</Key></Unexpected>".into()),
            ("mismatched end tags", doc("x").replacen(&format!("</{}>", op.root), "</Wrong>", 1)),
            ("10 000 nested elements", doc(&deep)),
            ("10 000 unclosed elements", doc(&deep_open)),
            (
                "entity expansion (billion laughs)",
                format!("{}{}", billion_laughs(op.root), doc("&lol9;")),
            ),
            (
                "an external entity",
                format!(
                    "<?xml version=\"1.0\"?><!DOCTYPE {} [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>{}",
                    op.root,
                    doc("&x;")
                ),
            ),
            (
                "an internal entity naming an existing key",
                format!(
                    "<?xml version=\"1.0\"?><!DOCTYPE {} [<!ENTITY v \"victim\">]>{}",
                    op.root,
                    doc("&v;")
                ),
            ),
        ];
        for (what, body) in &bodies {
            let md5 = md5_header(body.as_bytes());
            let started = Instant::now();
            let r = h.signed(
                op.method,
                &op.target,
                &[("content-md5", &md5)],
                body.as_bytes(),
            );
            let took = started.elapsed();
            let case = format!("{}: {what}", op.name);
            // 10 000 levels take 70 KB: over a small body limit, too big
            // is as good an answer.
            let want = if what.starts_with("10 000") {
                TOO_BIG
            } else {
                MALFORMED_XML
            };
            h.expect(&case, &r, want);
            h.check(&format!("{case}: answered quickly"), took < QUICK, || {
                format!("took {took:?}")
            });
        }
        // Oversized: sent whole, and declared huge with little sent.
        let big = doc(&format!("x{}", " ".repeat(5 << 20)));
        let md5 = md5_header(big.as_bytes());
        let mut req = h.signed_head(
            op.method,
            &op.target,
            &[("content-md5", &md5)],
            Some(big.len()),
            true,
        );
        req.extend_from_slice(big.as_bytes());
        let wire = exchange(addr, &req, QUICK);
        h.expect(
            &format!("{}: a 5 MiB document", op.name),
            &wire.first(),
            TOO_BIG,
        );
        let mut req = h.signed_head(
            op.method,
            &op.target,
            &[("content-md5", "1B2M2Y8AsgTpgAEcXw+0Aw==")],
            Some(1 << 30),
            true,
        );
        req.extend_from_slice(doc("x").as_bytes());
        let wire = exchange(addr, &req, QUICK);
        h.expect(
            &format!("{}: 1 GiB declared, answered before the body", op.name),
            &wire.first(),
            TOO_BIG,
        );
    }
    let rss_after = h.peak_rss_kib();
    h.check(
        "the peak memory of the process grew by less than 256 MiB",
        matches!((rss_before, rss_after), (Some(b), Some(a)) if a < b + (256 << 10)),
        || format!("VmHWM {rss_before:?} KiB before, {rss_after:?} KiB after"),
    );
    h.expect_healthy("after the XML bombs");

    // Nothing changed.
    h.expect_object("the victim object survives", "xml", "victim", &victim);
    match list_keys(&h, "xml") {
        Ok(keys) => {
            h.check(
                "the bucket holds only the victim (no completed upload)",
                keys == [b"victim".to_vec()],
                || {
                    format!(
                        "{:?}",
                        keys.iter()
                            .map(|k| String::from_utf8_lossy(k).to_string())
                            .collect::<Vec<_>>()
                    )
                },
            );
        }
        Err(e) => {
            h.check("the bucket can be listed", false, || e);
        }
    }
    let r = h.signed("GET", &format!("/xml/mpu?uploadId={upload_id}"), &[], b"");
    h.check(
        "the upload is still in progress with its part",
        r.as_ref().is_ok_and(|r| {
            r.status == 200
                && String::from_utf8_lossy(&r.body).contains("<PartNumber>1</PartNumber>")
        }),
        || describe(&r),
    );
    let r = h.signed("HEAD", "/xml-new", &[], b"");
    h.expect("no bucket was created", &r, &[(404, None)]);
    let r = h.signed(
        "GET",
        &format!("{}?tagging", object_path("xml", "victim")),
        &[],
        b"",
    );
    h.check(
        "the victim has no tags (GetObjectTagging: an empty TagSet)",
        r.as_ref().is_ok_and(|r| {
            let body = String::from_utf8_lossy(&r.body);
            r.status == 200 && body.contains("TagSet") && !body.contains("<Tag>")
        }),
        || describe(&r),
    );
    let r = h.signed("GET", "/xml?tagging", &[], b"");
    h.expect(
        "the bucket has no tags (GetBucketTagging: NoSuchTagSet)",
        &r,
        &[(404, Some("NoSuchTagSet"))],
    );
    h.finish();
}
