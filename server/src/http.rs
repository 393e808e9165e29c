//! The HTTP side: `/<path>.json` requests become database reads, writes and streams, with
//! Firebase's query parameters and headers; other paths serve static files.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use tokio::sync::watch;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::auth::{self, Auth};
use crate::store::{self, Refusal, Store, Write};
use crate::stream::{self, Listen, Tickets};
use crate::{path, query, tree};

/// Everything the routes share.
pub(crate) struct App {
    pub(crate) store: Arc<Store>,
    pub(crate) identity: auth::Identity,
    /// Emulator mode: queries need no `.indexOn`.
    pub(crate) emulator: bool,
    pub(crate) www: Option<ServeDir>,
    /// The `--www` folder, resolved (symlinks and `..` gone), to keep files inside it.
    pub(crate) www_root: Option<std::path::PathBuf>,
    pub(crate) max_body_bytes: usize,
    pub(crate) body_timeout: Duration,
    pub(crate) max_streams: usize,
    pub(crate) keep_alive: Duration,
    pub(crate) tickets: Arc<Tickets>,
    /// Memory held by answers in flight.
    pub(crate) budget: Arc<stream::Budget>,
    /// Most bytes queued for one stream.
    pub(crate) stream_budget: usize,
    pub(crate) closing: watch::Receiver<bool>,
}

