//! The server over real HTTP: database paths and static files.

use std::net::SocketAddr;

use rtcweb_signal::{Config, Server};

async fn start(config: Config) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = Server::new(config).unwrap();
    tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

#[tokio::test]
async fn put_then_get_returns_the_stored_tree() {
    let (addr, _stop) = start(Config::default()).await;
    let client = reqwest::Client::new();

    let empty = client
        .get(format!("http://{addr}/rooms.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 200);
    assert_eq!(empty.text().await.unwrap(), "null");

    let put = client
        .put(format!("http://{addr}/rooms/r1/offer.json"))
        .body(r#"{"type":"offer","sdp":"v=0"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);

    let room: serde_json::Value = client
        .get(format!("http://{addr}/rooms/r1.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        room,
        serde_json::json!({"offer": {"type": "offer", "sdp": "v=0"}})
    );

    let deleted = client
        .delete(format!("http://{addr}/rooms/r1/offer.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    // The room left empty vanishes with its last child, as in Firebase.
    let root = client
        .get(format!("http://{addr}/.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(root.text().await.unwrap(), "null");
}

#[tokio::test]
async fn invalid_json_is_refused_with_firebase_error() {
    let (addr, _stop) = start(Config::default()).await;
    let response = reqwest::Client::new()
        .put(format!("http://{addr}/a.json"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["error"],
        "Invalid data; couldn't parse JSON object, array, or value."
    );
}

#[tokio::test]
async fn other_paths_serve_the_www_folder() {
    let www = std::env::temp_dir().join(format!("rtcweb-signal-www-{}", std::process::id()));
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "<p>demo</p>").unwrap();
    let (addr, _stop) = start(Config {
        www: Some(www.clone()),
        ..Default::default()
    })
    .await;

    let page = reqwest::get(format!("http://{addr}/")).await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.text().await.unwrap(), "<p>demo</p>");
    let missing = reqwest::get(format!("http://{addr}/nope.html"))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    std::fs::remove_dir_all(www).unwrap();
}

#[tokio::test]
async fn static_files_stay_inside_www_without_dotfiles() {
    let base = std::env::temp_dir().join(format!("rtcweb-signal-static-{}", std::process::id()));
    let www = base.join("www");
    std::fs::create_dir_all(www.join("sub")).unwrap();
    std::fs::create_dir_all(base.join("outside")).unwrap();
    std::fs::write(www.join("ok.txt"), "ok").unwrap();
    std::fs::write(www.join(".env"), "secret").unwrap();
    std::fs::write(base.join("outside/secret.txt"), "secret").unwrap();
    std::os::unix::fs::symlink(base.join("outside/secret.txt"), www.join("link.txt")).unwrap();
    std::os::unix::fs::symlink(base.join("outside"), www.join("linkdir")).unwrap();
    std::os::unix::fs::symlink(www.join("ok.txt"), www.join("sub/inside.txt")).unwrap();
    let (addr, _stop) = start(Config {
        www: Some(www.clone()),
        ..Default::default()
    })
    .await;
    let get = |path: String| async move {
        let response = reqwest::get(format!("http://{addr}/{path}")).await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    };
    assert_eq!(get("ok.txt".into()).await, (200, "ok".into()));
    assert_eq!(get("sub/inside.txt".into()).await, (200, "ok".into()));
    for path in [
        ".env".to_owned(),
        "%2Eenv".to_owned(),
        "link.txt".to_owned(),
        "linkdir/secret.txt".to_owned(),
        "sub/../../outside/secret.txt".to_owned(),
        "a".repeat(256),
        format!("{}/x", "b".repeat(300)),
    ] {
        let (status, body) = get(path.clone()).await;
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("secret"), "{path}");
    }
    std::fs::remove_dir_all(base).unwrap();
}

#[tokio::test]
async fn data_file_keeps_writes_across_restarts() {
    let data = std::env::temp_dir().join(format!("rtcweb-signal-data-{}.json", std::process::id()));
    let journal = data.with_extension("json.journal");
    let _ = std::fs::remove_file(&data);
    let _ = std::fs::remove_file(&journal);
    let config = Config {
        data: Some(data.clone()),
        ..Default::default()
    };

    let (addr, stop) = start(config.clone()).await;
    let put = reqwest::Client::new()
        .put(format!("http://{addr}/kept.json"))
        .body("42")
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    stop.send(()).unwrap();

    let (addr, _stop) = start(config).await;
    let kept = reqwest::get(format!("http://{addr}/kept.json"))
        .await
        .unwrap();
    assert_eq!(kept.text().await.unwrap(), "42");
    // The write went to the journal next to the data file.
    assert!(std::fs::metadata(&journal).unwrap().len() > 0);
    let _ = std::fs::remove_file(data);
    std::fs::remove_file(journal).unwrap();
}
