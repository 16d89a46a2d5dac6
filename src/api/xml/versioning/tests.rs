//! Unit tests of `api/xml/versioning.rs`.

use super::*;

fn parse(doc: &str) -> Result<VersioningRequest, XmlParseError> {
    parse_versioning(doc.as_bytes())
}

#[test]
fn what_sdks_send_parses() {
    let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
        <VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
        <Status>Enabled</Status></VersioningConfiguration>";
    assert_eq!(
        parse(doc),
        Ok(VersioningRequest {
            status: Some(Versioning::Enabled),
            mfa_delete: None,
            exclusions: VersioningExclusions::default(),
        })
    );
    let doc = "<VersioningConfiguration>\n  <MfaDelete>Disabled</MfaDelete>\n  \
        <Status> Suspended </Status>\n</VersioningConfiguration>";
    assert_eq!(
        parse(doc),
        Ok(VersioningRequest {
            status: Some(Versioning::Suspended),
            mfa_delete: Some(false),
            exclusions: VersioningExclusions::default(),
        })
    );
    let doc = "<VersioningConfiguration><Status>Enabled</Status>\
        <MfaDelete>Enabled</MfaDelete></VersioningConfiguration>";
    assert_eq!(parse(doc).map(|r| r.mfa_delete), Ok(Some(true)));
}

#[test]
fn a_missing_or_empty_status_is_none() {
    // The handler answers IllegalVersioningConfigurationException for it.
    for doc in [
        "<VersioningConfiguration/>",
        "<VersioningConfiguration></VersioningConfiguration>",
        "<VersioningConfiguration><Status></Status></VersioningConfiguration>",
        "<VersioningConfiguration><Status/></VersioningConfiguration>",
        "<VersioningConfiguration><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>",
    ] {
        assert_eq!(parse(doc).map(|r| r.status), Ok(None), "{doc}");
    }
}

#[test]
fn unknown_values_are_malformed() {
    for (doc, element) in [
        ("<Status>Disabled</Status>", "Status"),
        ("<Status>enabled</Status>", "Status"),
        ("<Status>ENABLED</Status>", "Status"),
        ("<Status>Unversioned</Status>", "Status"),
        (
            "<Status>Enabled</Status><MfaDelete>disabled</MfaDelete>",
            "MfaDelete",
        ),
        (
            "<Status>Enabled</Status><MfaDelete>true</MfaDelete>",
            "MfaDelete",
        ),
    ] {
        let doc = format!("<VersioningConfiguration>{doc}</VersioningConfiguration>");
        assert!(
            matches!(parse(&doc), Err(XmlParseError::InvalidValue { element: e, .. }) if e == element),
            "{doc}: {:?}",
            parse(&doc)
        );
    }
}

#[test]
fn malformed_documents_are_errors() {
    for doc in [
        "",
        "not xml",
        "<VersioningConfiguration><Status>Enabled</Status>",
        "<Versioning><Status>Enabled</Status></Versioning>",
        "<VersioningConfiguration><Status>Enabled</Status><Status>Suspended</Status>\
            </VersioningConfiguration>",
        "<!DOCTYPE x><VersioningConfiguration/>",
    ] {
        assert!(parse(doc).is_err(), "{doc}");
    }
}

#[test]
fn rendering_round_trips() {
    let none = versioning_configuration(&Versioning::Unversioned);
    assert_eq!(
        none,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>"
    );
    assert_eq!(parse(&none).map(|r| r.status), Ok(None));
    for status in [Versioning::Enabled, Versioning::Suspended] {
        let doc = versioning_configuration(&status);
        assert!(
            doc.starts_with(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<VersioningConfiguration \
                 xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>"
            ),
            "{doc}"
        );
        assert_eq!(
            parse(&doc),
            Ok(VersioningRequest {
                status: Some(status),
                mfa_delete: None,
                exclusions: VersioningExclusions::default(),
            })
        );
    }
}

#[test]
fn minio_exclusions_parse_and_render_back() {
    // As minio-py sends them: one `ExcludedPrefixes` element per prefix.
    let doc = "<VersioningConfiguration><Status>Enabled</Status>\
        <ExcludedPrefixes><Prefix>prefix1</Prefix></ExcludedPrefixes>\
        <ExcludedPrefixes><Prefix>jobs/*/_temporary/</Prefix></ExcludedPrefixes>\
        <ExcludeFolders>true</ExcludeFolders></VersioningConfiguration>";
    let request = parse(doc).expect("parses");
    let exclusions = VersioningExclusions {
        prefixes: vec!["prefix1".into(), "jobs/*/_temporary/".into()],
        folders: true,
    };
    assert_eq!(request.status, Some(Versioning::Enabled));
    assert_eq!(request.exclusions, exclusions);
    let rendered =
        versioning_configuration(&Versioning::EnabledExcept(Box::new(exclusions.clone())));
    assert!(
        rendered.contains(
            "<Status>Enabled</Status><ExcludedPrefixes><Prefix>prefix1</Prefix></ExcludedPrefixes>"
        ),
        "{rendered}"
    );
    assert!(
        rendered.contains("<ExcludeFolders>true</ExcludeFolders>"),
        "{rendered}"
    );
    assert_eq!(parse(&rendered).map(|r| r.exclusions), Ok(exclusions));
    let bad = "<VersioningConfiguration><Status>Enabled</Status>\
        <ExcludeFolders>yes</ExcludeFolders></VersioningConfiguration>";
    assert!(parse(bad).is_err());
}
