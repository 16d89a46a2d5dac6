//! The presigned upload form: an HTML form that posts one file straight
//! to the S3 endpoint (S3's PostObject), for a bucket and a key prefix,
//! which the signed-in user can use on the page or copy into a web app.
//!
//! The form carries a SigV4 POST policy signed with the user's key, as
//! share links are: the policy pins the bucket, the key prefix, the
//! largest size and what S3 does after the upload, and lasts as long as a
//! share link may. The store checks the signature and every condition, so
//! a form edited in the browser (another prefix, a rewritten policy) is
//! refused. The page's Content-Security-Policy lets its form post to the
//! S3 endpoint ([`FormAction`]), which every other page forbids.

use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine as _;
use hyper::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

use super::context::{console, s3_path, SignedIn};
use super::error::ConsoleError;
use super::gateway::S3Call;
use super::objects::{public_s3, SHARE_EXPIRIES};
use super::render::{page, render_text};
use crate::api::auth::sigv4::{format_amz_date, SigningKey, ALGORITHM, SERVICE};

/// The largest size a form may allow, in MiB: S3's limit for one
/// PostObject (5 GiB).
const MAX_MIB: u64 = 5 << 10;
/// The size a form allows unless asked otherwise, in MiB.
const DEFAULT_MIB: u64 = 100;

/// Registers the routes.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/buckets/{bucket}/post-form", web::get().to(form));
}

/// An origin the forms of a page may post to besides the console's own,
/// set on the upload form's answer for the security headers to allow.
#[derive(Clone, Debug)]
pub(super) struct FormAction(pub(super) String);

/// What S3 does once the file is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Success<'a> {
    /// Answers `201 Created` with its XML (for a web app's script).
    Created,
    /// Sends the browser to this URL (S3 adds bucket, key and ETag).
    Redirect(&'a str),
}

/// What a form allows, and who signs it.
#[derive(Clone, Debug)]
pub(super) struct PostPolicyRequest<'a> {
    /// The bucket the form uploads to.
    pub(super) bucket: &'a str,
    /// Every key the form may write starts with this (may be empty).
    pub(super) prefix: &'a str,
    /// The largest file accepted, in bytes.
    pub(super) max_bytes: u64,
    /// What S3 answers after the upload.
    pub(super) success: Success<'a>,
    /// Access key id written into `x-amz-credential`.
    pub(super) access_key: &'a str,
    /// The secret of `access_key`: derives the signing key, never written
    /// into the form.
    pub(super) secret: &'a str,
    /// Region of the credential scope: the store's.
    pub(super) region: &'a str,
    /// Signing time (`x-amz-date`).
    pub(super) now: OffsetDateTime,
    /// Validity in seconds (1..=604800, as a presigned URL's).
    pub(super) expires: u64,
}

/// A signed form: its fields in the order they are sent (the file goes
/// after them), and the policy they carry, as JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct SignedForm {
    /// The policy document before base64.
    pub(super) policy_json: String,
    /// `(name, value)` of every field but the file.
    pub(super) fields: Vec<(&'static str, String)>,
}

/// Why no form was signed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum PostPolicyError {
    /// A form must expire, and within the seven days a presigned URL may last.
    #[error("an upload form lasts 1 to 604800 seconds, not {0}")]
    Expiry(u64),
    /// The signing time plus the validity is not a date.
    #[error("the form's expiration is out of range")]
    Overflow,
}

/// Longest validity of a form: a presigned URL's (seven days).
const MAX_EXPIRES: u64 = 604_800;

/// The POST policy of `r` and the form fields that carry it, signed as
/// SigV4 signs a POST: `x-amz-signature` is the HMAC-SHA256, under the
/// derived signing key, of the base64 policy.
pub(super) fn sign_post_policy(r: &PostPolicyRequest<'_>) -> Result<SignedForm, PostPolicyError> {
    if !(1..=MAX_EXPIRES).contains(&r.expires) {
        return Err(PostPolicyError::Expiry(r.expires));
    }
    let seconds = i64::try_from(r.expires).map_err(|_| PostPolicyError::Overflow)?;
    let expiration = r
        .now
        .checked_add(time::Duration::seconds(seconds))
        .ok_or(PostPolicyError::Overflow)?;
    let amz_date = format_amz_date(r.now);
    let date = &amz_date[..8];
    let credential = format!(
        "{}/{date}/{}/{SERVICE}/aws4_request",
        r.access_key, r.region
    );
    let (success_field, success_value) = match r.success {
        Success::Created => ("success_action_status", "201".to_string()),
        Success::Redirect(url) => ("success_action_redirect", url.to_string()),
    };
    let conditions = [
        json!({ "bucket": r.bucket }),
        json!(["starts-with", "$key", r.prefix]),
        json!(["content-length-range", 0, r.max_bytes]),
        json!({ success_field: success_value }),
        json!({ "x-amz-algorithm": ALGORITHM }),
        json!({ "x-amz-credential": credential }),
        json!({ "x-amz-date": amz_date }),
    ];
    let conditions: Vec<String> = conditions.iter().map(|c| c.to_string()).collect();
    // Written out rather than serialized as a map, so the order of the
    // two members does not depend on serde_json's features.
    let policy_json = format!(
        "{{\"expiration\":{},\"conditions\":[{}]}}",
        json!(iso8601_millis(expiration)),
        conditions.join(",")
    );
    let policy = base64::engine::general_purpose::STANDARD.encode(&policy_json);
    let signature =
        SigningKey::derive(r.secret, date, r.region, SERVICE).sign_hex(policy.as_bytes());
    let fields = vec![
        ("key", format!("{}${{filename}}", r.prefix)),
        (success_field, success_value),
        ("x-amz-algorithm", ALGORITHM.to_string()),
        ("x-amz-credential", credential),
        ("x-amz-date", amz_date),
        ("policy", policy),
        ("x-amz-signature", signature),
    ];
    Ok(SignedForm {
        policy_json,
        fields,
    })
}

