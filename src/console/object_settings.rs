//! One object version's settings page: its tags, its retention and its
//! legal hold, each shown as the gateway answers and changed through the
//! S3 call a client would make, signed as the user (so who may lift a
//! lock is S3's rule, not the console's). A refused change shows the
//! gateway's message beside its form.

use actix_web::{web, HttpRequest, HttpResponse};
use hyper::Method;
use serde::{Deserialize, Serialize};

use super::configuration::{read_call, with_document};
use super::context::{check_csrf, console, s3_path, see_other, Console, SignedIn};
use super::error::ConsoleError;
use super::gateway::S3Call;
use super::objects::{at_version, folder_of};
use super::render::page;
use super::session::Session;
use super::settings::{tagging_xml, xml, Section, Tagging, S3_XMLNS};

/// Registers the routes.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/buckets/{bucket}/object", web::get().to(show))
        .route("/buckets/{bucket}/object/{section}", web::post().to(change));
}

/// Which version of which key.
#[derive(Deserialize)]
struct Target {
    key: String,
    /// The version; none for the latest.
    #[serde(default)]
    version: Option<String>,
}

/// `GetObjectRetention`'s answer.
#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Retention {
    mode: String,
    retain_until_date: String,
}

/// `GetObjectLegalHold`'s answer.
#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct LegalHold {
    status: String,
}

/// The forms' fields.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ObjectForm {
    csrf: String,
    key: String,
    version: String,
    /// Tags as `key=value` lines; empty removes them.
    document: String,
    /// Retention: `GOVERNANCE` or `COMPLIANCE`, empty to remove it.
    mode: String,
    /// Retention: until when (RFC 3339, or a `datetime-local` value,
    /// taken as UTC).
    until: String,
    /// Retention: send `x-amz-bypass-governance-retention`.
    bypass: Option<String>,
    /// Legal hold: `ON` or `OFF`.
    status: String,
}

/// `call` for `key` (and `version`) of `bucket`.
fn object_call(method: Method, bucket: &str, key: &str, version: Option<&str>) -> S3Call {
    at_version(S3Call::new(method, s3_path(bucket, Some(key))), version)
}

async fn show(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    bucket: web::Path<String>,
    target: web::Query<Target>,
) -> Result<HttpResponse, ConsoleError> {
    let target = target.into_inner();
    object_page(console(&req)?, &session, &bucket, &target, None).await
}

/// The page, with `refused` (section, message, draft) beside its form.
async fn object_page(
    console: &Console,
    session: &Session,
    bucket: &str,
    target: &Target,
    refused: Option<(&str, String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let version = target.version.as_deref();
    let get = |sub: &'static str| {
        let call = object_call(Method::GET, bucket, &target.key, version).query(sub, "");
        read_call(console, session, call)
    };
    let (tags, retention, hold) =
        futures::join!(get("tagging"), get("retention"), get("legal-hold"));
    // The object must be there and the user's to see: its tags say both.
    let tags = tags?
        .map(|t| xml::<Tagging>(&t))
        .transpose()?
        .map(|t| t.lines());
    let retention = retention.and_then(|r| r.map(|t| xml::<Retention>(&t)).transpose());
    let hold = hold.and_then(|h| h.map(|t| xml::<LegalHold>(&t)).transpose());
    let refused = refused.as_ref();
    Ok(page(
        "object.html",
        minijinja::context! {
            layout => console.layout(session),
            bucket,
            key => target.key,
            version => version.unwrap_or_default(),
            prefix => folder_of(&target.key),
            tags => Section::of(Ok(tags)).refused("tags", refused),
            retention => Section::of(retention).refused("retention", refused),
            legal_hold => Section::of(hold).refused("legal-hold", refused),
        },
    ))
}

async fn change(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    path: web::Path<(String, String)>,
    form: web::Form<ObjectForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (bucket, section) = path.into_inner();
    check_csrf(&session, &form.csrf)?;
    let console = console(&req)?;
    let target = Target {
        key: form.key.clone(),
        version: Some(form.version.clone()).filter(|v| !v.is_empty()),
    };
    let version = target.version.as_deref();
    let call = match section.as_str() {
        "tags" => match tagging_xml(form.document.trim()) {
            Ok(Some(body)) => Ok(with_document(
                object_call(Method::PUT, &bucket, &target.key, version).query("tagging", ""),
                body,
            )),
            Ok(None) => {
                Ok(object_call(Method::DELETE, &bucket, &target.key, version).query("tagging", ""))
            }
            Err(e) => Err(e),
        },
        "retention" => retention_xml(&form).map(|body| {
            let call =
                object_call(Method::PUT, &bucket, &target.key, version).query("retention", "");
            let call = if form.bypass.is_some() {
                call.header("x-amz-bypass-governance-retention", "true")
            } else {
                call
            };
            with_document(call, body)
        }),
        "legal-hold" => legal_hold_xml(&form.status).map(|body| {
            with_document(
                object_call(Method::PUT, &bucket, &target.key, version).query("legal-hold", ""),
                body,
            )
        }),
        other => {
            return Err(ConsoleError::BadRequest(format!(
                "{other:?} is no object setting"
            )))
        }
    };
    let done = match call {
        Ok(call) => console.gateway.done(&session, call).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => {
            tracing::info!(bucket, key = %target.key, section, by = %session.access_key, "console: object setting changed");
            let mut next = form_urlencoded::Serializer::new(String::new());
            next.append_pair("key", &target.key);
            if let Some(v) = version {
                next.append_pair("version", v);
            }
            Ok(see_other(&format!(
                "/buckets/{bucket}/object?{}",
                next.finish()
            )))
        }
        Err(e) => {
            let refused = (section.as_str(), e.to_string(), form.document.clone());
            object_page(console, &session, &bucket, &target, Some(refused)).await
        }
    }
}

