//! The REST protocol over real HTTP: tree semantics, push ids, print, overrides, server values,
//! shallow reads, queries and ETags.

mod common;

use common::start;
use rtcweb_signal::Config;
use serde_json::{json, Value};

#[tokio::test]
async fn put_patch_post_delete_shape_the_tree() {
    let db = start(Config::default()).await;
    db.put("a.json", json!({"b": 1, "c": {"d": 2}})).await;
    let (status, body) = db
        .send("PATCH", "a.json", r#"{"c/e": 3, "f": {"g": 4}, "b": null}"#)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"c/e": 3, "f": {"g": 4}, "b": null}));
    assert_eq!(
        db.get("a.json").await,
        json!({"c": {"d": 2, "e": 3}, "f": {"g": 4}})
    );

    let (status, body) = db.send("POST", "a/list.json", r#"{"x": 1}"#).await;
    assert_eq!(status, 200);
    let name = body["name"].as_str().unwrap().to_owned();
    assert_eq!(name.len(), 20);
    assert_eq!(
        db.get(&format!("a/list/{name}.json")).await,
        json!({"x": 1})
    );

    // Writing an empty object or null deletes; emptied parents vanish.
    db.put("a/c.json", json!({})).await;
    assert_eq!(db.get("a/c.json").await, Value::Null);
    let (status, body) = db.send("DELETE", "a.json", "").await;
    assert_eq!((status, body), (200, Value::Null));
    assert_eq!(db.get(".json").await, Value::Null);
}

#[tokio::test]
async fn push_ids_are_chronological() {
    let db = start(Config::default()).await;
    let mut names = Vec::new();
    for i in 0..20 {
        let (_, body) = db.send("POST", "list.json", &i.to_string()).await;
        names.push(body["name"].as_str().unwrap().to_owned());
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let list = db.get("list.json").await;
    assert_eq!(list.as_object().unwrap().len(), 20);
    assert_eq!(list[&names[7]], 7);
}

#[tokio::test]
async fn arrays_are_objects_with_index_keys() {
    let db = start(Config::default()).await;
    db.put("arr.json", json!(["a", "b", "c"])).await;
    assert_eq!(db.get("arr/1.json").await, json!("b"));
    db.send("DELETE", "arr/1.json", "").await;
    assert_eq!(db.get("arr.json").await, json!(["a", null, "c"]));
    db.send("DELETE", "arr/0.json", "").await;
    // One key of three slots: no longer array-like.
    assert_eq!(db.get("arr.json").await, json!({"2": "c"}));
    db.put("arr/x.json", json!(1)).await;
    assert_eq!(db.get("arr.json").await, json!({"2": "c", "x": 1}));
}

#[tokio::test]
async fn invalid_keys_and_paths_get_firebase_errors() {
    let db = start(Config::default()).await;
    let (status, body) = db.send("PUT", "a.json", r#"{"b.c": 1}"#).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"],
        "Invalid data; couldn't parse key beginning at 1:2. Key value can't be empty or contain $ # [ ] / or ."
    );
    for bad in ["a$b.json", "a%23b.json", "a%5Bb.json", "x/a%2Fb.json"] {
        let (status, body) = db.send("GET", bad, "").await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["error"], "Invalid path: Invalid token in path");
    }
    let (status, _) = db.send("PATCH", "a.json", r#"{"x/$y": 1}"#).await;
    assert_eq!(status, 400);
    let (status, body) = db.send("PATCH", "a.json", r#"{"x": 1, "x/y": 2}"#).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = db.send("PATCH", "a.json", "[1]").await;
    assert_eq!(
        (status, body["error"].clone()),
        (
            400,
            json!("Invalid data; couldn't parse JSON object, array, or value.")
        )
    );
    let (status, _) = db.send("PUT", "a.json", r#"{"t": {".sv": "bogus"}}"#).await;
    assert_eq!(status, 400);
    assert_eq!(db.get(".json").await, Value::Null);
}

#[tokio::test]
async fn print_silent_and_pretty() {
    let db = start(Config::default()).await;
    let response = db
        .client
        .put(db.url("a.json?print=silent"))
        .body(r#"{"b": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(response.text().await.unwrap(), "");
    let pretty = db
        .client
        .get(db.url("a.json?print=pretty"))
        .send()
        .await
        .unwrap();
    assert_eq!(pretty.text().await.unwrap(), "{\n  \"b\": 1\n}");
    let silent = db
        .client
        .get(db.url("a.json?print=silent"))
        .send()
        .await
        .unwrap();
    assert_eq!(silent.status(), 204);
}

#[tokio::test]
async fn method_override_header_and_parameter() {
    let db = start(Config::default()).await;
    let response = db
        .client
        .post(db.url("a.json"))
        .header("x-http-method-override", "PUT")
        .body("5")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(db.get("a.json").await, json!(5));
    let (status, _) = db
        .send("POST", "a.json?x-http-method-override=DELETE", "")
        .await;
    assert_eq!(status, 200);
    assert_eq!(db.get("a.json").await, Value::Null);
    let (status, _) = db
        .send("POST", "b.json?x-http-method-override=PATCH", r#"{"c": 1}"#)
        .await;
    assert_eq!(status, 200);
    assert_eq!(db.get("b.json").await, json!({"c": 1}));
}

#[tokio::test]
async fn server_timestamps_and_increments() {
    let db = start(Config::default()).await;
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let (_, body) = db
        .send(
            "PUT",
            "p.json",
            r#"{"at": {".sv": "timestamp"}, "n": {".sv": {"increment": 2}}}"#,
        )
        .await;
    let at = body["at"].as_u64().unwrap();
    assert!(at >= before && at < before + 10_000, "{at}");
    assert_eq!(body["n"], 2);
    db.send("PATCH", "p.json", r#"{"n": {".sv": {"increment": 40}}}"#)
        .await;
    db.send("PUT", "p/m.json", r#"{".sv": {"increment": 1.5}}"#)
        .await;
    let (_, pushed) = db
        .send("POST", "p/log.json", r#"{".sv": "timestamp"}"#)
        .await;
    let stored = db.get("p.json").await;
    assert_eq!(stored["n"], 42);
    assert_eq!(stored["m"], 1.5);
    assert!(
        stored["log"][pushed["name"].as_str().unwrap()]
            .as_u64()
            .unwrap()
            >= at
    );
}

#[tokio::test]
async fn shallow_reads_truncate_children() {
    let db = start(Config::default()).await;
    db.put("s.json", json!({"a": {"deep": 1}, "b": 2})).await;
    assert_eq!(
        db.get("s.json?shallow=true").await,
        json!({"a": true, "b": true})
    );
    assert_eq!(db.get("s/b.json?shallow=true").await, json!(2));
    let (status, _) = db
        .send("GET", "s.json?shallow=true&orderBy=%22$key%22", "")
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn queries_filter_and_limit() {
    // Emulator mode: children are ordered by without an .indexOn (see `unindexed_...` below).
    let db = start(Config {
        emulator: true,
        ..Default::default()
    })
    .await;
    db.put(
        "dinos.json",
        json!({
            "lambeosaurus": {"height": 2.1, "length": 12.5},
            "stegosaurus": {"height": 4, "length": 9},
            "bruhathkayosaurus": {"height": 25, "length": 44},
            "linhenykus": {"height": 0.6, "length": 1},
            "pterodactyl": {"length": 3}
        }),
    )
    .await;
    let got = db.get("dinos.json?orderBy=%22height%22&startAt=3").await;
    assert_eq!(keys(&got), ["bruhathkayosaurus", "stegosaurus"]);
    let got = db
        .get("dinos.json?orderBy=%22height%22&limitToFirst=2")
        .await;
    assert_eq!(keys(&got), ["linhenykus", "pterodactyl"]);
    let got = db
        .get("dinos.json?orderBy=%22length%22&limitToLast=2")
        .await;
    assert_eq!(keys(&got), ["bruhathkayosaurus", "lambeosaurus"]);
    let got = db
        .get("dinos.json?orderBy=%22$key%22&startAt=%22l%22&endAt=%22p%22")
        .await;
    assert_eq!(keys(&got), ["lambeosaurus", "linhenykus"]);
    let got = db.get("dinos.json?orderBy=%22height%22&equalTo=4").await;
    assert_eq!(got, json!({"stegosaurus": {"height": 4, "length": 9}}));
    db.put("scores.json", json!({"a": 3, "b": "x", "c": true, "d": 1}))
        .await;
    let got = db
        .get("scores.json?orderBy=%22$value%22&limitToFirst=2")
        .await;
    assert_eq!(keys(&got), ["c", "d"]);

    let (status, body) = db.send("GET", "dinos.json?limitToFirst=1", "").await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"],
        "orderBy must be defined when other query parameters are defined"
    );
    let (status, body) = db.send("GET", "dinos.json?orderBy=height", "").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "orderBy must be a valid JSON encoded path");
    let (status, _) = db
        .send("GET", "dinos.json?orderBy=%22height%22&limitToFirst=x", "")
        .await;
    assert_eq!(status, 400);
}

fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn etags_guard_put_and_delete() {
    let db = start(Config::default()).await;
    let response = db
        .client
        .get(db.url("e.json"))
        .header("X-Firebase-ETag", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["etag"], "null_etag");

    // Creating only if absent: if-match null_etag.
    let response = db
        .client
        .put(db.url("e.json"))
        .header("X-Firebase-ETag", "true")
        .header("if-match", "null_etag")
        .body(r#"{"v": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag.len(), 28);
    let got = db
        .client
        .get(db.url("e.json"))
        .header("X-Firebase-ETag", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(got.headers()["etag"], etag.as_str());

    // A stale ETag gets 412 with the current value and its ETag.
    let stale = db
        .client
        .put(db.url("e.json"))
        .header("if-match", "null_etag")
        .body("2")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    assert_eq!(stale.headers()["etag"], etag.as_str());
    assert_eq!(stale.json::<Value>().await.unwrap(), json!({"v": 1}));
    let stale_delete = db
        .client
        .delete(db.url("e.json"))
        .header("if-match", "nope")
        .send()
        .await
        .unwrap();
    assert_eq!(stale_delete.status(), 412);
    let patch = db
        .client
        .patch(db.url("e.json"))
        .header("if-match", etag.as_str())
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 400);
    let delete = db
        .client
        .delete(db.url("e.json"))
        .header("if-match", etag.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 200);
    assert_eq!(db.get("e.json").await, Value::Null);
}

#[tokio::test]
async fn namespace_parameter_is_accepted_and_cors_is_open() {
    let db = start(Config::default()).await;
    let response = db
        .client
        .put(db.url("n.json?ns=demo-default-rtdb"))
        .header("origin", "http://example.com")
        .body("1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    assert_eq!(db.get("n.json").await, json!(1));
}

#[tokio::test]
async fn ordering_by_an_unindexed_child_is_refused_as_on_firebase() {
    let rules = std::env::temp_dir().join(format!("rtcweb-index-rules-{}", std::process::id()));
    std::fs::write(
        &rules,
        r#"{"rules": {".read": true, ".write": true, "dinos": {".indexOn": ["height"]}}}"#,
    )
    .unwrap();
    let db = start(Config {
        rules: Some(rules.clone()),
        ..Default::default()
    })
    .await;
    db.put("dinos.json", json!({"a": {"height": 1, "length": 2}}))
        .await;
    let (status, _) = db.send("GET", "dinos.json?orderBy=%22height%22", "").await;
    assert_eq!(status, 200);
    let (status, body) = db.send("GET", "dinos.json?orderBy=%22length%22", "").await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"],
        "Index not defined, add \".indexOn\": \"length\", for path \"/dinos\", to the rules"
    );
    let (status, _) = db.send("GET", "dinos.json?orderBy=%22$key%22", "").await;
    assert_eq!(status, 200);
    std::fs::remove_file(rules).unwrap();
}

#[tokio::test]
async fn if_none_match_with_the_current_etag_gets_304() {
    let db = start(Config::default()).await;
    db.put("e.json", json!({"x": 1})).await;
    let first = db
        .client
        .get(db.url("e.json"))
        .header("x-firebase-etag", "true")
        .send()
        .await
        .unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = db
        .client
        .get(db.url("e.json"))
        .header("x-firebase-etag", "true")
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(again.text().await.unwrap(), "");
    db.put("e.json", json!({"x": 2})).await;
    let changed = db
        .client
        .get(db.url("e.json"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_eq!(changed.text().await.unwrap(), "{\"x\":2}");
}
