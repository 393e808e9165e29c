//! Identity outside emulator mode: verified ID tokens, a configured admin credential, and
//! `auth_variable_override` only narrowing an admin request.

mod common;

use common::start;
use rtcweb_signal::Config;
use serde_json::json;

const SECRET: &str = "identity-test-secret-0123456789";
const ADMIN: &str = "identity-test-admin-0123456789";

const RULES: &str = r#"{"rules": {
  "users": { "$uid": { ".read": true, ".write": "$uid === auth.uid" } }
}}"#;

fn file(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("rtcweb-identity-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

fn token(uid: &str, secret: &str) -> String {
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600;
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"sub": uid, "aud": "demo-project", "exp": exp}),
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn unsigned(uid: &str) -> String {
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.",
        engine.encode(r#"{"alg":"none"}"#),
        engine.encode(json!({"sub": uid}).to_string())
    )
}

#[tokio::test]
async fn only_verified_tokens_and_the_admin_credential_count() {
    let (rules, key, admin) = (
        file("rules", RULES),
        file("key", SECRET),
        file("admin", ADMIN),
    );
    let db = start(Config {
        rules: Some(rules.clone()),
        jwt_key: Some(key.clone()),
        jwt_audience: Some("demo-project".into()),
        admin_token_file: Some(admin.clone()),
        ..Default::default()
    })
    .await;
    let alice = token("alice", SECRET);
    let (status, _) = db
        .send("PUT", &format!("users/alice.json?auth={alice}"), "1")
        .await;
    assert_eq!(status, 200);
    // Forged identities: owner, unsigned, signed with another key.
    for forged in [
        "owner".to_owned(),
        unsigned("alice"),
        token("alice", "some-other-secret-0123456789"),
    ] {
        let (status, body) = db
            .send("PUT", &format!("users/alice.json?auth={forged}"), "2")
            .await;
        assert_eq!(status, 401, "{forged}");
        assert_eq!(body["error"], "Unauthorized request.");
    }
    let (status, _) = db.send("GET", ".settings/rules.json?auth=owner", "").await;
    assert_eq!(status, 401);
    // The override is refused without the admin credential, and narrows it with it.
    let bob = "auth_variable_override=%7B%22uid%22%3A%22bob%22%7D";
    let (status, _) = db.send("PUT", &format!("users/bob.json?{bob}"), "1").await;
    assert_eq!(status, 401);
    let (status, _) = db
        .send("PUT", &format!("users/bob.json?{bob}&auth={alice}"), "1")
        .await;
    assert_eq!(status, 401);
    let (status, _) = db
        .send("PUT", &format!("users/bob.json?{bob}&auth={ADMIN}"), "1")
        .await;
    assert_eq!(status, 200);
    let (status, _) = db
        .send("PUT", &format!("users/carol.json?{bob}&auth={ADMIN}"), "1")
        .await;
    assert_eq!(status, 401);
    // The admin bypasses the rules and may read the rules.
    let response = db
        .client
        .put(db.url("users/carol.json"))
        .header("authorization", format!("Bearer {ADMIN}"))
        .body("1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (status, _) = db
        .send("GET", &format!(".settings/rules.json?auth={ADMIN}"), "")
        .await;
    assert_eq!(status, 200);
    for f in [rules, key, admin] {
        std::fs::remove_file(f).unwrap();
    }
}

#[tokio::test]
async fn short_admin_tokens_and_bad_keys_are_refused_at_start() {
    let short = file("short", "abc");
    let err = rtcweb_signal::Server::new(Config {
        admin_token_file: Some(short.clone()),
        ..Default::default()
    })
    .err()
    .unwrap();
    assert!(err.to_string().contains("at least 16 bytes"), "{err}");
    let bad = file(
        "bad",
        "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----\n",
    );
    assert!(rtcweb_signal::Server::new(Config {
        jwt_key: Some(bad.clone()),
        ..Default::default()
    })
    .is_err());
    std::fs::remove_file(short).unwrap();
    std::fs::remove_file(bad).unwrap();
}

/// The README's rules for running for real: a signed-in peer deletes only rooms it belongs to.
#[tokio::test]
async fn readme_rules_let_members_delete_only_their_rooms() {
    let rules = r#"{"rules": {"rooms": {".indexOn": ["updated"], "$room": {
        ".read": true,
        ".write": "auth != null && !newData.exists() && data.child('presence').child(auth.uid).exists()",
        "updated": { ".write": "auth != null" },
        "offer": { ".write": "auth != null" },
        "answer": { ".write": "auth != null" },
        "presence": { "$peer": { ".write": "auth != null && auth.uid === $peer" } },
        "candidates": { "$side": { ".write": "auth != null && auth.uid === $side" } }
    }}}}"#;
    let (rules, key) = (file("readme-rules", rules), file("readme-key", SECRET));
    let db = start(Config {
        rules: Some(rules.clone()),
        jwt_key: Some(key.clone()),
        ..Default::default()
    })
    .await;
    let (alice, bob) = (token("alice", SECRET), token("bob", SECRET));
    let put = |path: &str, who: &str| format!("rooms/r/{path}.json?auth={who}");
    assert_eq!(
        db.send("PUT", &put("presence/alice", &alice), "{\"joined\":1}")
            .await
            .0,
        200
    );
    assert_eq!(
        db.send("PUT", &put("presence/alice", &bob), "{\"joined\":1}")
            .await
            .0,
        401
    );
    assert_eq!(
        db.send("PUT", &put("offer", &alice), "{\"type\":\"offer\"}")
            .await
            .0,
        200
    );
    assert_eq!(
        db.send("PUT", &put("candidates/bob", &alice), "1").await.0,
        401
    );
    let (status, _) = db.send("GET", "rooms.json?orderBy=%22updated%22", "").await;
    assert_eq!(status, 401, "rooms itself is not readable");
    // Bob is not in the room: he may not delete it; Alice may.
    assert_eq!(
        db.send("DELETE", &format!("rooms/r.json?auth={bob}"), "")
            .await
            .0,
        401
    );
    assert_eq!(
        db.send("DELETE", &format!("rooms/r.json?auth={alice}"), "")
            .await
            .0,
        200
    );
    assert_eq!(
        db.send("GET", "rooms/r.json", "").await.1,
        serde_json::Value::Null
    );
    for f in [rules, key] {
        std::fs::remove_file(f).unwrap();
    }
}