/// The retention asked for: none (all fields empty) when `mode` is empty.
fn retention_xml(form: &ObjectForm) -> Result<String, ConsoleError> {
    if form.mode.is_empty() {
        return Ok(format!(r#"<Retention xmlns="{S3_XMLNS}"></Retention>"#));
    }
    if !matches!(form.mode.as_str(), "GOVERNANCE" | "COMPLIANCE") {
        return Err(ConsoleError::BadRequest(format!(
            "{:?} is not a retention mode (GOVERNANCE or COMPLIANCE)",
            form.mode
        )));
    }
    let until = until_date(&form.until)?;
    Ok(format!(
        r#"<Retention xmlns="{S3_XMLNS}"><Mode>{}</Mode><RetainUntilDate>{until}</RetainUntilDate></Retention>"#,
        form.mode
    ))
}

/// `text` as an RFC 3339 date: one already, or a browser's
/// `datetime-local` value (`2027-01-31T12:00`), taken as UTC.
fn until_date(text: &str) -> Result<String, ConsoleError> {
    use time::format_description::well_known::Rfc3339;
    let text = text.trim();
    let bad = || ConsoleError::BadRequest(format!("{text:?} is not a date and time"));
    if time::OffsetDateTime::parse(text, &Rfc3339).is_ok() {
        return Ok(text.to_owned());
    }
    let local = match text.len() {
        16 => format!("{text}:00Z"),
        19 => format!("{text}Z"),
        _ => return Err(bad()),
    };
    time::OffsetDateTime::parse(&local, &Rfc3339).map_err(|_| bad())?;
    Ok(local)
}

fn legal_hold_xml(status: &str) -> Result<String, ConsoleError> {
    if !matches!(status, "ON" | "OFF") {
        return Err(ConsoleError::BadRequest(format!(
            "{status:?} is not a legal hold status (ON or OFF)"
        )));
    }
    Ok(format!(
        r#"<LegalHold xmlns="{S3_XMLNS}"><Status>{status}</Status></LegalHold>"#
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::render::render_text;

    #[test]
    fn the_page_renders_a_locked_version_and_a_refusal() {
        let refusal = Some(&("retention", "AccessDenied: no".to_owned(), String::new()));
        let text = render_text(
            "object.html",
            minijinja::context! {
                layout => minijinja::context! { csrf => "c" },
                bucket => "b", key => "dir/a b", version => "v1", prefix => "dir/",
                tags => Section::of(Ok(Some("x=1".to_owned()))),
                retention => Section::of(Ok(Some(Retention { mode: "GOVERNANCE".into(), retain_until_date: "2030-01-01T00:00:00Z".into() }))).refused("retention", refusal),
                legal_hold => Section::of(Ok(Some(LegalHold { status: "ON".into() }))),
            },
        )
        .unwrap();
        assert!(
            text.contains("GOVERNANCE until 2030-01-01T00:00:00Z"),
            "{text}"
        );
        assert!(text.contains(r#"id="legal-hold-now">ON<"#));
        assert!(text.contains("AccessDenied: no"));
        assert!(text.contains(">x=1</textarea>"));
        assert!(text.contains(r#"name="version" value="v1""#));
    }

    #[test]
    fn retention_and_legal_hold_documents() {
        let mut form = ObjectForm {
            mode: "GOVERNANCE".into(),
            until: "2030-01-31T12:00".into(),
            ..ObjectForm::default()
        };
        assert!(retention_xml(&form).unwrap().contains(
            "<Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-31T12:00:00Z</RetainUntilDate>"
        ));
        form.until = "2030-01-31T12:00:00+02:00".into();
        assert!(retention_xml(&form)
            .unwrap()
            .contains("2030-01-31T12:00:00+02:00"));
        form.until = "tomorrow".into();
        assert!(retention_xml(&form).is_err());
        form.mode = "FOREVER".into();
        assert!(retention_xml(&form).is_err());
        form.mode = String::new();
        assert!(!retention_xml(&form).unwrap().contains("<Mode>"));
        assert!(legal_hold_xml("ON")
            .unwrap()
            .contains("<Status>ON</Status>"));
        assert!(legal_hold_xml("on").is_err());
    }
}
