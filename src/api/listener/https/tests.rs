use super::*;
use crate::net::tls::ClusterCa;

/// Writes a server certificate for `127.0.0.1` and its key under `dir`.
fn write_pair(dir: &Path, ca: &ClusterCa) -> (PathBuf, PathBuf) {
    let (cert, key) = ca.issue_server(&["127.0.0.1".into()]).expect("issue");
    let (cert_path, key_path) = (dir.join("https.pem"), dir.join("https-key.pem"));
    std::fs::write(&cert_path, cert).expect("write cert");
    std::fs::write(&key_path, key).expect("write key");
    (cert_path, key_path)
}

#[test]
fn a_good_pair_loads_and_a_bad_one_names_its_variable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = ClusterCa::generate().expect("ca");
    let (cert, key) = write_pair(dir.path(), &ca);
    assert!(HttpsIdentity::load(&cert, &key).is_ok());

    let missing = HttpsIdentity::load(&dir.path().join("nope.pem"), &key).unwrap_err();
    assert!(missing.to_string().starts_with(CERT_VAR), "{missing}");

    // Another certificate's key does not fit.
    let other = tempfile::tempdir().expect("tempdir");
    let (_, other_key) = write_pair(other.path(), &ca);
    let mismatch = HttpsIdentity::load(&cert, &other_key).unwrap_err();
    assert!(matches!(mismatch, HttpsError::Refused(_)), "{mismatch}");
    assert!(mismatch.to_string().starts_with(KEY_VAR), "{mismatch}");

    // A key file that holds a certificate is no key.
    let not_a_key = HttpsIdentity::load(&cert, &cert).unwrap_err();
    assert!(matches!(not_a_key, HttpsError::NoKey(_)), "{not_a_key}");
    let not_a_cert = HttpsIdentity::load(&key, &key).unwrap_err();
    assert!(
        matches!(not_a_cert, HttpsError::NoCertificate(_)),
        "{not_a_cert}"
    );
}

#[test]
fn a_changed_pair_is_served_and_a_broken_one_is_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = ClusterCa::generate().expect("ca");
    let (cert, key) = write_pair(dir.path(), &ca);
    let identity = HttpsIdentity::load(&cert, &key).expect("load");
    assert!(!identity.reload_if_changed(), "nothing changed yet");
    let before = identity.config.load_full();

    std::thread::sleep(Duration::from_millis(20));
    write_pair(dir.path(), &ca);
    assert!(identity.reload_if_changed(), "a renewed pair is taken");
    assert!(!Arc::ptr_eq(&before, &identity.config.load_full()));

    // A half-written renewal (the key file emptied) keeps the last pair.
    let served = identity.config.load_full();
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(&key, "").expect("truncate key");
    assert!(!identity.reload_if_changed());
    assert!(Arc::ptr_eq(&served, &identity.config.load_full()));
}
