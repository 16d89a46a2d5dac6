//! The `policy` phase: what a bucket policy costs a read. 4 KiB GETs by the
//! buckets' owner, `--small-clients` clients for `--seconds` each, on a
//! bucket with a 20-statement policy against one with none, in the order
//! none, policy, policy, none (so drift over the run falls on both sides);
//! each side's two loops are taken together. Prints
//! `policy_get_none_*` and `policy_get_20stmt_*` (ops/s, p50, p99) and
//! `policy_get_ratio` (with / without; the goal is at least 0.95).
//!
//! The policy is what a shared bucket carries: per-user home prefixes,
//! listing limited by `s3:prefix`, a backup writer, a report writer held
//! to `bucket-owner-full-control`, a contractor's time-boxed share, a
//! tag-conditioned auditor, an office network allow-list, and denies (deletes of the archive, ACL changes, writes
//! without encryption, the auditor off-network). No statement allows the
//! owner, and those naming everyone (`*`) match the owner's GETs on all but
//! their action or condition, so every GET is judged against the whole
//! policy and then allowed as the owner's. Before timing, a DeleteObject
//! by the owner under `archive/` must be refused by the policy's deny:
//! proof that the owner's requests do go through it.
//!
//! Both buckets (`<bucket>-pn-<run>` and `<bucket>-pp-<run>`) are created
//! and removed by the run; each holds `OBJECTS` objects of 4 KiB.

use std::time::Duration;

use aws_sdk_s3::error::ProvideErrorMetadata;
use futures::StreamExt;

use super::report::{describe, percentile, random_bytes, result};
use super::requests::put_bytes;
use super::{Bench, BenchArgs, BoxError, Phase, Timed, SMALL_BYTES};

/// Objects per bucket that the GETs pick from.
const OBJECTS: usize = 512;
/// PUTs in flight while the objects are written.
const PUT_CLIENTS: usize = 16;
/// Statements of the policy.
pub(super) const STATEMENTS: usize = 20;

/// Runs the phase unless `--skip policy`; pushes its name onto `failed`
/// when it fails.
pub(super) async fn run(bench: &Bench, args: &BenchArgs, failed: &mut Vec<&'static str>) {
    if args.skip.contains(&Phase::Policy) {
        return;
    }
    let clients = usize::try_from(args.small_clients).unwrap_or(1);
    let none = bucket_name(&bench.bucket, "pn", &bench.run_id);
    let with = bucket_name(&bench.bucket, "pp", &bench.run_id);
    let mut created = Vec::new();
    let outcome = async {
        for b in [&none, &with] {
            bench
                .client
                .create_bucket()
                .bucket(b.as_str())
                .send()
                .await
                .map_err(|e| format!("CreateBucket {b}: {}", describe(&e)))?;
            created.push(b.clone());
        }
        bench.policy_gets(&none, &with, clients).await
    }
    .await;
    if let Err(e) = outcome {
        eprintln!("policy phase failed: {e}");
        failed.push(Phase::Policy.name());
    }
    for b in created {
        bench.remove_bucket(&b).await;
    }
}

/// `<bucket>-<tag>-<run>`, within S3's 63 characters.
pub(super) fn bucket_name(bucket: &str, tag: &str, run_id: &str) -> String {
    let run = run_id.trim_start_matches("bench-");
    let room = 63usize.saturating_sub(run.len() + tag.len() + 2);
    let base: String = bucket.chars().take(room).collect();
    let base = base.trim_end_matches(['-', '.']);
    format!("{base}-{tag}-{run}")
}