/// `2015-12-30T12:00:00.000Z`: a POST policy's `expiration`.
fn iso8601_millis(t: OffsetDateTime) -> String {
    let ms = u64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    crate::clock::format_timestamp(ms)
}

/// What the user asks for.
#[derive(Deserialize)]
struct FormQuery {
    /// The key prefix every upload must start with.
    #[serde(default)]
    prefix: String,
    /// Validity in seconds: one of [`SHARE_EXPIRIES`].
    #[serde(default = "default_expires")]
    expires: u64,
    /// The largest file, in MiB (1..=[`MAX_MIB`]).
    #[serde(default = "default_mib")]
    max_mib: u64,
    /// `console` (back to the bucket's page) or `201` (S3's XML answer).
    #[serde(default)]
    after: After,
}

fn default_expires() -> u64 {
    SHARE_EXPIRIES[0]
}

fn default_mib() -> u64 {
    DEFAULT_MIB
}

/// Where the browser goes after the upload.
#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq, Debug)]
enum After {
    /// Back to the console's page of the bucket, which lists the file.
    #[default]
    #[serde(rename = "console")]
    Console,
    /// S3's `201 Created` answer.
    #[serde(rename = "201")]
    Created,
}

/// A field as the form template writes it.
#[derive(Serialize)]
struct FieldView<'a> {
    name: &'a str,
    /// Escaped for an attribute already ([`attribute`]).
    value: String,
    /// `text` for the key (the user may rename the file within the
    /// prefix), else `hidden`.
    kind: &'static str,
}

/// `value` escaped for a quoted HTML attribute: only what HTML needs,
/// so the HTML to copy reads as written (the templates' escaping also
/// turns `/` into `&#x2f;`).
fn attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// `origin` when it is safe inside a Content-Security-Policy (a scheme,
/// host and port, nothing that could end the directive).
fn csp_origin(origin: &str) -> Option<&str> {
    let safe = origin
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b".-:/[]".contains(&b));
    safe.then_some(origin)
}

async fn form(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    bucket: web::Path<String>,
    q: web::Query<FormQuery>,
) -> Result<HttpResponse, ConsoleError> {
    if !SHARE_EXPIRIES.contains(&q.expires) {
        return Err(ConsoleError::BadRequest(format!(
            "an upload form lasts one of {SHARE_EXPIRIES:?} seconds"
        )));
    }
    if !(1..=MAX_MIB).contains(&q.max_mib) {
        return Err(ConsoleError::BadRequest(format!(
            "an upload form allows 1 to {MAX_MIB} MiB"
        )));
    }
    let console = console(&req)?;
    // The form is signed with the user's key: it works only if the user
    // may use the bucket, which a HEAD shows now rather than at upload.
    let head = S3Call::new(Method::HEAD, s3_path(&bucket, None));
    console.gateway.done(&session, head).await?;
    let (scheme, authority) = public_s3(console, &req);
    let s3_origin = format!("{scheme}://{authority}");
    let back = {
        let info = req.connection_info();
        let prefix =
            percent_encoding::utf8_percent_encode(&q.prefix, percent_encoding::NON_ALPHANUMERIC);
        format!(
            "{}://{}/buckets/{bucket}?prefix={prefix}",
            info.scheme(),
            info.host()
        )
    };
    let success = match q.after {
        After::Console => Success::Redirect(&back),
        After::Created => Success::Created,
    };
    let signed = sign_post_policy(&PostPolicyRequest {
        bucket: &bucket,
        prefix: &q.prefix,
        max_bytes: q.max_mib << 20,
        success,
        access_key: &session.access_key,
        secret: &session.secret,
        region: console.gateway.region(),
        now: OffsetDateTime::now_utc(),
        expires: q.expires,
    })
    .map_err(|e| ConsoleError::BadRequest(e.to_string()))?;
    let fields: Vec<FieldView<'_>> = signed
        .fields
        .iter()
        .map(|(name, value)| FieldView {
            name,
            value: attribute(value),
            kind: if *name == "key" { "text" } else { "hidden" },
        })
        .collect();
    let snippet = render_text(
        "post_form_snippet.html",
        minijinja::context! {
            action => attribute(&format!("{s3_origin}/{bucket}")),
            fields => fields,
        },
    )
    .map_err(ConsoleError::Internal)?;
    let mut res = page(
        "post_form.html",
        minijinja::context! {
            layout => console.layout(&session),
            bucket => bucket.as_str(),
            prefix => q.prefix,
            max_bytes => q.max_mib << 20,
            hours => q.expires / 3600,
            after_console => q.after == After::Console,
            snippet => snippet,
            policy => signed.policy_json,
        },
    );
    if let Some(origin) = csp_origin(&s3_origin) {
        res.extensions_mut().insert(FormAction(origin.to_string()));
    }
    Ok(res)
}

#[cfg(test)]
mod tests;