/// A `.json` path is always data, as on Firebase; anything else is a static file.
pub(crate) async fn dispatch(State(app): State<Arc<App>>, request: Request) -> Response {
    let uri_path = request.uri().path().to_owned();
    if let Some(db_path) = uri_path.strip_suffix(".json") {
        return database(&app, request, db_path).await;
    }
    match (&app.www, &app.www_root) {
        (Some(www), Some(root)) if may_serve(root, &uri_path).await => {
            match www.clone().oneshot(request).await {
                Ok(response) => response.into_response(),
                Err(err) => match err {},
            }
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Longest file name most file systems allow, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// Whether the static file at `uri_path` may be served: no segment too long for a file name,
/// no dotfile or dot-folder (`.git`, `.env`, `..`), and once symlinks are resolved, still inside
/// `root` (a missing file is left to the file server's 404).
async fn may_serve(root: &std::path::Path, uri_path: &str) -> bool {
    let mut file = root.to_path_buf();
    for segment in uri_path.split('/').filter(|s| !s.is_empty()) {
        let Some(name) = rtcweb_protocol::path::percent_decode(segment) else {
            return false;
        };
        if name.len() > MAX_NAME_BYTES || name.starts_with('.') || name.contains(['/', '\\', '\0'])
        {
            return false;
        }
        file.push(name);
    }
    let inside = |found: std::io::Result<std::path::PathBuf>| match found {
        Ok(real) => real.starts_with(root),
        Err(err) => err.kind() == std::io::ErrorKind::NotFound,
    };
    let real = tokio::fs::canonicalize(&file).await;
    // A folder is served by its index.html: that must stay inside too.
    if let Ok(dir) = &real {
        if dir.is_dir() && !inside(tokio::fs::canonicalize(dir.join("index.html")).await) {
            return false;
        }
    }
    inside(real)
}

/// How the response body is printed (`print=`).
#[derive(Clone, Copy, PartialEq)]
enum Print {
    Compact,
    Pretty,
    Silent,
}

fn error(status: StatusCode, message: &str) -> Response {
    json_response(status, &json!({ "error": message }), Print::Compact)
}

fn refusal(refused: Refusal, print: Print) -> Response {
    match refused {
        Refusal::Error(status, message) => error(status, &message),
        Refusal::Stale { current, etag } => {
            let mut response = json_response(StatusCode::PRECONDITION_FAILED, &current, print);
            if let Ok(value) = HeaderValue::from_str(&etag) {
                response.headers_mut().insert(header::ETAG, value);
            }
            response
        }
    }
}

fn json_response(status: StatusCode, value: &Value, print: Print) -> Response {
    let text = match print {
        Print::Silent => return StatusCode::NO_CONTENT.into_response(),
        Print::Pretty => serde_json::to_string_pretty(value),
        Print::Compact => serde_json::to_string(value),
    }
    .unwrap_or_else(|_| "null".to_owned());
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        text,
    )
        .into_response()
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn database(app: &App, request: Request, raw_path: &str) -> Response {
    let params = match Query::<Vec<(String, String)>>::try_from_uri(request.uri()) {
        Ok(Query(params)) => params,
        Err(_) => return error(StatusCode::BAD_REQUEST, "Invalid query string"),
    };
    let param = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, v)| v.clone())
    };
    let print = match param("print").as_deref() {
        Some("pretty") => Print::Pretty,
        Some("silent") => Print::Silent,
        _ => Print::Compact,
    };
    let headers = request.headers().clone();
    let mut method = request.method().clone();
    // Clients that can only send GET and POST name the real method in a header or parameter.
    if method == Method::POST {
        let wanted = header_str(&headers, "x-http-method-override")
            .map(str::to_owned)
            .or_else(|| param("x-http-method-override"));
        if let Some(wanted) = wanted {
            match Method::from_bytes(wanted.trim().to_ascii_uppercase().as_bytes()) {
                Ok(m) => method = m,
                Err(_) => return error(StatusCode::BAD_REQUEST, "Invalid HTTP method override"),
            }
        }
    }
    let auth = match app.identity.caller(&headers, &params) {
        Ok(auth) => auth,
        Err(refused) => {
            let (status, message) = refused.message();
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED);
            return error(status, message);
        }
    };
    let body = match method {
        Method::PUT | Method::POST | Method::PATCH => {
            let read = axum::body::to_bytes(request.into_body(), app.max_body_bytes);
            match tokio::time::timeout(app.body_timeout, read).await {
                Ok(Ok(body)) => body,
                Err(_) => {
                    return error(
                        StatusCode::REQUEST_TIMEOUT,
                        "The request body did not arrive in time.",
                    )
                }
                Ok(Err(_)) => {
                    return error(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "Data to write exceeds the maximum size that can be modified with a single request.",
                    )
                }
            }
        }
        _ => Default::default(),
    };
    if raw_path == "/.settings/rules" {
        return rules(app, &method, &auth, &body);
    }
    let at = match path::from_url(raw_path) {
        Ok(at) => at,
        Err(err) => return error(StatusCode::BAD_REQUEST, &err.message()),
    };
    let want_etag = header_str(&headers, "x-firebase-etag") == Some("true");
    let if_match = header_str(&headers, "if-match").map(|tag| tag.trim().trim_matches('"'));
    let mut response = match method {
        Method::GET | Method::HEAD => {
            let accept = header_str(&headers, "accept").unwrap_or_default();
            if accept.contains("text/event-stream") {
                return listen(app, at, auth);
            }
            let if_none_match = header_str(&headers, "if-none-match");
            read(app, &at, &auth, &params, print, want_etag, if_none_match)
        }
        Method::PUT | Method::POST | Method::PATCH | Method::DELETE => {
            let Ok(text) = std::str::from_utf8(&body) else {
                return error(StatusCode::BAD_REQUEST, PARSE_ERROR);
            };
            let write = match parse_write(&method, text) {
                Ok(write) => write,
                Err(message) => return error(StatusCode::BAD_REQUEST, &message),
            };
            if if_match.is_some() && !matches!(method, Method::PUT | Method::DELETE) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "if-match is only supported for PUT and DELETE requests",
                );
            }
            match app.store.write(&at, &auth, write, if_match, text).await {
                Ok(value) => {
                    let mut response = json_response(StatusCode::OK, &value, print);
                    if want_etag && matches!(method, Method::PUT | Method::DELETE) {
                        add_etag(&mut response, &value);
                    }
                    response
                }
                Err(refused) => refusal(refused, print),
            }
        }
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "Invalid HTTP method"),
    };
    if method == Method::HEAD {
        *response.body_mut() = Body::empty();
    }
    response
}

const PARSE_ERROR: &str = "Invalid data; couldn't parse JSON object, array, or value.";

fn parse_write(method: &Method, text: &str) -> Result<Write, String> {
    if *method == Method::DELETE {
        return Ok(Write::Set(Value::Null));
    }
    let value: Value = serde_json::from_str(text).map_err(|_| PARSE_ERROR.to_owned())?;
    Ok(match *method {
        Method::POST => Write::Push(value),
        Method::PATCH => match value {
            Value::Object(map) => Write::Update(map),
            _ => return Err(PARSE_ERROR.to_owned()),
        },
        _ => Write::Set(value),
    })
}

