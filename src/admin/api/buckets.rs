//! `/admin/v1/buckets…`: buckets, what they hold, and their quotas.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{json, service, AdminApi, AdminHttpError, Authorized};
use crate::storage::meta::quota::Quota;

type Answer = Result<HttpResponse, AdminHttpError>;

/// Registers the routes.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/buckets", web::get().to(buckets))
        .route("/buckets/{name}", web::get().to(bucket))
        .route("/buckets/{name}/quota", web::put().to(set_quota))
        .route("/buckets/{name}/quota", web::delete().to(clear_quota));
}

/// `PUT /buckets/{name}/quota`'s body: the whole quota, each axis a
/// number or `null`/absent for no limit. Unknown fields are refused, so a
/// misspelt limit is a 400 rather than a quietly removed one; so is
/// anything but a JSON object (serde would take `[]` for a struct).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuotaBody {
    #[serde(default)]
    max_bytes: Option<u64>,
    #[serde(default)]
    max_objects: Option<u64>,
}

async fn buckets(_: Authorized, api: web::Data<AdminApi>) -> Answer {
    Ok(json(&service(&api).buckets().await?))
}

async fn bucket(_: Authorized, api: web::Data<AdminApi>, name: web::Path<String>) -> Answer {
    Ok(json(&service(&api).bucket_info(&name).await?))
}

async fn set_quota(
    _: Authorized,
    api: web::Data<AdminApi>,
    name: web::Path<String>,
    body: web::Json<Map<String, Value>>,
) -> Answer {
    let quota = quota_of(body.into_inner())?;
    Ok(json(&service(&api).set_quota(&name, quota).await?))
}

/// The quota a body's JSON object asks for.
fn quota_of(body: Map<String, Value>) -> Result<Quota, AdminHttpError> {
    match serde_json::from_value::<QuotaBody>(Value::Object(body)) {
        Ok(q) => Ok(Quota {
            max_bytes: q.max_bytes,
            max_objects: q.max_objects,
        }),
        Err(e) => Err(AdminHttpError::bad_request(format!(
            "bad quota: {e} (expected {{\"max_bytes\": N or null, \"max_objects\": N or null}})"
        ))),
    }
}

async fn clear_quota(_: Authorized, api: web::Data<AdminApi>, name: web::Path<String>) -> Answer {
    Ok(json(
        &service(&api).set_quota(&name, Quota::default()).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As the handler sees a body: a JSON object (else actix's JSON
    /// extractor answers 400), then a quota.
    fn parse(body: &str) -> Result<(Option<u64>, Option<u64>), String> {
        let object: Map<String, Value> = serde_json::from_str(body).map_err(|e| e.to_string())?;
        quota_of(object)
            .map(|q| (q.max_bytes, q.max_objects))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_quota_body_is_two_optional_limits() {
        assert_eq!(
            parse(r#"{"max_bytes": 1073741824, "max_objects": null}"#).ok(),
            Some((Some(1 << 30), None))
        );
        assert_eq!(
            parse(r#"{"max_objects": 1000}"#).ok(),
            Some((None, Some(1000)))
        );
        assert_eq!(parse("{}").ok(), Some((None, None)));
        let message = parse(r#"{"max_byte": 5}"#).expect_err("misspelt");
        assert!(
            message.starts_with("BadRequest: bad quota: unknown field"),
            "{message}"
        );
    }

    #[test]
    fn a_bad_quota_body_is_refused() {
        for bad in [
            r#"{"max_byte": 5}"#,
            r#"{"max_bytes": -1}"#,
            r#"{"max_bytes": "1GiB"}"#,
            r#"{"max_bytes": 1.5}"#,
            "[]",
            "[1, 2]",
            "null",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
