//! The console's sign-in refuses what the console did not issue: a
//! sign-in token (cookie and form field) planted by someone else signs
//! nobody in, and a planted session cookie is never taken over.

use std::net::SocketAddr;

use super::*;

/// The value of cookie `name` set by `r`, if it sets one.
fn set_cookie(r: &RawResponse, name: &str) -> Option<String> {
    r.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, v)| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
        .find(|v| !v.is_empty())
}

/// POSTs the sign-in form with `csrf` and cookies `cookies`.
fn sign_in(console: SocketAddr, csrf: &str, cookies: &str) -> RawResponse {
    let form = format!("access_key_id={ACCESS_KEY}&secret={SECRET_KEY}&csrf={csrf}");
    http_request(
        console,
        "POST",
        "/login",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", cookies),
        ],
        form.as_bytes(),
    )
    .expect("sign-in answered")
}

#[tokio::test]
async fn a_planted_token_or_session_signs_nobody_in() {
    let console: SocketAddr = {
        let ip = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
        let (port, _) = free_port_pair(ip);
        SocketAddr::new(ip, port)
    };
    let listen = console.to_string();
    let _store = store(&[("PREDASTORE_CONSOLE_LISTEN", &listen)]);

    // Login CSRF: a pair the attacker made up matches itself, and is
    // still refused.
    let planted = "ab".repeat(32);
    let r = sign_in(console, &planted, &format!("predastore_sign_in={planted}"));
    assert_eq!(r.status, 403, "a planted sign-in token");
    assert!(set_cookie(&r, "predastore_session").is_none());

    // Session fixation: a planted session id is not a session, and
    // signing in with it in the browser issues another.
    let fixed = "cd".repeat(32);
    let r = http_request(
        console,
        "GET",
        "/buckets",
        &[("Cookie", &format!("predastore_session={fixed}"))],
        b"",
    )
    .expect("buckets page");
    assert_eq!(r.status, 303, "a planted session id is no session");
    let form = http_request(console, "GET", "/login", &[], b"").expect("sign-in form");
    let token = set_cookie(&form, "predastore_sign_in").expect("the form's token");
    let cookies = format!("predastore_sign_in={token}; predastore_session={fixed}");
    let r = sign_in(console, &token, &cookies);
    assert_eq!(
        r.status,
        303,
        "signed in: {}",
        String::from_utf8_lossy(&r.body)
    );
    let issued = set_cookie(&r, "predastore_session").expect("a session issued");
    assert_ne!(issued, fixed, "the planted id is never taken over");
    let page = |id: &str| {
        http_request(
            console,
            "GET",
            "/buckets",
            &[("Cookie", &format!("predastore_session={id}"))],
            b"",
        )
        .expect("buckets page")
        .status
    };
    assert_eq!(page(&issued), 200);
    assert_eq!(page(&fixed), 303, "the planted id still opens nothing");
    // A token serves one sign-in.
    let again = sign_in(console, &token, &format!("predastore_sign_in={token}"));
    assert_eq!(again.status, 403, "a used token");
}
