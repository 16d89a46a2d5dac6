//! A bucket's settings page: versioning, object lock's default retention,
//! Block Public Access, the bucket policy (and whether it makes the bucket
//! public), tags, CORS rules, lifecycle rules and, for admins, the quota.
//!
//! Each section shows what the gateway answers and has a form that changes
//! it through the S3 call a client would make, signed as the user: what
//! the user may not do, the gateway refuses. A refused change shows the
//! gateway's own message beside its form, with what was typed kept.

use actix_web::{web, HttpRequest, HttpResponse};
use hyper::Method;
use quick_xml::escape::escape;
use serde::{Deserialize, Serialize};

use super::buckets::usage_view;
use super::configuration::{read_call, with_document};
use super::context::{check_csrf, console, s3_path, see_other, Console, SignedIn};
use super::error::ConsoleError;
use super::gateway::S3Call;
use super::lifecycle_rules::{add_rule, delete_rule, rule_rows, DeleteForm, RuleForm};
use super::render::page;
use super::session::Session;
use crate::storage::meta::quota::Quota;

/// The namespace of S3's XML documents.
pub(super) const S3_XMLNS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Registers the routes.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/buckets/{bucket}/settings", web::get().to(show))
        .route(
            "/buckets/{bucket}/settings/{section}",
            web::post().to(change),
        )
        .route(
            "/buckets/{bucket}/lifecycle/add",
            web::post().to(add_lifecycle_rule),
        )
        .route(
            "/buckets/{bucket}/lifecycle/delete",
            web::post().to(delete_lifecycle_rule),
        );
}

/// Adds a lifecycle rule from the page's form (see `lifecycle_rules`).
async fn add_lifecycle_rule(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    bucket: web::Path<String>,
    form: web::Form<RuleForm>,
) -> Result<HttpResponse, ConsoleError> {
    check_csrf(&session, &form.csrf)?;
    let console = console(&req)?;
    let outcome = add_rule(console, &session, &bucket, &form).await;
    lifecycle_changed(console, &session, &bucket, outcome).await
}

/// Deletes a lifecycle rule by its id.
async fn delete_lifecycle_rule(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    bucket: web::Path<String>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, ConsoleError> {
    check_csrf(&session, &form.csrf)?;
    let console = console(&req)?;
    let outcome = delete_rule(console, &session, &bucket, &form.id).await;
    lifecycle_changed(console, &session, &bucket, outcome).await
}

/// Back to the lifecycle section, or the page with the refusal beside the
/// form (and the configuration that was refused in its editor).
async fn lifecycle_changed(
    console: &Console,
    session: &Session,
    bucket: &str,
    outcome: Result<(), (ConsoleError, String)>,
) -> Result<HttpResponse, ConsoleError> {
    match outcome {
        Ok(()) => {
            tracing::info!(bucket, by = %session.access_key, "console: lifecycle rules changed");
            Ok(see_other(&format!("/buckets/{bucket}/settings#lifecycle")))
        }
        Err((e, draft)) => {
            settings_page(
                console,
                session,
                bucket,
                Some(("lifecycle", e.to_string(), draft)),
            )
            .await
        }
    }
}

/// One setting as the page shows it: its state, or why it could not be
/// read, and, after a refused change, the gateway's message and the
/// text the user had typed.
#[derive(Serialize)]
pub(super) struct Section<T> {
    state: Option<T>,
    read_error: Option<String>,
    error: Option<String>,
    draft: Option<String>,
}

impl<T> Section<T> {
    pub(super) fn of(read: Result<Option<T>, ConsoleError>) -> Self {
        match read {
            Ok(state) => Section {
                state,
                read_error: None,
                error: None,
                draft: None,
            },
            Err(e) => Section {
                state: None,
                read_error: Some(e.to_string()),
                error: None,
                draft: None,
            },
        }
    }

    /// With the gateway's message and the user's draft, when `refused`
    /// is a change of section `name`.
    pub(super) fn refused(mut self, name: &str, refused: Option<&(&str, String, String)>) -> Self {
        if let Some((_, message, draft)) = refused.filter(|(section, ..)| *section == name) {
            self.error = Some(message.clone());
            self.draft = Some(draft.clone());
        }
        self
    }
}

/// `GetBucketVersioning`'s answer.
#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct VersioningConfiguration {
    status: Option<String>,
}

