//! Who a request comes from, as the Firebase emulator reads it.
//!
//! `owner` (as `Authorization: Bearer owner`, `?auth=owner` or `?access_token=owner`) is the
//! admin, who bypasses rules. Any other token is accepted without checking its signature: a JWT
//! gives `auth.uid` from its payload's `user_id` or `sub`; anything else reads as signed out.
//! `auth_variable_override` (JSON) replaces `auth` outright, as the Admin SDK uses it.

use axum::http::HeaderMap;
use base64::Engine;
use serde_json::{json, Value};

/// The caller of a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Auth {
    /// Bypasses the rules.
    Admin,
    /// The `auth` variable of the rules: null when signed out.
    User(Value),
}

/// The caller of a request from its headers and query parameters; the error is for a bad
/// `auth_variable_override`.
pub(crate) fn from_request(
    headers: &HeaderMap,
    params: &[(String, String)],
) -> Result<Auth, String> {
    let param = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(text) = param("auth_variable_override") {
        return match serde_json::from_str::<Value>(text) {
            Ok(value @ (Value::Object(_) | Value::Null)) => Ok(Auth::User(value)),
            _ => Err("auth_variable_override must be a JSON object or null".to_owned()),
        };
    }
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let token = bearer.or(param("auth")).or(param("access_token"));
    Ok(match token {
        Some("owner") => Auth::Admin,
        Some(token) => Auth::User(claims(token).unwrap_or(Value::Null)),
        None => Auth::User(Value::Null),
    })
}

/// The `auth` variable for a JWT, read without checking its signature (as the emulator does).
fn claims(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    parts.next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let payload: Value = serde_json::from_slice(&bytes).ok()?;
    let uid = payload
        .get("user_id")
        .or_else(|| payload.get("sub"))
        .and_then(Value::as_str)?
        .to_owned();
    let provider = payload
        .pointer("/firebase/sign_in_provider")
        .and_then(Value::as_str)
        .unwrap_or("custom")
        .to_owned();
    Some(json!({"uid": uid, "provider": provider, "token": payload}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &Value) -> String {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.",
            engine.encode(r#"{"alg":"none"}"#),
            engine.encode(payload.to_string())
        )
    }

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn owner_is_admin() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "Bearer owner".parse().unwrap());
        assert_eq!(from_request(&headers, &[]), Ok(Auth::Admin));
        assert_eq!(
            from_request(&HeaderMap::new(), &params(&[("auth", "owner")])),
            Ok(Auth::Admin)
        );
    }

    #[test]
    fn unsigned_jwts_give_their_uid() {
        let token = jwt(&json!({"sub": "alice", "firebase": {"sign_in_provider": "anonymous"}}));
        let auth = from_request(&HeaderMap::new(), &params(&[("auth", &token)])).unwrap();
        let Auth::User(auth) = auth else {
            panic!("not a user")
        };
        assert_eq!(auth["uid"], "alice");
        assert_eq!(auth["provider"], "anonymous");
        let token = jwt(&json!({"user_id": "bob", "sub": "x"}));
        let mut headers = HeaderMap::new();
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
        let Ok(Auth::User(auth)) = from_request(&headers, &[]) else {
            panic!()
        };
        assert_eq!(auth["uid"], "bob");
    }

    #[test]
    fn other_tokens_are_signed_out_and_overrides_win() {
        assert_eq!(
            from_request(&HeaderMap::new(), &params(&[("auth", "secret")])),
            Ok(Auth::User(Value::Null))
        );
        assert_eq!(
            from_request(
                &HeaderMap::new(),
                &params(&[
                    ("auth", "owner"),
                    ("auth_variable_override", r#"{"uid":"u1"}"#)
                ])
            ),
            Ok(Auth::User(json!({"uid": "u1"})))
        );
        assert!(from_request(
            &HeaderMap::new(),
            &params(&[("auth_variable_override", "[")])
        )
        .is_err());
    }
}
