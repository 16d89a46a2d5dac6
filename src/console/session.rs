//! Console sessions: who is signed in, with which key, until when.
//!
//! A session lives in this gateway's memory only (a restart signs everyone
//! out). Its id travels in an `HttpOnly`, `SameSite=Strict` cookie (and
//! `Secure` under HTTPS), never in a URL or a log line. Each session has a
//! CSRF token that every state-changing request must carry (a form field
//! or the `X-CSRF-Token` header). Failed sign-ins from one client address
//! are answered ever more slowly.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::cookie::{Cookie, SameSite};
use rand::RngCore;
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "predastore_session";
/// The cookie that pairs with the sign-in form's CSRF field.
pub(crate) const SIGN_IN_COOKIE: &str = "predastore_sign_in";
/// How long a session lasts after sign-in.
pub(crate) const SESSION_LIFETIME: Duration = Duration::from_secs(8 * 3600);
/// Longest wait before a failed sign-in is answered.
const MAX_FAILURE_DELAY: Duration = Duration::from_secs(8);
/// Failures forgotten after this long without another.
const FAILURES_FORGOTTEN_AFTER: Duration = Duration::from_secs(15 * 60);

/// A signed-in user.
#[derive(Clone)]
pub(crate) struct Session {
    /// The access key id it signed in with.
    pub(crate) access_key: String,
    /// That key's secret (kept in memory only, to sign requests to the
    /// gateway on the user's behalf).
    pub(crate) secret: String,
    /// The user's canonical id.
    pub(crate) user_id: String,
    /// Its display name.
    pub(crate) display_name: String,
    /// Whether it may use the cluster and key pages.
    pub(crate) admin: bool,
    /// The token state-changing requests must carry.
    pub(crate) csrf: String,
    /// When it ends.
    pub(crate) expires: Instant,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("access_key", &self.access_key)
            .field("user_id", &self.user_id)
            .field("admin", &self.admin)
            .finish_non_exhaustive()
    }
}

/// Failed sign-ins of one client address.
struct Failures {
    count: u32,
    last: Instant,
}

/// Every session of this gateway, and the failed sign-ins.
#[derive(Default)]
pub(crate) struct Sessions {
    by_id: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<IpAddr, Failures>>,
    /// The sign-in form tokens this console handed out, with when each
    /// expires: a sign-in must bring one of them (a token set by anyone
    /// else, however it got into the browser, is refused).
    sign_in_tokens: Mutex<HashMap<String, Instant>>,
}

/// How long a sign-in form may be filled in.
pub(crate) const SIGN_IN_LIFETIME: Duration = Duration::from_secs(3600);

/// Sign-in tokens kept at most (the oldest go first past it).
const MAX_SIGN_IN_TOKENS: usize = 10_000;

/// A random token: 32 bytes, hex.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Whether two tokens are equal, compared in constant time.
pub(crate) fn tokens_match(a: &str, b: &str) -> bool {
    !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

impl Sessions {
    /// Opens a session; returns its id.
    pub(crate) fn open(&self, mut session: Session) -> String {
        let id = random_token();
        session.expires = Instant::now() + SESSION_LIFETIME;
        if let Ok(mut map) = self.by_id.lock() {
            let now = Instant::now();
            map.retain(|_, s| s.expires > now);
            map.insert(id.clone(), session);
        }
        id
    }

    /// A new sign-in form token, remembered as this console's.
    pub(crate) fn issue_sign_in(&self) -> String {
        let token = random_token();
        if let Ok(mut map) = self.sign_in_tokens.lock() {
            let now = Instant::now();
            map.retain(|_, expires| *expires > now);
            if map.len() >= MAX_SIGN_IN_TOKENS {
                if let Some(oldest) = map.iter().min_by_key(|(_, e)| **e).map(|(t, _)| t.clone()) {
                    map.remove(&oldest);
                }
            }
            map.insert(token.clone(), now + SIGN_IN_LIFETIME);
        }
        token
    }

    /// Whether `token` is a live sign-in token this console issued; it is
    /// used up either way.
    pub(crate) fn take_sign_in(&self, token: &str) -> bool {
        let Ok(mut map) = self.sign_in_tokens.lock() else {
            return false;
        };
        map.remove(token)
            .is_some_and(|expires| expires > Instant::now())
    }

    /// The live session of `id`.
    pub(crate) fn get(&self, id: &str) -> Option<Session> {
        let mut map = self.by_id.lock().ok()?;
        match map.get(id) {
            Some(s) if s.expires > Instant::now() => Some(s.clone()),
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }

    /// Ends the session of `id`.
    pub(crate) fn close(&self, id: &str) {
        if let Ok(mut map) = self.by_id.lock() {
            map.remove(id);
        }
    }

    /// Ends every session signed in with `access_key` (the key was deleted).
    pub(crate) fn close_key(&self, access_key: &str) {
        if let Ok(mut map) = self.by_id.lock() {
            map.retain(|_, s| s.access_key != access_key);
        }
    }

    /// Records a failed sign-in from `client`; returns how long to wait
    /// before answering it (1 s, doubling per failure, at most 8 s).
    pub(crate) fn failed(&self, client: IpAddr) -> Duration {
        let Ok(mut map) = self.failures.lock() else {
            return MAX_FAILURE_DELAY;
        };
        let now = Instant::now();
        map.retain(|_, f| now.duration_since(f.last) < FAILURES_FORGOTTEN_AFTER);
        let entry = map.entry(client).or_insert(Failures {
            count: 0,
            last: now,
        });
        entry.count = entry.count.saturating_add(1);
        entry.last = now;
        failure_delay(entry.count)
    }

    /// Forgets the failures of `client` (it signed in).
    pub(crate) fn succeeded(&self, client: IpAddr) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&client);
        }
    }
}

