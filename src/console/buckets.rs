//! The buckets page: the user's buckets with what they hold against
//! their quotas and how many lifecycle rules they carry; create, delete.
//!
//! Usage comes from the exact counters the metadata keeps (the admin
//! service's `bucket_limits`), so the page costs one read per bucket
//! rather than a walk of each bucket's listing.

use actix_web::{web, HttpRequest, HttpResponse};
use futures::future::join_all;
use hyper::Method;
use serde::{Deserialize, Serialize};

use super::context::{check_csrf, console, s3_path, see_other, Console, SignedIn};
use super::error::ConsoleError;
use super::gateway::S3Call;
use super::render::page;
use crate::admin::service::BucketLimits;

/// The canned ACLs a bucket can be created with.
const CANNED_ACLS: [&str; 4] = [
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
];

/// Registers the routes.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/buckets", web::get().to(list))
        .route("/buckets", web::post().to(create))
        .route("/buckets/{bucket}/delete", web::post().to(delete));
}

/// ListBuckets' answer.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ListAllMyBucketsResult {
    buckets: BucketList,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct BucketList {
    bucket: Vec<BucketEntry>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct BucketEntry {
    name: String,
    creation_date: String,
}

/// One row of the page.
#[derive(Serialize)]
struct BucketRow {
    name: String,
    created: String,
    /// `None` when the counters could not be read (shown as `?`).
    usage: Option<UsageView>,
}

/// A bucket's usage against its quota, as a page shows it: bytes of every
/// version and upload part, objects (versions that are not delete
/// markers), each with its limit and the share of it used when one is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(super) struct UsageView {
    bytes: u64,
    objects: u64,
    max_bytes: Option<u64>,
    max_objects: Option<u64>,
    /// Whole percent of `max_bytes` used (may pass 100 when a quota was
    /// set below what the bucket held).
    bytes_percent: Option<u64>,
    objects_percent: Option<u64>,
    /// Whether a limit is set at all.
    quota: bool,
    /// Whether a limit is reached: writes that add to it are refused.
    full: bool,
    lifecycle_rules: u64,
}

impl UsageView {
    fn new(limits: &BucketLimits) -> Self {
        let (usage, quota) = (limits.usage, limits.quota);
        let share = |used: u64, max: Option<u64>| max.map(|m| percent(used, m));
        let reached = |used: u64, max: Option<u64>| max.is_some_and(|m| used >= m);
        Self {
            bytes: usage.bytes,
            objects: usage.objects,
            max_bytes: quota.max_bytes,
            max_objects: quota.max_objects,
            bytes_percent: share(usage.bytes, quota.max_bytes),
            objects_percent: share(usage.objects, quota.max_objects),
            quota: quota.is_set(),
            full: reached(usage.bytes, quota.max_bytes)
                || reached(usage.objects, quota.max_objects),
            lifecycle_rules: limits.lifecycle_rules,
        }
    }
}

/// `used` as a whole percentage of `max`, rounded down; a limit of 0 is
/// full from the start.
fn percent(used: u64, max: u64) -> u64 {
    if max == 0 {
        return 100;
    }
    let p = u128::from(used) * 100 / u128::from(max);
    u64::try_from(p).unwrap_or(u64::MAX)
}

/// The usage view of `bucket`, `None` when its counters cannot be read
/// (a page then shows `?` rather than failing): for this page and the
/// bucket's own page.
pub(super) async fn usage_view(console: &Console, bucket: &str) -> Option<UsageView> {
    match console.admin.bucket_limits(bucket).await {
        Ok(limits) => Some(UsageView::new(&limits)),
        Err(e) => {
            tracing::debug!(bucket, error = %e, "bucket usage not read for the console");
            None
        }
    }
}

async fn list(req: HttpRequest, SignedIn(session): SignedIn) -> Result<HttpResponse, ConsoleError> {
    let console = console(&req)?;
    let answer: ListAllMyBucketsResult = console
        .gateway
        .xml(&session, S3Call::new(Method::GET, "/".into()))
        .await?;
    let rows = join_all(answer.buckets.bucket.into_iter().map(|b| async move {
        BucketRow {
            usage: usage_view(console, &b.name).await,
            name: b.name,
            created: b.creation_date,
        }
    }))
    .await;
    Ok(page(
        "buckets.html",
        minijinja::context! {
            layout => console.layout(&session),
            buckets => rows,
            acls => CANNED_ACLS,
        },
    ))
}

/// The create form.
#[derive(Deserialize)]
struct NewBucket {
    name: String,
    acl: String,
    #[serde(default)]
    csrf: String,
}

async fn create(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    form: web::Form<NewBucket>,
) -> Result<HttpResponse, ConsoleError> {
    check_csrf(&session, &form.csrf)?;
    if !CANNED_ACLS.contains(&form.acl.as_str()) {
        return Err(ConsoleError::BadRequest(format!(
            "{:?} is not a canned ACL",
            form.acl
        )));
    }
    let name = form.name.trim();
    if name.is_empty() || name.contains('/') {
        return Err(ConsoleError::BadRequest(format!(
            "{name:?} is not a bucket name"
        )));
    }
    let call = S3Call::new(Method::PUT, s3_path(name, None)).header("x-amz-acl", form.acl.clone());
    console(&req)?.gateway.done(&session, call).await?;
    Ok(see_other("/buckets"))
}

/// A form with only its CSRF token.
#[derive(Deserialize)]
pub(super) struct Confirm {
    #[serde(default)]
    pub csrf: String,
}

