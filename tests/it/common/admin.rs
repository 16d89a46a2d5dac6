//! The admin API over raw HTTP, as scripts call it.

use std::net::SocketAddr;

use serde_json::Value;

use super::http::http_request;

/// `method /admin/v1{path}` at `http` with `token` as the bearer token
/// (none: no `Authorization` header) and a JSON `body`: the status and
/// the JSON answer (`Null` if there is none).
pub fn admin(
    http: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, Value) {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(a) = &auth {
        headers.push(("Authorization", a.as_str()));
    }
    let r = http_request(
        http,
        method,
        &format!("/admin/v1{path}"),
        &headers,
        body.as_bytes(),
    )
    .expect("admin API answers");
    (
        r.status,
        serde_json::from_slice(&r.body).unwrap_or(Value::Null),
    )
}

/// Shards each storage node of an `admin status` answer holds, by id
/// (`None` while unknown).
pub fn shards_by_node(status: &Value) -> Vec<(u64, Option<u64>)> {
    status["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| (n["id"].as_u64().unwrap_or(0), n["shards"].as_u64()))
        .collect()
}