/// The wait after the `count`th failure in a row.
fn failure_delay(count: u32) -> Duration {
    let secs = 1u64 << count.saturating_sub(1).min(3);
    Duration::from_secs(secs).min(MAX_FAILURE_DELAY)
}

/// A cookie for the console: `HttpOnly`, `SameSite=Strict`, on every path,
/// `Secure` under HTTPS.
pub(crate) fn cookie(
    name: &'static str,
    value: String,
    secure: bool,
    max_age: Duration,
) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(actix_web::cookie::time::Duration::seconds(
            i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX),
        ))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(key: &str) -> Session {
        Session {
            access_key: key.into(),
            secret: "s".into(),
            user_id: key.into(),
            display_name: key.into(),
            admin: false,
            csrf: random_token(),
            expires: Instant::now(),
        }
    }

    #[test]
    fn sessions_open_find_and_close() {
        let sessions = Sessions::default();
        let a = sessions.open(session("a"));
        let b = sessions.open(session("b"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(sessions.get(&a).map(|s| s.access_key), Some("a".into()));
        assert!(sessions.get("not-a-session").is_none());
        sessions.close(&a);
        assert!(sessions.get(&a).is_none());
        sessions.close_key("b");
        assert!(sessions.get(&b).is_none());
    }

    #[test]
    fn only_issued_sign_in_tokens_count_and_each_once() {
        let sessions = Sessions::default();
        let issued = sessions.issue_sign_in();
        assert!(
            !sessions.take_sign_in(&random_token()),
            "a token set by someone else"
        );
        assert!(sessions.take_sign_in(&issued));
        assert!(!sessions.take_sign_in(&issued), "used up");
    }

    #[test]
    fn failures_slow_down_and_reset() {
        let sessions = Sessions::default();
        let ip: IpAddr = "127.0.0.7".parse().expect("ip");
        let delays: Vec<u64> = (0..6).map(|_| sessions.failed(ip).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 8, 8]);
        sessions.succeeded(ip);
        assert_eq!(sessions.failed(ip).as_secs(), 1);
    }

    #[test]
    fn tokens_compare_whole() {
        let t = random_token();
        assert!(tokens_match(&t, &t.clone()));
        assert!(!tokens_match(&t, &t[..10]));
        assert!(!tokens_match("", ""));
    }

    #[test]
    fn cookies_are_strict() {
        let c = cookie(SESSION_COOKIE, "x".into(), true, SESSION_LIFETIME);
        let text = c.to_string();
        assert!(text.contains("HttpOnly"));
        assert!(text.contains("SameSite=Strict"));
        assert!(text.contains("Secure"));
        assert!(!cookie(SESSION_COOKIE, "x".into(), false, SESSION_LIFETIME)
            .to_string()
            .contains("Secure"));
    }
}
