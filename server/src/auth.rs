//! Who a request comes from.
//!
//! In emulator mode (`--emulator`), as the Firebase emulator reads it: `owner` (as
//! `Authorization: Bearer owner`, `?auth=owner` or `?access_token=owner`) is the admin, who
//! bypasses rules; any other token is accepted without checking its signature (a JWT gives
//! `auth.uid` from its payload's `user_id` or `sub`; anything else reads as signed out); and
//! `auth_variable_override` (JSON) replaces `auth` for anyone.
//!
//! Otherwise identities are verified: the admin is whoever presents the configured admin token
//! (`--admin-token-file`); an ID token is a JWT whose signature checks against the configured key
//! (`--jwt-key`: a JWK set, a PEM public key or an HMAC secret), that has not expired, and whose
//! audience and issuer match where configured; any other token is refused (401); no token at all
//! is signed out (`auth == null`). `auth_variable_override` only narrows an admin request to that
//! `auth`, as on Firebase.

use std::path::Path;

use axum::http::HeaderMap;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};

/// The caller of a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Auth {
    /// Bypasses the rules.
    Admin,
    /// The `auth` variable of the rules: null when signed out.
    User(Value),
}

/// Why a request's credentials are refused.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Refused {
    /// A malformed `auth_variable_override` (400).
    BadOverride,
    /// A token that is neither the admin's nor a valid ID token (401).
    BadToken,
    /// `auth_variable_override` without the admin credential (401).
    OverrideNeedsAdmin,
}

impl Refused {
    /// The HTTP status and Firebase-style message.
    pub(crate) fn message(&self) -> (u16, &'static str) {
        match self {
            Refused::BadOverride => (400, "auth_variable_override must be a JSON object or null"),
            Refused::BadToken => (401, "Unauthorized request."),
            Refused::OverrideNeedsAdmin => (
                401,
                "auth_variable_override is only allowed with an admin credential",
            ),
        }
    }
}

/// How the server tells who a request comes from.
pub(crate) struct Identity {
    emulator: bool,
    admin_token: Option<String>,
    verifier: Option<Verifier>,
}

/// Checks ID tokens' signatures, expiry, audience and issuer.
struct Verifier {
    keys: Vec<Key>,
    audience: Option<String>,
    issuer: Option<String>,
}

struct Key {
    kid: Option<String>,
    key: DecodingKey,
    algorithms: Vec<Algorithm>,
}

const RSA: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];
const EC: &[Algorithm] = &[Algorithm::ES256, Algorithm::ES384];
const HMAC: &[Algorithm] = &[Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];
const ED: &[Algorithm] = &[Algorithm::EdDSA];

/// Shortest admin token or HMAC secret accepted, in bytes.
const MIN_SECRET_BYTES: usize = 16;

/// What configures identities (from `Config`).
pub(crate) struct Settings<'a> {
    pub(crate) emulator: bool,
    pub(crate) admin_token_file: Option<&'a Path>,
    pub(crate) jwt_key: Option<&'a Path>,
    pub(crate) jwt_audience: Option<String>,
    pub(crate) jwt_issuer: Option<String>,
}

impl Identity {
    /// Reads the admin token and the ID-token key files.
    pub(crate) fn new(settings: Settings<'_>) -> Result<Identity, String> {
        let read = |file: &Path| {
            std::fs::read_to_string(file).map_err(|err| format!("{}: {err}", file.display()))
        };
        let admin_token = match settings.admin_token_file {
            Some(file) => {
                let token = read(file)?.trim().to_owned();
                if token.len() < MIN_SECRET_BYTES || token.chars().any(char::is_whitespace) {
                    return Err(format!(
                        "{}: the admin token must be at least {MIN_SECRET_BYTES} bytes, without spaces",
                        file.display()
                    ));
                }
                Some(token)
            }
            None => None,
        };
        let verifier = match settings.jwt_key {
            Some(file) => Some(Verifier {
                keys: parse_keys(&read(file)?)
                    .map_err(|err| format!("{}: {err}", file.display()))?,
                audience: settings.jwt_audience,
                issuer: settings.jwt_issuer,
            }),
            None => None,
        };
        Ok(Identity {
            emulator: settings.emulator,
            admin_token,
            verifier,
        })
    }

    /// An identity for tests and the emulator: `owner` and unsigned tokens.
    #[cfg(test)]
    fn emulator() -> Identity {
        Identity {
            emulator: true,
            admin_token: None,
            verifier: None,
        }
    }