/// `GetPublicAccessBlock`'s answer.
#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct PublicAccessBlockConfiguration {
    block_public_acls: bool,
    ignore_public_acls: bool,
    block_public_policy: bool,
    restrict_public_buckets: bool,
}

/// `GetObjectLockConfiguration`'s answer.
#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ObjectLockConfiguration {
    object_lock_enabled: Option<String>,
    rule: Option<LockRule>,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct LockRule {
    default_retention: DefaultRetention,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct DefaultRetention {
    mode: String,
    days: Option<u32>,
    years: Option<u32>,
}

/// `GetBucketPolicyStatus`'s answer.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct PolicyStatus {
    is_public: bool,
}

/// `GetBucketTagging`'s answer.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct Tagging {
    tag_set: TagSet,
}

impl Tagging {
    /// The tags as the page's text shows them: `key=value` lines.
    pub(super) fn lines(&self) -> String {
        let lines: Vec<String> = self
            .tag_set
            .tag
            .iter()
            .map(|t| format!("{}={}", t.key, t.value))
            .collect();
        lines.join("\n")
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct TagSet {
    tag: Vec<Tag>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Tag {
    key: String,
    value: String,
}

/// The policy and whether it makes the bucket public.
#[derive(Serialize)]
struct PolicyState {
    document: String,
    public: bool,
}

/// Every section's form fields; each form sends its own.
#[derive(Deserialize, Default)]
#[serde(default)]
struct SettingForm {
    csrf: String,
    /// Versioning: `Enabled` or `Suspended`.
    status: String,
    /// Object lock: `GOVERNANCE`, `COMPLIANCE`, or empty for no default.
    mode: String,
    /// Object lock: the default period, in `unit`s.
    period: String,
    /// Object lock: `Days` or `Years`.
    unit: String,
    block_public_acls: Option<String>,
    ignore_public_acls: Option<String>,
    block_public_policy: Option<String>,
    restrict_public_buckets: Option<String>,
    /// The policy (JSON), the CORS or lifecycle configuration (XML), or
    /// the tags (`key=value` lines); empty removes it.
    document: String,
    /// Quota: bytes and objects at most; empty for no limit.
    max_bytes: String,
    max_objects: String,
}

/// The sections a form may change.
const SECTIONS: [&str; 8] = [
    "versioning",
    "object-lock",
    "public-access-block",
    "policy",
    "tags",
    "cors",
    "lifecycle",
    "quota",
];

async fn show(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    bucket: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    settings_page(console(&req)?, &session, &bucket, None).await
}

/// The page, with `refused` (section, message, draft) beside its form.
async fn settings_page(
    console: &Console,
    session: &Session,
    bucket: &str,
    refused: Option<(&str, String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let get = |sub: &'static str| read(console, session, bucket, sub);
    let (versioning, lock, access_block, policy, status, tags, cors, lifecycle) = futures::join!(
        get("versioning"),
        get("object-lock"),
        get("publicAccessBlock"),
        get("policy"),
        get("policyStatus"),
        get("tagging"),
        get("cors"),
        get("lifecycle"),
    );
    // The bucket must be there and the user's to see: the versioning
    // answer says both.
    let versioning = versioning?;
    let policy = policy.map(|p| {
        p.map(|document| PolicyState {
            document,
            public: status
                .ok()
                .flatten()
                .and_then(|s| xml::<PolicyStatus>(&s).ok())
                .is_some_and(|s| s.is_public),
        })
    });
    let tags = tags.map(|t| t.and_then(|t| xml::<Tagging>(&t).ok()).map(|t| t.lines()));
    let lifecycle_rules = match &lifecycle {
        Ok(Some(document)) => rule_rows(document),
        _ => Vec::new(),
    };
    let refused = refused.as_ref();
    let sections = minijinja::context! {
        versioning => Section::of(parsed::<VersioningConfiguration>(Ok(versioning))).refused("versioning", refused),
        object_lock => Section::of(parsed::<ObjectLockConfiguration>(lock)).refused("object-lock", refused),
        public_access_block => Section::of(parsed::<PublicAccessBlockConfiguration>(access_block))
            .refused("public-access-block", refused),
        policy => Section::of(policy).refused("policy", refused),
        tags => Section::of(tags).refused("tags", refused),
        cors => Section::of(cors).refused("cors", refused),
        lifecycle => Section::of(lifecycle).refused("lifecycle", refused),
        quota => Section::<()>::of(Ok(None)).refused("quota", refused),
    };
    Ok(page(
        "settings.html",
        minijinja::context! {
            layout => console.layout(session),
            bucket,
            s => sections,
            rules => lifecycle_rules,
            usage => usage_view(console, bucket).await,
        },
    ))
}

/// The bucket's `sub` resource as text; `None` when the bucket has none
/// (S3's `NoSuch…` and `…NotFound…` answers).
async fn read(
    console: &Console,
    session: &Session,
    bucket: &str,
    sub: &str,
) -> Result<Option<String>, ConsoleError> {
    let call = S3Call::new(Method::GET, s3_path(bucket, None)).query(sub, "");
    read_call(console, session, call).await
}

/// `text` read as the document `T`.
pub(super) fn xml<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, ConsoleError> {
    quick_xml::de::from_str(text)
        .map_err(|e| ConsoleError::Internal(format!("unexpected S3 answer: {e}")))
}

/// A read resource parsed as `T`.
fn parsed<T: for<'de> Deserialize<'de>>(
    read: Result<Option<String>, ConsoleError>,
) -> Result<Option<T>, ConsoleError> {
    read?.map(|text| xml(&text)).transpose()
}

async fn change(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    path: web::Path<(String, String)>,
    form: web::Form<SettingForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (bucket, section) = path.into_inner();
    check_csrf(&session, &form.csrf)?;
    let Some(section) = SECTIONS.iter().copied().find(|s| *s == section) else {
        return Err(ConsoleError::BadRequest(format!(
            "{section:?} is no bucket setting"
        )));
    };
    let console = console(&req)?;
    match apply(console, &session, &bucket, section, &form).await {
        Ok(()) => {
            tracing::info!(bucket, section, by = %session.access_key, "console: bucket setting changed");
            Ok(see_other(&format!("/buckets/{bucket}/settings#{section}")))
        }
        Err(e) => {
            let refused = (section, e.to_string(), form.document.clone());
            settings_page(console, &session, &bucket, Some(refused)).await
        }
    }
}

/// Makes the change `form` asks of `section`.
async fn apply(
    console: &Console,
    session: &Session,
    bucket: &str,
    section: &str,
    form: &SettingForm,
) -> Result<(), ConsoleError> {
    let document = form.document.trim();
    let (sub, body) = match section {
        "versioning" => ("versioning", Some(versioning_xml(&form.status)?)),
        "object-lock" => ("object-lock", Some(object_lock_xml(form)?)),
        "public-access-block" => ("publicAccessBlock", Some(access_block_xml(form))),
        "policy" => (
            "policy",
            (!document.is_empty()).then(|| document.to_owned()),
        ),
        "tags" => ("tagging", tagging_xml(document)?),
        "cors" => ("cors", (!document.is_empty()).then(|| document.to_owned())),
        "lifecycle" => (
            "lifecycle",
            (!document.is_empty()).then(|| document.to_owned()),
        ),
        "quota" => return set_quota(console, session, bucket, form).await,
        _ => {
            return Err(ConsoleError::BadRequest(format!(
                "{section:?} is no bucket setting"
            )))
        }
    };
    let call = S3Call::new(Method::PUT, s3_path(bucket, None)).query(sub, "");
    let call = match body {
        Some(body) => with_document(call, body),
        None => S3Call::new(Method::DELETE, s3_path(bucket, None)).query(sub, ""),
    };
    console.gateway.done(session, call).await
}

fn versioning_xml(status: &str) -> Result<String, ConsoleError> {
    if !matches!(status, "Enabled" | "Suspended") {
        return Err(ConsoleError::BadRequest(format!(
            "{status:?} is not a versioning state (Enabled or Suspended)"
        )));
    }
    Ok(format!(
        r#"<VersioningConfiguration xmlns="{S3_XMLNS}"><Status>{status}</Status></VersioningConfiguration>"#
    ))
}

/// The lock configuration: no default retention when `mode` is empty.
fn object_lock_xml(form: &SettingForm) -> Result<String, ConsoleError> {
    let rule = match form.mode.as_str() {
        "" => String::new(),
        mode @ ("GOVERNANCE" | "COMPLIANCE") => {
            let unit = match form.unit.as_str() {
                unit @ ("Days" | "Years") => unit,
                other => {
                    return Err(ConsoleError::BadRequest(format!(
                        "{other:?} is not a retention unit (Days or Years)"
                    )))
                }
            };
            let period: u32 = form.period.trim().parse().map_err(|_| {
                ConsoleError::BadRequest(format!("{:?} is not a number of {unit}", form.period))
            })?;
            format!(
                "<Rule><DefaultRetention><Mode>{mode}</Mode><{unit}>{period}</{unit}></DefaultRetention></Rule>"
            )
        }
        other => {
            return Err(ConsoleError::BadRequest(format!(
                "{other:?} is not a retention mode (GOVERNANCE or COMPLIANCE)"
            )))
        }
    };
    Ok(format!(
        r#"<ObjectLockConfiguration xmlns="{S3_XMLNS}"><ObjectLockEnabled>Enabled</ObjectLockEnabled>{rule}</ObjectLockConfiguration>"#
    ))
}

fn access_block_xml(form: &SettingForm) -> String {
    let on = |field: &Option<String>| field.is_some();
    format!(
        r#"<PublicAccessBlockConfiguration xmlns="{S3_XMLNS}"><BlockPublicAcls>{}</BlockPublicAcls><IgnorePublicAcls>{}</IgnorePublicAcls><BlockPublicPolicy>{}</BlockPublicPolicy><RestrictPublicBuckets>{}</RestrictPublicBuckets></PublicAccessBlockConfiguration>"#,
        on(&form.block_public_acls),
        on(&form.ignore_public_acls),
        on(&form.block_public_policy),
        on(&form.restrict_public_buckets),
    )
}

/// The tag set of `key=value` lines; `None` (remove the tags) for none.
pub(super) fn tagging_xml(lines: &str) -> Result<Option<String>, ConsoleError> {
    let mut tags = String::new();
    for line in lines.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| ConsoleError::BadRequest(format!("{line:?} is not key=value")))?;
        tags.push_str(&format!(
            "<Tag><Key>{}</Key><Value>{}</Value></Tag>",
            escape(key.trim()),
            escape(value.trim())
        ));
    }
    Ok((!tags.is_empty())
        .then(|| format!(r#"<Tagging xmlns="{S3_XMLNS}"><TagSet>{tags}</TagSet></Tagging>"#)))
}

/// Sets the quota through the admin service: for admin users only.
async fn set_quota(
    console: &Console,
    session: &Session,
    bucket: &str,
    form: &SettingForm,
) -> Result<(), ConsoleError> {
    if !session.admin {
        return Err(ConsoleError::NotAdmin);
    }
    let limit = |text: &str, what: &str| -> Result<Option<u64>, ConsoleError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse()
            .map(Some)
            .map_err(|_| ConsoleError::BadRequest(format!("{text:?} is not a number of {what}")))
    };
    let quota = Quota {
        max_bytes: limit(&form.max_bytes, "bytes")?,
        max_objects: limit(&form.max_objects, "objects")?,
    };
    console.admin.set_quota(bucket, quota).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::render::render_text;

    fn layout(admin: bool) -> minijinja::Value {
        minijinja::context! { user => "u", access_key => "k", admin, csrf => "c" }
    }

    #[test]
    fn the_page_renders_with_nothing_set_with_everything_set_and_with_a_refusal() {
        let none = |name: &str| Section::<()>::of(Ok(None)).refused(name, None);
        let empty = render_text(
            "settings.html",
            minijinja::context! {
                layout => layout(false), bucket => "b",
                s => minijinja::context! {
                    versioning => none("versioning"), object_lock => none("object-lock"),
                    public_access_block => none("public-access-block"), policy => none("policy"),
                    tags => none("tags"), cors => none("cors"), lifecycle => none("lifecycle"),
                    quota => none("quota"),
                },
            },
        )
        .unwrap();
        assert!(
            empty.contains(r#"id="versioning-status">never enabled<"#),
            "{empty}"
        );
        assert!(empty.contains("Off: object lock is chosen"));
        assert!(!empty.contains("policy-public") && !empty.contains(r#"id="quota""#));

        let lock: ObjectLockConfiguration = xml(
            "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>2</Years></DefaultRetention></Rule></ObjectLockConfiguration>",
        )
        .unwrap();
        let refusal = Some(&(
            "policy",
            "MalformedPolicy: bad <json>".to_owned(),
            "{oops".to_owned(),
        ));
        let full = render_text(
            "settings.html",
            minijinja::context! {
                layout => layout(true), bucket => "b",
                s => minijinja::context! {
                    versioning => Section::of(Ok(Some(VersioningConfiguration { status: Some("Enabled".into()) }))),
                    object_lock => Section::of(Ok(Some(lock))),
                    public_access_block => Section::of(Ok(Some(PublicAccessBlockConfiguration { block_public_policy: true, ..Default::default() }))),
                    policy => Section::of(Ok(Some(PolicyState { document: "{}".into(), public: true }))).refused("policy", refusal),
                    tags => Section::of(Ok(Some("a=1".to_owned()))),
                    cors => Section::of(Ok(Some("<CORSConfiguration/>".to_owned()))),
                    lifecycle => Section::<String>::of(Err(ConsoleError::Internal("down".into()))),
                    quota => none("quota"),
                },
            },
        )
        .unwrap();
        assert!(
            full.contains(r#"id="versioning-status">Enabled<"#),
            "{full}"
        );
        assert!(full.contains("COMPLIANCE, 2 years"));
        assert!(full.contains(r#"id="block-public-policy" checked"#));
        assert!(full.contains(r#"id="policy-public""#));
        assert!(full.contains("MalformedPolicy: bad &lt;json&gt;"));
        assert!(
            full.contains(">{oops</textarea>"),
            "the draft, not the stored policy"
        );
        assert!(full.contains("&lt;CORSConfiguration"));
        assert!(full.contains("Not shown: down"));
        assert!(full.contains(r#"id="quota""#));
    }

    #[test]
    fn documents_are_what_s3_takes_and_bad_fields_are_refused() {
        assert!(versioning_xml("Enabled")
            .unwrap()
            .contains("<Status>Enabled</Status>"));
        assert!(versioning_xml("On").is_err());
        let mut form = SettingForm {
            mode: "GOVERNANCE".into(),
            period: "30".into(),
            unit: "Days".into(),
            ..SettingForm::default()
        };
        assert!(object_lock_xml(&form)
            .unwrap()
            .contains("<Mode>GOVERNANCE</Mode><Days>30</Days>"));
        form.unit = "Weeks".into();
        assert!(object_lock_xml(&form).is_err());
        form.mode = String::new();
        assert!(!object_lock_xml(&form).unwrap().contains("<Rule>"));
        let tags = tagging_xml("team = data\nowner=<me&you>\n\n")
            .unwrap()
            .unwrap();
        assert!(tags.contains("<Key>team</Key><Value>data</Value>"));
        assert!(tags.contains("<Value>&lt;me&amp;you&gt;</Value>"));
        assert_eq!(tagging_xml("  \n").unwrap(), None);
        assert!(tagging_xml("no-equals").is_err());
        form.block_public_policy = Some("on".into());
        let block = access_block_xml(&form);
        assert!(block.contains("<BlockPublicPolicy>true</BlockPublicPolicy>"));
        assert!(block.contains("<BlockPublicAcls>false</BlockPublicAcls>"));
    }
}