/// The 20-statement policy of bucket `b` (see the module's doc).
pub(super) fn twenty_statements(b: &str) -> String {
    let user = |name: &str| format!("\"arn:aws:iam::111122223333:user/{name}\"");
    let users = |names: &[&str]| {
        let list: Vec<String> = names.iter().map(|n| user(n)).collect();
        format!("[{}]", list.join(","))
    };
    let analysts = users(&["analyst-1", "analyst-2", "analyst-3"]);
    let homes = ["ana", "ben", "chloe", "dev", "eli", "fay"];
    let mut s = vec![
        format!(
            r#"{{"Sid":"AnalystsRead","Effect":"Allow","Principal":{{"AWS":{analysts}}},"Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::{b}/reports/*"}}"#
        ),
        format!(
            r#"{{"Sid":"AnalystsList","Effect":"Allow","Principal":{{"AWS":{analysts}}},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::{b}","Condition":{{"StringLike":{{"s3:prefix":["reports/*"]}}}}}}"#
        ),
    ];
    for (i, name) in homes.iter().enumerate() {
        s.push(format!(
            r#"{{"Sid":"Home{i}","Effect":"Allow","Principal":{{"AWS":{}}},"Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::{b}/home/${{aws:username}}/*"}}"#,
            user(name)
        ));
    }
    s.extend([
        format!(
            r#"{{"Sid":"HomeListing","Effect":"Allow","Principal":{{"AWS":{}}},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::{b}","Condition":{{"StringLike":{{"s3:prefix":["home/${{aws:username}}/*"]}}}}}}"#,
            users(&homes)
        ),
        format!(
            r#"{{"Sid":"OfficeNetworkRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{b}/*","Condition":{{"IpAddress":{{"aws:SourceIp":["203.0.113.0/24","198.51.100.0/24"]}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"KeepArchive","Effect":"Deny","Principal":"*","Action":["s3:DeleteObject","s3:DeleteObjectVersion"],"Resource":"arn:aws:s3:::{b}/archive/*"}}"#
        ),
        format!(
            r#"{{"Sid":"EncryptSecure","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::{b}/secure/*","Condition":{{"StringNotEqualsIfExists":{{"s3:x-amz-server-side-encryption":"AES256"}}}}}}"#
        ),
        format!(
            r#"{{"Sid":"BackupWrite","Effect":"Allow","Principal":{{"AWS":{}}},"Action":["s3:PutObject","s3:AbortMultipartUpload","s3:ListMultipartUploadParts"],"Resource":"arn:aws:s3:::{b}/backups/*"}}"#,
            user("backup")
        ),
        format!(
            r#"{{"Sid":"ReportWriter","Effect":"Allow","Principal":{{"AWS":{}}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::{b}/reports/*","Condition":{{"StringEquals":{{"s3:x-amz-acl":"bucket-owner-full-control"}}}}}}"#,
            user("reporter")
        ),
        format!(
            r#"{{"Sid":"BackupList","Effect":"Allow","Principal":{{"AWS":{}}},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::{b}","Condition":{{"StringEquals":{{"s3:prefix":"backups/"}}}}}}"#,
            user("backup")
        ),
        format!(
            r#"{{"Sid":"ContractorShare","Effect":"Allow","Principal":{{"AWS":{}}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::{b}/shared/*","Condition":{{"DateLessThan":{{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}}}}"#,
            user("contractor")
        ),
        format!(
            r#"{{"Sid":"AuditorTagged","Effect":"Allow","Principal":{{"AWS":{}}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::{b}/*","Condition":{{"StringEquals":{{"s3:ExistingObjectTag/classification":"public"}}}}}}"#,
            user("auditor")
        ),
        format!(
            r#"{{"Sid":"AuditorOnNetwork","Effect":"Deny","Principal":{{"AWS":{}}},"Action":"s3:*","Resource":["arn:aws:s3:::{b}","arn:aws:s3:::{b}/*"],"Condition":{{"NotIpAddress":{{"aws:SourceIp":"10.0.0.0/8"}}}}}}"#,
            user("auditor")
        ),
        format!(
            r#"{{"Sid":"CrawlerPages","Effect":"Allow","Principal":{{"AWS":{}}},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::{b}","Condition":{{"NumericLessThanEquals":{{"s3:max-keys":"100"}}}}}}"#,
            user("crawler")
        ),
        format!(
            r#"{{"Sid":"NoAclChanges","Effect":"Deny","Principal":"*","Action":["s3:PutObjectAcl","s3:PutBucketAcl"],"Resource":["arn:aws:s3:::{b}","arn:aws:s3:::{b}/*"]}}"#
        ),
    ]);
    debug_assert_eq!(s.len(), STATEMENTS);
    format!(
        r#"{{"Version":"2012-10-17","Id":"shared-bucket","Statement":[{}]}}"#,
        s.join(",")
    )
}

/// Requests per second and latency percentiles of loops taken together.
pub(super) fn figures(legs: &[Timed]) -> (f64, f64, f64, u64) {
    let mut latencies: Vec<Duration> = legs
        .iter()
        .flat_map(|t| t.latencies.iter().copied())
        .collect();
    latencies.sort_unstable();
    let secs: f64 = legs.iter().map(|t| t.elapsed.as_secs_f64()).sum();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (
        latencies.len() as f64 / secs.max(1e-9),
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0)),
        legs.iter().map(|t| t.progress.errors()).sum(),
    )
}

