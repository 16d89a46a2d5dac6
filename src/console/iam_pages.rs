//! The identity pages: an account's IAM users, groups and managed
//! policies, a user's keys, policies and groups, a group's members and
//! policies. Every read and change is an IAM call to this process's own
//! gateway signed with the signed-in user's key, so a page shows and
//! changes only what that key may (an account's root: all of its
//! account; an IAM user: what its `iam:` policies allow); a refusal is
//! shown on the page, with IAM's code and message.

use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::Value as Page;
use serde::Deserialize;
use serde_json::Value;

use super::context::{check_csrf, console, see_other, Console, SignedIn};
use super::error::ConsoleError;
use super::render::page;
use super::session::Session;
use crate::api::iam::list_members;

/// Registers the routes.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/iam", web::get().to(overview))
        .route("/iam/users", web::post().to(create_user))
        .route("/iam/groups", web::post().to(create_group))
        .route("/iam/policies", web::post().to(create_policy))
        .route("/iam/users/{name}", web::get().to(user))
        .route("/iam/users/{name}/keys", web::post().to(create_key))
        .route("/iam/users/{name}/keys/{id}", web::post().to(change_key))
        .route("/iam/users/{name}/policies", web::post().to(user_policy))
        .route("/iam/users/{name}/groups", web::post().to(join_group))
        .route("/iam/groups/{name}", web::get().to(group))
        .route("/iam/groups/{name}/policies", web::post().to(group_policy));
}

/// A list read for a page: its items, or why it could not be read.
async fn list(
    console: &Console,
    session: &Session,
    action: &str,
    params: &[(&str, &str)],
    name: &str,
) -> Result<Vec<Value>, String> {
    let mut all: Vec<(&str, &str)> = vec![("MaxItems", "1000")];
    all.extend_from_slice(params);
    match console.gateway.iam(session, action, &all).await {
        Ok(answer) => Ok(list_members(&answer, name).into_iter().cloned().collect()),
        Err(e) => Err(e.to_string()),
    }
}

/// A list as the page shows it: the items and an error, if any.
fn shown(r: Result<Vec<Value>, String>) -> (Page, Option<String>) {
    match r {
        Ok(items) => (Page::from_serialize(&items), None),
        Err(e) => (Page::from_serialize(Vec::<Value>::new()), Some(e)),
    }
}

/// `keys` (ListAccessKeys' members), each with `LastUsed`: when, for
/// which service and where it last signed, `never`, or why it cannot be
/// said (one GetAccessKeyLastUsed per key: a user has two at most).
async fn with_last_use(console: &Console, session: &Session, mut keys: Vec<Value>) -> Vec<Value> {
    for key in &mut keys {
        let id = key["AccessKeyId"].as_str().unwrap_or_default().to_string();
        let shown = match console
            .gateway
            .iam(session, "GetAccessKeyLastUsed", &[("AccessKeyId", &id)])
            .await
        {
            Ok(answer) => {
                let used = &answer["AccessKeyLastUsed"];
                match used["LastUsedDate"].as_str() {
                    Some(at) => format!(
                        "{at} ({}, {})",
                        used["ServiceName"].as_str().unwrap_or_default(),
                        used["Region"].as_str().unwrap_or_default()
                    ),
                    None => "never".to_string(),
                }
            }
            Err(e) => e.to_string(),
        };
        if let Some(k) = key.as_object_mut() {
            k.insert("LastUsed".into(), Value::String(shown));
        }
    }
    keys
}

/// What a page shows after a change: the error, or a new key's secret.
#[derive(Default)]
struct Notice {
    error: Option<String>,
    created: Option<Value>,
}

impl Notice {
    fn error(e: ConsoleError) -> Self {
        Notice {
            error: Some(e.to_string()),
            created: None,
        }
    }
}

/// The policies a select offers: the account's and AWS's managed ones.
async fn attachable(console: &Console, session: &Session) -> Vec<Value> {
    list(
        console,
        session,
        "ListPolicies",
        &[("Scope", "All")],
        "Policies",
    )
    .await
    .unwrap_or_default()
}

async fn overview(
    req: HttpRequest,
    SignedIn(session): SignedIn,
) -> Result<HttpResponse, ConsoleError> {
    overview_page(console(&req)?, &session, Notice::default()).await
}

async fn overview_page(
    console: &Console,
    session: &Session,
    notice: Notice,
) -> Result<HttpResponse, ConsoleError> {
    let (users, users_error) = shown(list(console, session, "ListUsers", &[], "Users").await);
    let (groups, groups_error) = shown(list(console, session, "ListGroups", &[], "Groups").await);
    let (policies, policies_error) = shown(
        list(
            console,
            session,
            "ListPolicies",
            &[("Scope", "Local")],
            "Policies",
        )
        .await,
    );
    Ok(page(
        "iam.html",
        minijinja::context! {
            layout => console.layout(session),
            users, users_error, groups, groups_error, policies, policies_error,
            error => notice.error,
        },
    ))
}