    /// The caller of a request from its headers and query parameters.
    pub(crate) fn caller(
        &self,
        headers: &HeaderMap,
        params: &[(String, String)],
    ) -> Result<Auth, Refused> {
        let param = |name: &str| {
            params
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, v)| v.as_str())
        };
        let bearer = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        let token = bearer.or(param("auth")).or(param("access_token"));
        let caller = match token {
            Some(token) if self.is_admin(token) => Auth::Admin,
            Some(token) if self.emulator => {
                Auth::User(unverified_claims(token).unwrap_or(Value::Null))
            }
            Some(token) => Auth::User(self.verify(token).ok_or(Refused::BadToken)?),
            None => Auth::User(Value::Null),
        };
        let Some(text) = param("auth_variable_override") else {
            return Ok(caller);
        };
        let value = match serde_json::from_str::<Value>(text) {
            Ok(value @ (Value::Object(_) | Value::Null)) => value,
            _ => return Err(Refused::BadOverride),
        };
        if self.emulator || caller == Auth::Admin {
            Ok(Auth::User(value))
        } else {
            Err(Refused::OverrideNeedsAdmin)
        }
    }

    fn is_admin(&self, token: &str) -> bool {
        (self.emulator && token == "owner")
            || self
                .admin_token
                .as_deref()
                .is_some_and(|admin| constant_time_eq(admin.as_bytes(), token.as_bytes()))
    }

    fn verify(&self, token: &str) -> Option<Value> {
        let verifier = self.verifier.as_ref()?;
        let header = jsonwebtoken::decode_header(token).ok()?;
        let key = verifier.keys.iter().find(|key| {
            key.algorithms.contains(&header.alg) && (key.kid.is_none() || key.kid == header.kid)
        })?;
        let mut validation = Validation::new(header.alg);
        validation.algorithms = vec![header.alg];
        match &verifier.audience {
            Some(audience) => validation.set_audience(&[audience]),
            None => validation.validate_aud = false,
        }
        if let Some(issuer) = &verifier.issuer {
            validation.set_issuer(&[issuer]);
        }
        let data = jsonwebtoken::decode::<Value>(token, &key.key, &validation).ok()?;
        claims(data.claims)
    }
}

