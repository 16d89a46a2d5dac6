//! Unit tests of `api/xml/cors.rs`.

use super::*;

const DOC: &str = "<CORSConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
        <CORSRule><ID>web</ID><AllowedOrigin>https://*.example.com</AllowedOrigin>\
        <AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>\
        <AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader>\
        <MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>\
        <CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule>\
        </CORSConfiguration>";

#[test]
fn a_configuration_round_trips() {
    let rules = parse_cors(DOC.as_bytes()).expect("valid");
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].id.as_deref(), Some("web"));
    assert_eq!(rules[0].allowed_methods, ["GET", "PUT"]);
    assert_eq!(rules[0].max_age_seconds, Some(3000));
    assert_eq!(rules[1].expose_headers.len(), 0);
    let xml = cors_to_xml(&rules);
    assert_eq!(parse_cors(xml.as_bytes()).expect("rendered"), rules);
}

#[test]
fn what_s3_refuses_is_refused() {
    let one =
        |rule: &str| format!("<CORSConfiguration><CORSRule>{rule}</CORSRule></CORSConfiguration>");
    let bad = [
        one("<AllowedMethod>GET</AllowedMethod>"),
        one("<AllowedOrigin>*</AllowedOrigin>"),
        one("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>"),
        one("<AllowedOrigin>*.*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"),
        "<CORSConfiguration></CORSConfiguration>".to_string(),
        "<Tagging></Tagging>".to_string(),
        "not xml".to_string(),
    ];
    for doc in bad {
        assert!(parse_cors(doc.as_bytes()).is_err(), "{doc}");
    }
    let many = format!(
        "<CORSConfiguration>{}</CORSConfiguration>",
        "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>"
            .repeat(MAX_CORS_RULES + 1)
    );
    assert!(matches!(
        parse_cors(many.as_bytes()),
        Err(CorsParseError::Invalid(_))
    ));
}