/// A form with a name (and, for a policy, its document).
#[derive(Deserialize)]
struct NameForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    document: String,
    #[serde(default)]
    csrf: String,
}

/// Runs a change from the overview page: to `next` when done, else the
/// page with IAM's error.
async fn overview_change(
    req: &HttpRequest,
    session: &Session,
    csrf: &str,
    (action, params): (&str, &[(&str, &str)]),
    next: String,
) -> Result<HttpResponse, ConsoleError> {
    check_csrf(session, csrf)?;
    let console = console(req)?;
    match console.gateway.iam(session, action, params).await {
        Ok(_) => {
            tracing::info!(action, by = %session.access_key, "console: IAM change");
            Ok(see_other(&next))
        }
        Err(e) => overview_page(console, session, Notice::error(e)).await,
    }
}

async fn create_user(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, ConsoleError> {
    let name = form.name.trim();
    let next = format!("/iam/users/{name}");
    let call = ("CreateUser", &[("UserName", name)][..]);
    overview_change(&req, &session, &form.csrf, call, next).await
}

async fn create_group(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, ConsoleError> {
    let name = form.name.trim();
    let next = format!("/iam/groups/{name}");
    let call = ("CreateGroup", &[("GroupName", name)][..]);
    overview_change(&req, &session, &form.csrf, call, next).await
}

async fn create_policy(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, ConsoleError> {
    let params = [
        ("PolicyName", form.name.trim()),
        ("PolicyDocument", form.document.as_str()),
    ];
    let call = ("CreatePolicy", &params[..]);
    overview_change(&req, &session, &form.csrf, call, "/iam".into()).await
}

async fn user(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    name: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    user_page(console(&req)?, &session, &name, Notice::default()).await
}

async fn user_page(
    console: &Console,
    session: &Session,
    name: &str,
    notice: Notice,
) -> Result<HttpResponse, ConsoleError> {
    let user = console
        .gateway
        .iam(session, "GetUser", &[("UserName", name)])
        .await?;
    let who = [("UserName", name)];
    let keys = list(
        console,
        session,
        "ListAccessKeys",
        &who,
        "AccessKeyMetadata",
    )
    .await;
    let keys = match keys {
        Ok(keys) => Ok(with_last_use(console, session, keys).await),
        Err(e) => Err(e),
    };
    let (keys, keys_error) = shown(keys);
    let (attached, attached_error) = shown(
        list(
            console,
            session,
            "ListAttachedUserPolicies",
            &who,
            "AttachedPolicies",
        )
        .await,
    );
    let (groups, groups_error) =
        shown(list(console, session, "ListGroupsForUser", &who, "Groups").await);
    let (inline, _) = shown(list(console, session, "ListUserPolicies", &who, "PolicyNames").await);
    let all_groups = list(console, session, "ListGroups", &[], "Groups")
        .await
        .unwrap_or_default();
    Ok(page(
        "iam_user.html",
        minijinja::context! {
            layout => console.layout(session),
            user => Page::from_serialize(&user["User"]),
            keys, keys_error, attached, attached_error, groups, groups_error, inline,
            policies => Page::from_serialize(&attachable(console, session).await),
            all_groups => Page::from_serialize(&all_groups),
            error => notice.error,
            created => notice.created.map(|c| Page::from_serialize(&c)),
        },
    ))
}

/// Runs a change from a user's page: back to it, with IAM's error if any.
async fn user_change(
    req: &HttpRequest,
    session: &Session,
    (name, csrf): (&str, &str),
    action: &str,
    params: &[(&str, &str)],
) -> Result<HttpResponse, ConsoleError> {
    check_csrf(session, csrf)?;
    let console = console(req)?;
    match console.gateway.iam(session, action, params).await {
        Ok(answer) => {
            tracing::info!(action, user = name, by = %session.access_key, "console: IAM change");
            if action == "CreateAccessKey" {
                let notice = Notice {
                    error: None,
                    created: Some(answer["AccessKey"].clone()),
                };
                return user_page(console, session, name, notice).await;
            }
            Ok(see_other(&format!("/iam/users/{name}")))
        }
        Err(e) => user_page(console, session, name, Notice::error(e)).await,
    }
}

/// A form that only carries the CSRF token.
#[derive(Deserialize)]
struct Plain {
    #[serde(default)]
    csrf: String,
}

async fn create_key(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    name: web::Path<String>,
    form: web::Form<Plain>,
) -> Result<HttpResponse, ConsoleError> {
    let params = [("UserName", name.as_str())];
    user_change(
        &req,
        &session,
        (&name, &form.csrf),
        "CreateAccessKey",
        &params,
    )
    .await
}

/// A key's change: `Active`/`Inactive`, or `delete`.
#[derive(Deserialize)]
struct KeyForm {
    #[serde(default)]
    change: String,
    #[serde(default)]
    csrf: String,
}

async fn change_key(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    path: web::Path<(String, String)>,
    form: web::Form<KeyForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (name, id) = path.into_inner();
    let key = [("UserName", name.as_str()), ("AccessKeyId", id.as_str())];
    let csrf = (name.as_str(), form.csrf.as_str());
    match form.change.as_str() {
        "delete" => user_change(&req, &session, csrf, "DeleteAccessKey", &key).await,
        status @ ("Active" | "Inactive") => {
            let params = [key[0], key[1], ("Status", status)];
            user_change(&req, &session, csrf, "UpdateAccessKey", &params).await
        }
        other => Err(ConsoleError::BadRequest(format!("no key change {other:?}"))),
    }
}

/// Attaching (`attach`) or detaching (`detach`) a managed policy.
#[derive(Deserialize)]
struct PolicyForm {
    #[serde(default)]
    arn: String,
    #[serde(default)]
    change: String,
    #[serde(default)]
    csrf: String,
}

/// The IAM action of a policy form for holders of `kind` (`User`,
/// `Group`).
fn attach_action(change: &str, kind: &str) -> Result<&'static str, ConsoleError> {
    Ok(match (change, kind) {
        ("attach", "User") => "AttachUserPolicy",
        ("detach", "User") => "DetachUserPolicy",
        ("attach", _) => "AttachGroupPolicy",
        ("detach", _) => "DetachGroupPolicy",
        (other, _) => {
            return Err(ConsoleError::BadRequest(format!(
                "no policy change {other:?}"
            )))
        }
    })
}

async fn user_policy(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    name: web::Path<String>,
    form: web::Form<PolicyForm>,
) -> Result<HttpResponse, ConsoleError> {
    let action = attach_action(&form.change, "User")?;
    let params = [
        ("UserName", name.as_str()),
        ("PolicyArn", form.arn.as_str()),
    ];
    user_change(&req, &session, (&name, &form.csrf), action, &params).await
}

/// A group to add the user to.
#[derive(Deserialize)]
struct GroupForm {
    #[serde(default)]
    group: String,
    #[serde(default)]
    csrf: String,
}

async fn join_group(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    name: web::Path<String>,
    form: web::Form<GroupForm>,
) -> Result<HttpResponse, ConsoleError> {
    let params = [
        ("UserName", name.as_str()),
        ("GroupName", form.group.as_str()),
    ];
    user_change(
        &req,
        &session,
        (&name, &form.csrf),
        "AddUserToGroup",
        &params,
    )
    .await
}

async fn group(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    name: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    group_page(console(&req)?, &session, &name, None).await
}

async fn group_page(
    console: &Console,
    session: &Session,
    name: &str,
    error: Option<String>,
) -> Result<HttpResponse, ConsoleError> {
    let got = console
        .gateway
        .iam(session, "GetGroup", &[("GroupName", name)])
        .await?;
    let (attached, attached_error) = shown(
        list(
            console,
            session,
            "ListAttachedGroupPolicies",
            &[("GroupName", name)],
            "AttachedPolicies",
        )
        .await,
    );
    Ok(page(
        "iam_group.html",
        minijinja::context! {
            layout => console.layout(session),
            group => Page::from_serialize(&got["Group"]),
            members => Page::from_serialize(list_members(&got, "Users")),
            attached, attached_error,
            policies => Page::from_serialize(&attachable(console, session).await),
            error,
        },
    ))
}

async fn group_policy(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    name: web::Path<String>,
    form: web::Form<PolicyForm>,
) -> Result<HttpResponse, ConsoleError> {
    check_csrf(&session, &form.csrf)?;
    let console = console(&req)?;
    let action = attach_action(&form.change, "Group")?;
    let params = [
        ("GroupName", name.as_str()),
        ("PolicyArn", form.arn.as_str()),
    ];
    match console.gateway.iam(&session, action, &params).await {
        Ok(_) => {
            tracing::info!(action, group = %name, by = %session.access_key, "console: IAM change");
            Ok(see_other(&format!("/iam/groups/{name}")))
        }
        Err(e) => group_page(console, &session, &name, Some(e.to_string())).await,
    }
}