/// The keys of a `--jwt-key` file: a JWK set (`{"keys": [...]}`), a PEM public key (RSA, EC or
/// Ed25519), or else an HMAC secret (the whole file, trimmed).
fn parse_keys(text: &str) -> Result<Vec<Key>, String> {
    let trimmed = text.trim();
    if trimmed.starts_with('{') {
        let set: jsonwebtoken::jwk::JwkSet =
            serde_json::from_str(trimmed).map_err(|err| format!("not a JWK set: {err}"))?;
        let keys: Vec<Key> = set
            .keys
            .iter()
            .filter_map(|jwk| {
                let algorithms = match &jwk.algorithm {
                    jsonwebtoken::jwk::AlgorithmParameters::RSA(_) => RSA,
                    jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(_) => EC,
                    jsonwebtoken::jwk::AlgorithmParameters::OctetKey(_) => HMAC,
                    jsonwebtoken::jwk::AlgorithmParameters::OctetKeyPair(_) => ED,
                };
                Some(Key {
                    kid: jwk.common.key_id.clone(),
                    key: DecodingKey::from_jwk(jwk).ok()?,
                    algorithms: algorithms.to_vec(),
                })
            })
            .collect();
        if keys.is_empty() {
            return Err("the JWK set holds no usable key".into());
        }
        return Ok(keys);
    }
    if trimmed.starts_with("-----BEGIN") {
        let pem = trimmed.as_bytes();
        let (key, algorithms) = if let Ok(key) = DecodingKey::from_rsa_pem(pem) {
            (key, RSA)
        } else if let Ok(key) = DecodingKey::from_ec_pem(pem) {
            (key, EC)
        } else if let Ok(key) = DecodingKey::from_ed_pem(pem) {
            (key, ED)
        } else {
            return Err("not an RSA, EC or Ed25519 public key in PEM".into());
        };
        return Ok(vec![Key {
            kid: None,
            key,
            algorithms: algorithms.to_vec(),
        }]);
    }
    if trimmed.len() < MIN_SECRET_BYTES {
        return Err(format!(
            "an HMAC secret must be at least {MIN_SECRET_BYTES} bytes"
        ));
    }
    Ok(vec![Key {
        kid: None,
        key: DecodingKey::from_secret(trimmed.as_bytes()),
        algorithms: HMAC.to_vec(),
    }])
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `auth` variable for a JWT, read without checking its signature (as the emulator does).
fn unverified_claims(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    parts.next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    claims(serde_json::from_slice(&bytes).ok()?)
}

/// `{"uid", "provider", "token"}` from a token's payload, as Firebase's rules see `auth`.
fn claims(payload: Value) -> Option<Value> {
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

    fn bearer(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
        headers
    }

    const SECRET: &str = "a-test-secret-of-enough-bytes";
    const ADMIN: &str = "admin-token-0123456789";

    fn verified() -> Identity {
        Identity {
            emulator: false,
            admin_token: Some(ADMIN.into()),
            verifier: Some(Verifier {
                keys: parse_keys(SECRET).unwrap(),
                audience: Some("proj".into()),
                issuer: None,
            }),
        }
    }

    fn signed(claims: &Value, secret: &str) -> String {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(Algorithm::HS256),
            claims,
            &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    fn later() -> u64 {
        crate::store::now_ms() / 1000 + 3600
    }

    #[test]
    fn owner_is_admin_in_emulator_mode() {
        let id = Identity::emulator();
        assert_eq!(id.caller(&bearer("owner"), &[]), Ok(Auth::Admin));
        assert_eq!(
            id.caller(&HeaderMap::new(), &params(&[("auth", "owner")])),
            Ok(Auth::Admin)
        );
    }

    #[test]
    fn unsigned_jwts_give_their_uid_in_emulator_mode() {
        let id = Identity::emulator();
        let token = jwt(&json!({"sub": "alice", "firebase": {"sign_in_provider": "anonymous"}}));
        let auth = id
            .caller(&HeaderMap::new(), &params(&[("auth", &token)]))
            .unwrap();
        let Auth::User(auth) = auth else {
            panic!("not a user")
        };
        assert_eq!(auth["uid"], "alice");
        assert_eq!(auth["provider"], "anonymous");
        let token = jwt(&json!({"user_id": "bob", "sub": "x"}));
        let Ok(Auth::User(auth)) = id.caller(&bearer(&token), &[]) else {
            panic!()
        };
        assert_eq!(auth["uid"], "bob");
    }

    #[test]
    fn other_tokens_are_signed_out_and_overrides_win_in_emulator_mode() {
        let id = Identity::emulator();
        assert_eq!(
            id.caller(&HeaderMap::new(), &params(&[("auth", "secret")])),
            Ok(Auth::User(Value::Null))
        );
        assert_eq!(
            id.caller(
                &HeaderMap::new(),
                &params(&[
                    ("auth", "owner"),
                    ("auth_variable_override", r#"{"uid":"u1"}"#)
                ])
            ),
            Ok(Auth::User(json!({"uid": "u1"})))
        );
        assert_eq!(
            id.caller(
                &HeaderMap::new(),
                &params(&[("auth_variable_override", "[")])
            ),
            Err(Refused::BadOverride)
        );
    }

    #[test]
    fn outside_emulator_mode_identities_cannot_be_forged() {
        let id = verified();
        let none = HeaderMap::new();
        // owner, unsigned and wrongly signed tokens are refused.
        assert_eq!(id.caller(&bearer("owner"), &[]), Err(Refused::BadToken));
        let claims = json!({"sub": "alice", "aud": "proj", "exp": later()});
        assert_eq!(
            id.caller(&bearer(&jwt(&claims)), &[]),
            Err(Refused::BadToken)
        );
        assert_eq!(
            id.caller(
                &bearer(&signed(&claims, "another-secret-of-enough-bytes")),
                &[]
            ),
            Err(Refused::BadToken)
        );
        // Expired, or for another audience: refused.
        let expired = json!({"sub": "alice", "aud": "proj", "exp": 1_000});
        assert_eq!(
            id.caller(&bearer(&signed(&expired, SECRET)), &[]),
            Err(Refused::BadToken)
        );
        let elsewhere = json!({"sub": "alice", "aud": "other", "exp": later()});
        assert_eq!(
            id.caller(&bearer(&signed(&elsewhere, SECRET)), &[]),
            Err(Refused::BadToken)
        );
        // A good token is its user; the admin token is the admin; no token is signed out.
        let Ok(Auth::User(alice)) = id.caller(&bearer(&signed(&claims, SECRET)), &[]) else {
            panic!("refused a good token")
        };
        assert_eq!(alice["uid"], "alice");
        assert_eq!(id.caller(&bearer(ADMIN), &[]), Ok(Auth::Admin));
        assert_eq!(id.caller(&none, &[]), Ok(Auth::User(Value::Null)));
        // The override only narrows an admin request.
        let bob = params(&[("auth_variable_override", r#"{"uid":"bob"}"#)]);
        assert_eq!(id.caller(&none, &bob), Err(Refused::OverrideNeedsAdmin));
        assert_eq!(
            id.caller(&bearer(&signed(&claims, SECRET)), &bob),
            Err(Refused::OverrideNeedsAdmin)
        );
        assert_eq!(
            id.caller(&bearer(ADMIN), &bob),
            Ok(Auth::User(json!({"uid": "bob"})))
        );
    }

    #[test]
    fn key_files_are_checked() {
        assert!(parse_keys("short").is_err());
        assert!(parse_keys("{\"keys\": []}").is_err());
        assert!(parse_keys("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----").is_err());
        assert_eq!(parse_keys(SECRET).unwrap().len(), 1);
        assert!(constant_time_eq(b"abc", b"abc") && !constant_time_eq(b"abc", b"abd"));
    }
}
