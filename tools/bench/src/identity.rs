//! The `identity` phase: what IAM identity policies cost a read. 4 KiB
//! GETs, `--small-clients` clients for `--seconds` each, on a bucket with
//! the `policy` phase's 20-statement policy, by the account root (the
//! bench's key: no identity policy to evaluate), by an IAM user with one
//! inline policy, and by one with 10 attached managed policies (one of
//! them allowing the reads), in the order root, one, ten, ten, one, root.
//! Prints `identity_get_{root,1policy,10policies}_*` (ops/s, p50, p99)
//! and `identity_get_ratio` (10 policies over root; the goal is at least
//! 0.95). The users, their keys and policies are made through the IAM
//! API on the endpoint and removed at the end, with the bucket
//! (`<bucket>-id-<run>`).

use aws_sdk_s3::Client;

use super::iam::{element, IamCaller};
use super::policy::{bucket_name, figures, twenty_statements};
use super::report::{describe, result};
use super::{make_client_as, Bench, BenchArgs, BoxError, Phase, Timed, SMALL_BYTES};

/// Managed policies attached to the second user.
const POLICIES: usize = 10;

/// Runs the phase unless `--skip identity`; pushes its name onto
/// `failed` when it fails.
pub(super) async fn run(bench: &Bench, args: &BenchArgs, failed: &mut Vec<&'static str>) {
    if args.skip.contains(&Phase::Identity) {
        return;
    }
    let bucket = bucket_name(&bench.bucket, "id", &bench.run_id);
    let iam = match IamCaller::new(&args.endpoint, &args.access_key, &args.secret_key) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("identity phase failed: {e}");
            failed.push(Phase::Identity.name());
            return;
        }
    };
    let run = bench.run_id.trim_start_matches("bench-").to_string();
    let made = Made::new(&run);
    let outcome = async {
        bench
            .client
            .create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .map_err(|e| format!("CreateBucket {bucket}: {}", describe(&e)))?;
        let keys = bench.policy_objects(&bucket).await?;
        bench
            .client
            .put_bucket_policy()
            .bucket(&bucket)
            .policy(twenty_statements(&bucket))
            .send()
            .await
            .map_err(|e| format!("PutBucketPolicy: {}", describe(&e)))?;
        let (one, ten) = made.users(&iam, &bucket).await?;
        let one = make_client_as(args, &one.0, &one.1)?;
        let ten = make_client_as(args, &ten.0, &ten.1)?;
        bench
            .identity_gets(
                &bucket,
                &keys,
                usize::try_from(args.small_clients)?,
                &one,
                &ten,
            )
            .await
    }
    .await;
    if let Err(e) = outcome {
        eprintln!("identity phase failed: {e}");
        failed.push(Phase::Identity.name());
    }
    made.remove(&iam).await;
    bench.remove_bucket(&bucket).await;
}

/// The IAM users and policies the phase makes, by name.
struct Made {
    one: String,
    ten: String,
    policies: Vec<String>,
}

impl Made {
    fn new(run: &str) -> Self {
        Made {
            one: format!("bench-one-{run}"),
            ten: format!("bench-ten-{run}"),
            policies: (0..POLICIES).map(|i| format!("bench-{run}-p{i}")).collect(),
        }
    }

