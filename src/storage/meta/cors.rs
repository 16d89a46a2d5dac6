//! Per-bucket CORS rules, as S3 keeps them (`PutBucketCors`): which
//! origins may send which methods and headers from a browser, and what the
//! browser may see of the answer. Kept in the bucket record, so they
//! replicate through Raft; the API layer parses and renders them, answers
//! preflights and decorates answers with [`matching_rule`].

use serde::{Deserialize, Serialize};

/// One `CORSRule`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorsRule {
    /// Its `ID`, if given.
    pub id: Option<String>,
    /// `AllowedOrigin`s: exact, or with one `*` standing for any run of
    /// characters (`*` alone: any origin).
    pub allowed_origins: Vec<String>,
    /// `AllowedMethod`s: `GET`, `PUT`, `POST`, `DELETE`, `HEAD`.
    pub allowed_methods: Vec<String>,
    /// `AllowedHeader`s a preflight may ask for (with at most one `*`).
    pub allowed_headers: Vec<String>,
    /// `ExposeHeader`s the browser may show the page.
    pub expose_headers: Vec<String>,
    /// `MaxAgeSeconds` a preflight answer may be cached.
    pub max_age_seconds: Option<u32>,
}

/// Whether `value` fits `pattern`, where one `*` in the pattern stands for
/// any run of characters; ASCII case is ignored when `fold` is set.
fn fits(pattern: &str, value: &str, fold: bool) -> bool {
    let (p, v) = if fold {
        (pattern.to_ascii_lowercase(), value.to_ascii_lowercase())
    } else {
        (pattern.to_string(), value.to_string())
    };
    match p.split_once('*') {
        None => p == v,
        Some((head, tail)) => {
            v.len() >= head.len() + tail.len() && v.starts_with(head) && v.ends_with(tail)
        }
    }
}

impl CorsRule {
    /// Whether this rule allows a request from `origin` with `method`
    /// asking to send `headers` (a preflight's
    /// `Access-Control-Request-Headers`; none for a real request).
    pub fn allows(&self, origin: &str, method: &str, headers: &[&str]) -> bool {
        self.allowed_origins.iter().any(|o| fits(o, origin, false))
            && self.allowed_methods.iter().any(|m| m == method)
            && headers
                .iter()
                .all(|h| self.allowed_headers.iter().any(|a| fits(a, h, true)))
    }

    /// Whether the rule allows every origin (`*`), so answers name `*`.
    pub fn any_origin(&self) -> bool {
        self.allowed_origins.iter().any(|o| o == "*")
    }
}

/// The first rule of `rules` that allows the request, as S3 evaluates
/// them (in order).
pub(crate) fn matching_rule<'a>(
    rules: &'a [CorsRule],
    origin: &str,
    method: &str,
    headers: &[&str],
) -> Option<&'a CorsRule> {
    rules.iter().find(|r| r.allows(origin, method, headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(origins: &[&str], methods: &[&str], headers: &[&str]) -> CorsRule {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        CorsRule {
            allowed_origins: own(origins),
            allowed_methods: own(methods),
            allowed_headers: own(headers),
            ..CorsRule::default()
        }
    }

    #[test]
    fn origins_methods_and_headers_are_matched_as_s3_does() {
        let r = rule(
            &["https://*.example.com"],
            &["GET", "PUT"],
            &["x-amz-*", "Content-Type"],
        );
        assert!(r.allows("https://app.example.com", "GET", &[]));
        assert!(r.allows(
            "https://app.example.com",
            "PUT",
            &["x-amz-date", "content-type"]
        ));
        assert!(!r.allows("https://example.org", "GET", &[]));
        assert!(!r.allows("https://app.example.com", "DELETE", &[]));
        assert!(!r.allows("https://app.example.com", "PUT", &["authorization"]));
        assert!(!r.any_origin());
        let any = rule(&["*"], &["GET"], &[]);
        assert!(any.allows("http://localhost:3000", "GET", &[]));
        assert!(any.any_origin());
        let rules = [r, any];
        assert_eq!(
            matching_rule(&rules, "https://a.example.com", "GET", &[]).map(|r| r.any_origin()),
            Some(false)
        );
        assert!(matching_rule(&rules, "https://x.org", "PUT", &[]).is_none());
    }
}
