//! `/admin/v1/iam`: an account's IAM (users, groups, policies, roles and
//! their keys) for `predastore admin user|group|policy|role`: one IAM
//! action run as the account's root; the answer is
//! `{"account", "action", "result"}`, the result being IAM's answer as
//! JSON (an element with text a string, with children an object,
//! repeated ones an array, an empty one null).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{json, AdminApi, AdminHttpError, Authorized};
use crate::api::access::user_names;
use crate::api::context::Gateway;

type Answer = Result<HttpResponse, AdminHttpError>;

/// Registers the route.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/iam", web::post().to(call));
}

/// One IAM action: as the root of `account` (default: the configured
/// key's account), with `params` as its form.
#[derive(Deserialize)]
struct IamCall {
    account: Option<String>,
    action: String,
    #[serde(default)]
    params: Vec<(String, String)>,
}

async fn call(
    _: Authorized,
    _api: web::Data<AdminApi>,
    gw: Option<web::Data<Gateway>>,
    req: HttpRequest,
    body: web::Json<IamCall>,
) -> Answer {
    let Some(gw) = gw else {
        return Err(AdminHttpError::not_found("this node serves no S3 gateway"));
    };
    let IamCall {
        account,
        action,
        params,
    } = body.into_inner();
    let account = account.unwrap_or_else(|| gw.access_key.clone());
    let names = user_names(&gw)
        .await
        .map_err(|_| AdminHttpError::unavailable("the accounts cannot be read now"))?;
    let Some(name) = names
        .get(&account)
        .cloned()
        .or_else(|| (account == gw.access_key).then(|| account.clone()))
    else {
        return Err(AdminHttpError::not_found(format!("no account {account}")));
    };
    match crate::api::iam::run_as_root(&req, &gw, account.clone(), name, &action, params).await {
        Ok(result) => Ok(json(&serde_json::json!({
            "account": account,
            "action": action,
            "result": result,
        }))),
        Err(e) => Err(AdminHttpError::iam(e.status.as_u16(), e.code, e.message)),
    }
}