    /// Makes both users and their keys: ((id, secret) of the one-policy
    /// user, of the ten-policy user).
    async fn users(
        &self,
        iam: &IamCaller,
        bucket: &str,
    ) -> Result<((String, String), (String, String)), BoxError> {
        let read = |resource: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::{resource}","arn:aws:s3:::{resource}/*"],"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}}]}}"#
            )
        };
        let mut keys = Vec::new();
        for user in [&self.one, &self.ten] {
            iam.call("CreateUser", &[("UserName", user)]).await?;
            let k = iam.call("CreateAccessKey", &[("UserName", user)]).await?;
            keys.push((
                element(&k, "AccessKeyId").ok_or("no AccessKeyId")?,
                element(&k, "SecretAccessKey").ok_or("no SecretAccessKey")?,
            ));
        }
        iam.call(
            "PutUserPolicy",
            &[
                ("UserName", &self.one),
                ("PolicyName", "read"),
                ("PolicyDocument", &read(bucket)),
            ],
        )
        .await?;
        for (i, name) in self.policies.iter().enumerate() {
            // Nine for other buckets; the last for this one.
            let resource = if i + 1 == POLICIES {
                bucket.to_string()
            } else {
                format!("{bucket}-other-{i}")
            };
            let made = iam
                .call(
                    "CreatePolicy",
                    &[("PolicyName", name), ("PolicyDocument", &read(&resource))],
                )
                .await?;
            let arn = element(&made, "Arn").ok_or("no policy Arn")?;
            iam.call(
                "AttachUserPolicy",
                &[("UserName", &self.ten), ("PolicyArn", &arn)],
            )
            .await?;
        }
        eprintln!(
            "[identity] {}: 1 inline policy; {}: {POLICIES} attached managed policies",
            self.one, self.ten
        );
        Ok((keys.remove(0), keys.remove(0)))
    }

    /// Removes what [`Made::users`] made (best effort).
    async fn remove(&self, iam: &IamCaller) {
        let account = iam
            .call("GetUser", &[])
            .await
            .ok()
            .and_then(|u| element(&u, "UserId"))
            .unwrap_or_default();
        for name in &self.policies {
            let arn = format!("arn:aws:iam::{account}:policy/{name}");
            let _ = iam
                .call(
                    "DetachUserPolicy",
                    &[("UserName", &self.ten), ("PolicyArn", &arn)],
                )
                .await;
            let _ = iam.call("DeletePolicy", &[("PolicyArn", &arn)]).await;
        }
        let _ = iam
            .call(
                "DeleteUserPolicy",
                &[("UserName", &self.one), ("PolicyName", "read")],
            )
            .await;
        for user in [&self.one, &self.ten] {
            if let Ok(listed) = iam.call("ListAccessKeys", &[("UserName", user)]).await {
                if let Some(id) = element(&listed, "AccessKeyId") {
                    let _ = iam
                        .call(
                            "DeleteAccessKey",
                            &[("UserName", user), ("AccessKeyId", &id)],
                        )
                        .await;
                }
            }
            if let Err(e) = iam.call("DeleteUser", &[("UserName", user)]).await {
                eprintln!("warning: could not delete IAM user {user}: {e}");
            }
        }
    }
}

impl Bench {
    /// Times the GETs of each side, in the order root, one, ten, ten, one,
    /// root, and prints the figures.
    async fn identity_gets(
        &self,
        bucket: &str,
        keys: &[String],
        clients: usize,
        one: &Client,
        ten: &Client,
    ) -> Result<(), BoxError> {
        let size = SMALL_BYTES as u64;
        let mut sides: [(&str, Vec<Timed>); 3] = [
            ("root", Vec::new()),
            ("1policy", Vec::new()),
            ("10policies", Vec::new()),
        ];
        for side in [0, 1, 2, 2, 1, 0] {
            let (client, ticker) = match side {
                0 => (&self.client, "get 4k, account root"),
                1 => (one, "get 4k, IAM user, 1 policy"),
                _ => (ten, "get 4k, IAM user, 10 policies"),
            };
            let timed = self
                .get_loop_as(client, bucket, ticker, clients, keys, size)
                .await?;
            sides[side].1.push(timed);
        }
        let mut rates = Vec::new();
        let mut errors = 0;
        for (name, legs) in &sides {
            let f = figures(legs);
            let name = format!("identity_get_{name}");
            result(&format!("{name}_ops_s"), f.0, "ops/s");
            result(&format!("{name}_p50_ms"), f.1, "ms");
            result(&format!("{name}_p99_ms"), f.2, "ms");
            if f.3 > 0 {
                println!("RESULT {name}_errors {} count", f.3);
            }
            errors += f.3;
            rates.push(f.0);
        }
        let ratio = if rates[0] > 0.0 {
            rates[2] / rates[0]
        } else {
            0.0
        };
        result("identity_get_ratio", ratio, "ratio");
        eprintln!(
            "[identity] GET 4 KiB x{clients}: root {:.0}, 1 policy {:.0}, 10 policies {:.0} ops/s; ratio {ratio:.3}",
            rates[0], rates[1], rates[2]
        );
        if errors > 0 {
            return Err(format!("{errors} failed GETs").into());
        }
        Ok(())
    }
}