fn add_etag(response: &mut Response, value: &Value) {
    if let Ok(tag) = HeaderValue::from_str(&store::etag(value)) {
        response.headers_mut().insert(header::ETAG, tag);
    }
}

#[allow(clippy::too_many_arguments)]
fn read(
    app: &App,
    at: &[String],
    auth: &Auth,
    params: &[(String, String)],
    print: Print,
    want_etag: bool,
    if_none_match: Option<&str>,
) -> Response {
    let query = match query::parse(params) {
        Ok(query) => query,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    if let Some(child) = query.as_ref().and_then(query::Query::child_order) {
        if !app.emulator && !app.store.is_indexed(at, child) {
            let message = format!(
                "Index not defined, add \".indexOn\": \"{}\", for path \"{}\", to the rules",
                child.join("/"),
                path::to_string(at)
            );
            return error(StatusCode::BAD_REQUEST, &message);
        }
    }
    let shallow = params.iter().any(|(k, v)| k == "shallow" && v == "true");
    if shallow && query.is_some() {
        return error(
            StatusCode::BAD_REQUEST,
            "Mixing shallow and other query parameters is not supported",
        );
    }
    let value = match app.store.read(at, auth) {
        Ok(value) => value,
        Err(refused) => return refusal(refused, print),
    };
    let shown = match (&query, shallow) {
        (Some(query), _) => tree::render(&query.apply(&value)),
        (None, true) => tree::shallow(&value),
        (None, false) => tree::render(&value),
    };
    if let Some(wanted) = if_none_match {
        let tag = store::etag(&value);
        if wanted
            .split(',')
            .any(|t| t.trim().trim_matches('"') == tag || t.trim() == "*")
        {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            add_etag(&mut response, &value);
            return response;
        }
    }
    let mut response = counted_response(app, &shown, print);
    if want_etag && response.status() == StatusCode::OK {
        add_etag(&mut response, &value);
    }
    response
}

/// A read's 200 answer, whose body counts in the memory held by answers in flight; 503 when
/// there is no room left for it.
fn counted_response(app: &App, value: &Value, print: Print) -> Response {
    if print == Print::Silent {
        return StatusCode::NO_CONTENT.into_response();
    }
    let render = || {
        match print {
            Print::Pretty => serde_json::to_string_pretty(value),
            _ => serde_json::to_string(value),
        }
        .unwrap_or_else(|_| "null".to_owned())
    };
    let Some(body) = stream::counted_body(&app.budget, tree::size(value), &render) else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "This answer would take the server past its memory for answers in flight; try again later or read a smaller part.",
        );
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

fn listen(app: &App, at: Vec<String>, auth: Auth) -> Response {
    let Some(ticket) = app.tickets.take(app.max_streams) else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Too many open streams on this server; try again later.",
        );
    };
    let (initial, changes) = match app.store.subscribe(&at, &auth) {
        Ok(subscribed) => subscribed,
        Err(refused) => return refusal(refused, Print::Compact),
    };
    let events = stream::events(Listen {
        store: app.store.clone(),
        location: at,
        auth,
        initial,
        changes,
        keep_alive: app.keep_alive,
        closing: app.closing.clone(),
        budget: app.budget.clone(),
        stream_budget: app.stream_budget,
        _ticket: ticket,
    });
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(events),
    )
        .into_response()
}

/// `/.settings/rules.json`: the rules text, read and replaced by the admin only.
fn rules(app: &App, method: &Method, auth: &Auth, body: &[u8]) -> Response {
    if *auth != Auth::Admin {
        return error(StatusCode::UNAUTHORIZED, "Permission denied");
    }
    match *method {
        Method::GET => (
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            app.store.rules_text(),
        )
            .into_response(),
        Method::PUT => {
            let text = String::from_utf8_lossy(body);
            match app.store.set_rules(&text) {
                Ok(()) => json_response(StatusCode::OK, &json!({"status": "ok"}), Print::Compact),
                Err(refused) => refusal(refused, Print::Compact),
            }
        }
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "Invalid HTTP method"),
    }
}
