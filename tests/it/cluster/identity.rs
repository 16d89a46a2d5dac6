//! IAM in a cluster: a change made through one gateway is in force on
//! every gateway at its next request (each request's credential read
//! names the account's IAM generation), and temporary credentials,
//! kept through Raft, outlive the metadata leader; a key's last use
//! noted at one gateway is answered by another after its batch.
//!
//! Nodes 1–3 `storage,meta` on 127.0.0.248–250, the gateway on .251, two
//! more gateways on .252 and .253.

use std::time::{Duration, Instant};

use crate::common::cluster::Cluster;
use crate::common::heal::create_bucket_when_ready;
use crate::common::iam::{policy, s3_client, Iam, Keys};
use crate::common::node::node_list;
use crate::common::sdk::error_code;
use crate::common::store::{ACCESS_KEY, SECRET_KEY};

async fn get(s3: &aws_sdk_s3::Client) -> Option<String> {
    match s3.get_object().bucket("shared").key("doc").send().await {
        Ok(_) => None,
        Err(e) => Some(error_code(&e).unwrap_or_else(|| format!("{e:?}"))),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iam_changes_are_in_force_on_every_gateway_at_once() {
    let mut cluster = Cluster::start(248, &[]);
    let storage = node_list(&cluster.nodes[..cluster.storage]);
    let mut more = [(0, 5, 252), (1, 6, 253)].map(|(spare, id, ip)| {
        let mut g = cluster.new_node(spare, id, ip, "gateway");
        g.set_env("PREDASTORE_STORAGE_NODES", &storage);
        g.spawn();
        g
    });
    let [gw5, gw6] = &mut more;
    let gateways = [cluster.gateway_http(), gw5.http, gw6.http];
    let s3 = cluster.gateway(3);
    create_bucket_when_ready(&s3, "shared").await;
    s3.put_object()
        .bucket("shared")
        .key("doc")
        .body(b"shared doc".to_vec().into())
        .send()
        .await
        .unwrap();
    let root_on = |i: usize| Iam::new(gateways[i], Keys::new(ACCESS_KEY, SECRET_KEY));
    let keys = root_on(0).user_with_key("alice");
    root_on(0)
        .iam("CreateGroup", &[("GroupName", "readers")])
        .ok();
    root_on(0)
        .iam(
            "AddUserToGroup",
            &[("GroupName", "readers"), ("UserName", "alice")],
        )
        .ok();
    let alice: Vec<_> = gateways
        .iter()
        .map(|g| s3_client(&format!("http://{g}"), &keys))
        .collect();
    for a in &alice {
        assert_eq!(get(a).await.as_deref(), Some("AccessDenied"));
    }

    // Given through gateway 2: every gateway lets alice read at once.
    root_on(1)
        .iam(
            "PutGroupPolicy",
            &[
                ("GroupName", "readers"),
                ("PolicyName", "read"),
                (
                    "PolicyDocument",
                    &policy(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}"#),
                ),
            ],
        )
        .ok();
    for a in &alice {
        assert_eq!(get(a).await, None);
    }
    // Removed through gateway 3: refused everywhere at once.
    root_on(2)
        .iam(
            "DeleteGroupPolicy",
            &[("GroupName", "readers"), ("PolicyName", "read")],
        )
        .ok();
    for a in &alice {
        assert_eq!(get(a).await.as_deref(), Some("AccessDenied"));
    }

    // A key's use, noted by the gateway it signed at, reaches the others
    // with that gateway's next batch (every 10 s, the only setting).
    let bob = root_on(0).user_with_key("bob");
    let bob_at_1 = s3_client(&format!("http://{}", gateways[0]), &bob);
    assert_eq!(get(&bob_at_1).await.as_deref(), Some("AccessDenied"));
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let r = root_on(2)
            .iam("GetAccessKeyLastUsed", &[("AccessKeyId", &bob.access)])
            .ok();
        if r.text("LastUsedDate").is_some() {
            assert_eq!(r.text("ServiceName").as_deref(), Some("s3"));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "bob's use never reached gateway 3: {}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // A role's session outlives the leader that recorded it.
    let alice_arn = root_on(0)
        .iam("GetUser", &[("UserName", "alice")])
        .ok()
        .text("Arn")
        .unwrap();
    let trust = policy(&format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"{alice_arn}"}},"Action":"sts:AssumeRole"}}"#
    ));
    let role = root_on(0)
        .iam(
            "CreateRole",
            &[("RoleName", "reader"), ("AssumeRolePolicyDocument", &trust)],
        )
        .ok()
        .text("Arn")
        .unwrap();
    root_on(0)
        .iam(
            "AttachRolePolicy",
            &[
                ("RoleName", "reader"),
                (
                    "PolicyArn",
                    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                ),
            ],
        )
        .ok();
    let assumed = Iam::new(gateways[0], keys.clone())
        .sts(
            "AssumeRole",
            &[("RoleArn", &role), ("RoleSessionName", "s1")],
        )
        .ok();
    let session: Vec<_> = gateways
        .iter()
        .map(|g| s3_client(&format!("http://{g}"), &Iam::temporary(&assumed)))
        .collect();
    assert_eq!(get(&session[2]).await, None);
    let leader = cluster.leader().expect("a leader");
    cluster.nodes[leader].kill();
    let deadline = Instant::now() + Duration::from_secs(30);
    for s in &session {
        loop {
            match get(s).await {
                None => break,
                // Only the election may stand in the way, never the session.
                Some(code) => {
                    assert!(
                        !matches!(
                            code.as_str(),
                            "InvalidToken" | "ExpiredToken" | "AccessDenied" | "InvalidAccessKeyId"
                        ),
                        "the session was lost with the leader: {code}"
                    );
                    assert!(Instant::now() < deadline, "no new leader: {code}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }
}
