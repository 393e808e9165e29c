//! Security rules and emulator-style auth over real HTTP.

mod common;

use common::{start, token, Events};
use rtcweb_signal::Config;
use serde_json::{json, Value};

const RULES: &str = r#"{
  // Signed-in users share rooms; each user owns their profile.
  "rules": {
    "rooms": {
      "$room": { ".read": "auth != null", ".write": "auth != null" }
    },
    "users": {
      "$uid": { ".read": true, ".write": "$uid === auth.uid" }
    },
    "stamps": { "$id": { ".write": "newData.val() <= now" } },
    "msgs": {
      ".write": true,
      "$id": {
        ".validate": "newData.hasChildren(['text'])",
        "text": { ".validate": "newData.isString()" },
        "$other": { ".validate": false }
      }
    }
  }
}"#;

fn rules_file(name: &str) -> std::path::PathBuf {
    let file =
        std::env::temp_dir().join(format!("rtcweb-signal-{name}-{}.json", std::process::id()));
    std::fs::write(&file, RULES).unwrap();
    file
}

#[tokio::test]
async fn rules_file_guards_reads_and_writes() {
    let file = rules_file("rules-a");
    let db = start(Config {
        rules: Some(file.clone()),
        emulator: true,
        ..Default::default()
    })
    .await;
    let alice = token("alice");

    let (status, body) = db.send("GET", "rooms/r1.json", "").await;
    assert_eq!((status, body), (401, json!({"error": "Permission denied"})));
    let (status, _) = db.send("PUT", "rooms/r1/offer.json", "1").await;
    assert_eq!(status, 401);
    let (status, _) = db
        .send("PUT", &format!("rooms/r1/offer.json?auth={alice}"), "1")
        .await;
    assert_eq!(status, 200);
    let (status, body) = db
        .send("GET", &format!("rooms/r1.json?auth={alice}"), "")
        .await;
    assert_eq!((status, body), (200, json!({"offer": 1})));
    // Nothing grants a read at /rooms itself.
    let (status, _) = db
        .send("GET", &format!("rooms.json?auth={alice}"), "")
        .await;
    assert_eq!(status, 401);

    // $uid === auth.uid, with the token in the Authorization header too.
    let put = |path: &'static str, who: String| {
        let db = &db;
        async move {
            db.client
                .put(db.url(path))
                .header("authorization", format!("Bearer {who}"))
                .body(r#"{"name": "A"}"#)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(put("users/alice.json", alice.clone()).await, 200);
    assert_eq!(put("users/bob.json", alice.clone()).await, 401);
    // A write above a grant is allowed when every changed child is granted.
    let (status, _) = db
        .send(
            "PATCH",
            &format!("users.json?auth={alice}"),
            r#"{"alice/age": 3}"#,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        db.get("users/alice.json").await,
        json!({"name": "A", "age": 3})
    );

    // `now` and newData.
    let (status, _) = db
        .send("PUT", "stamps/a.json", r#"{".sv": "timestamp"}"#)
        .await;
    assert_eq!(status, 200);
    let (status, _) = db.send("PUT", "stamps/b.json", "99999999999999").await;
    assert_eq!(status, 401);

    // .validate: required and typed children, unknown children refused.
    let (status, _) = db.send("POST", "msgs.json", r#"{"text": "hi"}"#).await;
    assert_eq!(status, 200);
    for bad in [
        r#"{"text": 1}"#,
        r#"{"txt": "hi"}"#,
        r#"{"text": "hi", "x": 1}"#,
    ] {
        let (status, body) = db.send("POST", "msgs.json", bad).await;
        assert_eq!(
            (status, body),
            (401, json!({"error": "Permission denied"})),
            "{bad}"
        );
    }
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn owner_bypasses_rules_and_overrides_set_auth() {
    let file = rules_file("rules-b");
    let db = start(Config {
        rules: Some(file.clone()),
        emulator: true,
        ..Default::default()
    })
    .await;
    let response = db
        .client
        .put(db.url("anything/at/all.json?ns=demo"))
        .header("authorization", "Bearer owner")
        .body("1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (status, _) = db.send("GET", "anything.json?auth=owner", "").await;
    assert_eq!(status, 200);
    let override_bob = "auth_variable_override=%7B%22uid%22%3A%22bob%22%7D";
    let (status, _) = db
        .send("PUT", &format!("users/bob.json?{override_bob}"), "1")
        .await;
    assert_eq!(status, 200);
    let (status, _) = db
        .send("PUT", &format!("users/carol.json?{override_bob}"), "1")
        .await;
    assert_eq!(status, 401);
    let (status, _) = db
        .send("GET", "x.json?auth_variable_override=nope", "")
        .await;
    assert_eq!(status, 400);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn rules_are_served_and_replaced_at_settings() {
    let db = start(Config {
        emulator: true,
        ..Default::default()
    })
    .await;
    // The emulator's default: open.
    let (status, _) = db.send("GET", ".settings/rules.json", "").await;
    assert_eq!(status, 401);
    let current = db
        .client
        .get(db.url(".settings/rules.json"))
        .header("authorization", "Bearer owner")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let current: Value = serde_json::from_str(&current).unwrap();
    assert_eq!(current, json!({"rules": {".read": true, ".write": true}}));

    let set = |body: &'static str| {
        let db = &db;
        async move {
            db.client
                .put(db.url(".settings/rules.json"))
                .header("authorization", "Bearer owner")
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let response = set(RULES).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );
    let text = db
        .client
        .get(db.url(".settings/rules.json?auth=owner"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, RULES);
    let (status, _) = db.send("PUT", "rooms/r.json", "1").await;
    assert_eq!(status, 401);
    let bad = set(r#"{"rules": {".read": "auth ==="}}"#).await;
    assert_eq!(bad.status(), 400);
    assert!(bad.json::<Value>().await.unwrap()["error"].is_string());
    let (status, _) = db.send("PUT", ".settings/rules.json", "{}").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn streams_follow_rules_with_the_auth_parameter() {
    let file = rules_file("rules-c");
    let db = start(Config {
        rules: Some(file.clone()),
        emulator: true,
        ..Default::default()
    })
    .await;
    let alice = token("alice");
    let mut events = Events::open(&db.client, &db.url(&format!("rooms/r.json?auth={alice}"))).await;
    assert_eq!(
        events.next().await,
        ("put".into(), json!({"path": "/", "data": null}))
    );
    db.send("PUT", &format!("rooms/r/x.json?auth={alice}"), "1")
        .await;
    assert_eq!(
        events.next().await,
        ("put".into(), json!({"path": "/x", "data": 1}))
    );
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn bad_rules_file_fails_at_start() {
    let file = std::env::temp_dir().join(format!(
        "rtcweb-signal-badrules-{}.json",
        std::process::id()
    ));
    std::fs::write(&file, r#"{"rules": {".read": "nonsense("}}"#).unwrap();
    let result = rtcweb_signal::Server::new(Config {
        rules: Some(file.clone()),
        emulator: true,
        ..Default::default()
    });
    assert!(matches!(result, Err(rtcweb_signal::Error::Config(_))));
    std::fs::remove_file(file).unwrap();
}