impl Bench {
    /// Fills both buckets, puts the policy on `with`, checks it is
    /// enforced, and times the GETs.
    async fn policy_gets(&self, none: &str, with: &str, clients: usize) -> Result<(), BoxError> {
        let keys = self.policy_objects(none).await?;
        let keys_with = self.policy_objects(with).await?;
        if keys != keys_with {
            return Err("the two buckets hold different keys".into());
        }
        let policy = twenty_statements(with);
        self.client
            .put_bucket_policy()
            .bucket(with)
            .policy(&policy)
            .send()
            .await
            .map_err(|e| format!("PutBucketPolicy ({} bytes): {}", policy.len(), describe(&e)))?;
        self.check_enforced(with).await?;
        eprintln!(
            "[policy] {with}: {STATEMENTS} statements ({} bytes); {none}: no policy",
            policy.len()
        );

        let size = SMALL_BYTES as u64;
        let (mut plain, mut judged) = (Vec::new(), Vec::new());
        for with_policy in [false, true, true, false] {
            if with_policy {
                judged.push(
                    self.get_loop(with, "get 4k, 20-statement policy", clients, &keys, size)
                        .await?,
                );
            } else {
                plain.push(
                    self.get_loop(none, "get 4k, no policy", clients, &keys, size)
                        .await?,
                );
            }
        }
        let (n, p) = (figures(&plain), figures(&judged));
        for (side, f) in [("none", n), ("20stmt", p)] {
            let name = format!("policy_get_{side}");
            result(&format!("{name}_ops_s"), f.0, "ops/s");
            result(&format!("{name}_p50_ms"), f.1, "ms");
            result(&format!("{name}_p99_ms"), f.2, "ms");
            if f.3 > 0 {
                println!("RESULT {name}_errors {} count", f.3);
            }
        }
        let ratio = if n.0 > 0.0 { p.0 / n.0 } else { 0.0 };
        result("policy_get_ratio", ratio, "ratio");
        eprintln!(
            "[policy] GET 4 KiB x{clients}: {:.0} ops/s p50 {:.3} ms (20 statements) / {:.0} ops/s p50 {:.3} ms (none), ratio {ratio:.3}",
            p.0, p.1, n.0, n.1
        );
        let errors = n.3 + p.3;
        if errors > 0 {
            return Err(format!("{errors} failed GETs").into());
        }
        Ok(())
    }

    /// PUTs `OBJECTS` 4 KiB objects (`data/<i>`) into `bucket`.
    pub(super) async fn policy_objects(&self, bucket: &str) -> Result<Vec<String>, BoxError> {
        let body = random_bytes(SMALL_BYTES);
        let keys: Vec<String> = (0..OBJECTS).map(|i| format!("data/{i:04}")).collect();
        let failures: Vec<String> = futures::stream::iter(&keys)
            .map(|k| {
                let body = body.clone();
                async move { put_bytes(&self.client, bucket, k, &body).await }
            })
            .buffer_unordered(PUT_CLIENTS)
            .filter_map(|r| async move { r.err().map(|e| describe(&e)) })
            .collect()
            .await;
        match failures.first() {
            None => Ok(keys),
            Some(first) => Err(format!(
                "{} of {OBJECTS} PUTs into {bucket} failed; first: {first}",
                failures.len()
            )
            .into()),
        }
    }

    /// The owner's DeleteObject under `archive/` must meet the policy's
    /// deny (else the GETs would not measure an evaluated policy).
    async fn check_enforced(&self, bucket: &str) -> Result<(), BoxError> {
        let key = "archive/probe";
        put_bytes(&self.client, bucket, key, &random_bytes(16))
            .await
            .map_err(|e| format!("PUT {key}: {}", describe(&e)))?;
        match self.client.delete_object().bucket(bucket).key(key).send().await {
            Err(e) if e.as_service_error().and_then(|s| s.code()) == Some("AccessDenied") => {
                Ok(())
            }
            Err(e) => Err(format!("DeleteObject {key}: {}", describe(&e)).into()),
            Ok(_) => Err(format!(
                "the owner's DeleteObject of {bucket}/{key} succeeded despite the policy's deny: the policy is not enforced"
            )
            .into()),
        }
    }

    /// Deletes `bucket`'s policy, its objects, then it (best effort).
    pub(super) async fn remove_bucket(&self, bucket: &str) {
        let _ = self
            .client
            .delete_bucket_policy()
            .bucket(bucket)
            .send()
            .await;
        let mut ids: Vec<(String, Option<String>)> = (0..OBJECTS)
            .map(|i| (format!("data/{i:04}"), None))
            .collect();
        ids.push(("archive/probe".to_string(), None));
        self.delete_all(bucket, &ids).await;
        if let Err(e) = self.client.delete_bucket().bucket(bucket).send().await {
            eprintln!(
                "warning: could not delete bucket {bucket}: {}",
                describe(&e)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_has_twenty_statements_within_the_size_limit() {
        let p = twenty_statements("bench-pp-0123abcd");
        assert_eq!(p.matches("\"Sid\"").count(), STATEMENTS);
        assert!(p.len() < 20 * 1024, "{} bytes", p.len());
        assert!(p.contains("arn:aws:s3:::bench-pp-0123abcd/*"));
    }

    #[test]
    fn bucket_names_fit() {
        let long = "b".repeat(80);
        let name = bucket_name(&long, "pp", "bench-0123abcd");
        assert!(name.len() <= 63, "{name}");
        assert!(name.ends_with("-pp-0123abcd"));
    }
}