/// Deletes an empty bucket (as S3 requires; the gateway says
/// `BucketNotEmpty` otherwise).
async fn delete(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    bucket: web::Path<String>,
    form: web::Form<Confirm>,
) -> Result<HttpResponse, ConsoleError> {
    check_csrf(&session, &form.csrf)?;
    let call = S3Call::new(Method::DELETE, s3_path(&bucket, None));
    console(&req)?.gateway.done(&session, call).await?;
    Ok(see_other("/buckets"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::meta::quota::Quota;

    fn limits(bytes: u64, objects: u64, quota: Quota, rules: u64) -> BucketLimits {
        let mut l = BucketLimits {
            quota,
            lifecycle_rules: rules,
            ..BucketLimits::default()
        };
        (l.usage.bytes, l.usage.objects) = (bytes, objects);
        l
    }

    #[test]
    fn usage_without_a_quota_has_no_percentages() {
        let v = UsageView::new(&limits(2048, 3, Quota::default(), 0));
        assert_eq!((v.bytes, v.objects, v.lifecycle_rules), (2048, 3, 0));
        assert_eq!((v.bytes_percent, v.objects_percent), (None, None));
        assert!(!v.quota && !v.full);
    }

    #[test]
    fn usage_against_a_quota_is_a_share_of_it() {
        let quota = Quota {
            max_bytes: Some(1000),
            max_objects: Some(10),
        };
        let v = UsageView::new(&limits(425, 10, quota, 2));
        assert_eq!((v.bytes_percent, v.objects_percent), (Some(42), Some(100)));
        assert!(v.quota && v.full);
        assert_eq!(v.lifecycle_rules, 2);
        let only_bytes = Quota {
            max_bytes: Some(0),
            max_objects: None,
        };
        let v = UsageView::new(&limits(0, 5, only_bytes, 0));
        assert_eq!((v.bytes_percent, v.objects_percent), (Some(100), None));
        assert!(v.full);
        assert_eq!(percent(u64::MAX, 1), u64::MAX);
    }

    #[test]
    fn the_page_shows_usage_quota_and_rules() {
        let quota = Quota {
            max_bytes: Some(1 << 30),
            max_objects: None,
        };
        let row = |name: &str, usage: Option<UsageView>| BucketRow {
            name: name.into(),
            created: "2026-01-01T00:00:00.000Z".into(),
            usage,
        };
        let text = super::super::render::render_text(
            "buckets.html",
            minijinja::context! {
                layout => minijinja::context! { csrf => "t" },
                buckets => vec![
                    row("capped", Some(UsageView::new(&limits(451 << 20, 70, quota, 2)))),
                    row("free", Some(UsageView::new(&limits(0, 0, Quota::default(), 0)))),
                    row("unread", None),
                ],
                acls => CANNED_ACLS,
            },
        )
        .expect("renders");
        for shown in [
            r#"<td class="bytes" data-bytes="472907776">451.0 MiB (44%)</td>"#,
            r#"<td class="objects" data-objects="70">70</td>"#,
            r#"<td class="quota">1.0 GiB</td>"#,
            r#"<td class="lifecycle-rules">2</td>"#,
            r#"<td class="quota">none</td>"#,
            r#"<td class="lifecycle-rules">0</td>"#,
            r#"<td class="bytes">?</td>"#,
        ] {
            assert!(text.contains(shown), "{shown} not in {text}");
        }
        let full = Quota {
            max_bytes: Some(100),
            max_objects: Some(3),
        };
        let text = super::super::render::render_text(
            "buckets.html",
            minijinja::context! {
                layout => minijinja::context! { csrf => "t" },
                buckets => vec![row("full", Some(UsageView::new(&limits(50, 3, full, 1))))],
                acls => CANNED_ACLS,
            },
        )
        .expect("renders");
        assert!(
            text.contains(r#"<td class="objects" data-objects="3">3 (100%)</td>"#),
            "{text}"
        );
        assert!(
            text.contains(r#"100 B / 3 objects <span class="error quota-full""#),
            "{text}"
        );
    }

    #[test]
    fn the_bucket_page_shows_usage_when_given_it() {
        let render = |usage: Option<UsageView>| {
            super::super::render::render_text(
                "bucket.html",
                minijinja::context! {
                    layout => minijinja::context! { csrf => "t" },
                    bucket => "logs",
                    usage => usage,
                },
            )
            .expect("renders")
        };
        let quota = Quota {
            max_bytes: Some(1 << 30),
            max_objects: Some(1000),
        };
        let text = render(Some(UsageView::new(&limits(451 << 20, 70, quota, 2))));
        for shown in [
            r#"<span id="usage-bytes" data-bytes="472907776">451.0 MiB</span> of <span id="quota-bytes">1.0 GiB</span> (44%)"#,
            r#"<span id="usage-objects">70</span> objects of <span id="quota-objects">1000</span> (7%);"#,
            r#"<span id="lifecycle-rules">2</span> lifecycle rules</a>."#,
        ] {
            assert!(text.contains(shown), "{shown} not in {text}");
        }
        assert!(
            !text.contains("quota-full") && !text.contains("no quota"),
            "{text}"
        );
        let text = render(Some(UsageView::new(&limits(5, 1, Quota::default(), 0))));
        assert!(text.contains("objects, no quota;"), "{text}");
        assert!(!render(None).contains(r#"id="usage""#));
    }
}
