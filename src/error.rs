//! The crate's one error type, mapped from the browser's DOMException names.
//!
//! Browsers report failures as [DOMException]s (or [RTCError]s, which extend them) whose `name`
//! says what went wrong. [`Error::from_dom`] turns a name and a message into a variant; it is
//! pure, so native tests cover it. The legacy `code` and the message text are never used to
//! classify: `code` is 0 for many names and messages differ between browsers.
//!
//! Failures of the signaling database are a [`SignalingError`], carried in
//! [`Error::Signaling`].
//!
//! [DOMException]: https://developer.mozilla.org/en-US/docs/Web/API/DOMException
//! [RTCError]: https://developer.mozilla.org/en-US/docs/Web/API/RTCError

/// What went wrong. `Display` carries the browser's message.
///
/// Every variant holds only strings and numbers, so the type is `Clone + Send + Sync` and works
/// with `anyhow` or `Box<dyn Error>`.
///
/// ```
/// use rtcweb::Error;
///
/// let err = Error::from_dom("InvalidStateError", "The RTCPeerConnection's signalingState is 'closed'.");
/// assert!(matches!(err, Error::InvalidState(_)));
/// assert_eq!(err.to_string(), "invalid state: The RTCPeerConnection's signalingState is 'closed'.");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The user or the browser refused permission (`NotAllowedError`).
    #[error("not allowed: {0}")]
    NotAllowed(String),
    /// No device or object matches (`NotFoundError`).
    #[error("not found: {0}")]
    NotFound(String),
    /// The device exists but cannot be read, often because another program holds it
    /// (`NotReadableError`).
    #[error("not readable: {0}")]
    NotReadable(String),
    /// No device can satisfy a required constraint (`OverconstrainedError`).
    #[error("overconstrained ({constraint}): {message}")]
    Overconstrained {
        /// The name of the constraint that could not be met, when the browser says.
        constraint: String,
        /// The browser's message.
        message: String,
    },
    /// The object is in the wrong state for the call, such as a closed connection or channel
    /// (`InvalidStateError`).
    #[error("invalid state: {0}")]
    InvalidState(String),
    /// A description or candidate does not fit the connection (`InvalidAccessError`).
    #[error("invalid access: {0}")]
    InvalidAccess(String),
    /// A configuration change that is not allowed once set (`InvalidModificationError`).
    #[error("invalid modification: {0}")]
    InvalidModification(String),
    /// The browser failed the operation (`OperationError`, and [RTCError]s without a more
    /// specific detail).
    ///
    /// [RTCError]: https://developer.mozilla.org/en-US/docs/Web/API/RTCError
    #[error("operation failed: {0}")]
    Operation(String),
    /// Malformed input, such as SDP the browser cannot parse (`SyntaxError`, or an [RTCError]
    /// with `errorDetail` `sdp-syntax-error`).
    ///
    /// [RTCError]: https://developer.mozilla.org/en-US/docs/Web/API/RTCError
    #[error("syntax error: {0}")]
    Syntax(String),
    /// An argument of the wrong type or shape, such as invalid options (`TypeError`).
    #[error("type error: {0}")]
    Type(String),
    /// A number out of its allowed range (`RangeError`).
    #[error("out of range: {0}")]
    Range(String),
    /// The browser lacks the feature (`NotSupportedError`).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A network failure (`NetworkError`).
    #[error("network error: {0}")]
    Network(String),
    /// The operation was aborted (`AbortError`).
    #[error("aborted: {0}")]
    Abort(String),
    /// Forbidden by the browser's security rules, such as media in an insecure context
    /// (`SecurityError`).
    #[error("security error: {0}")]
    Security(String),
    /// Data that cannot be handled, such as a malformed message framing (`DataError`).
    #[error("data error: {0}")]
    Data(String),
    /// Text this crate parses, such as an SDP type or an ICE candidate line, is malformed.
    #[error("malformed {what}: {message}")]
    Parse {
        /// What was being parsed, such as `"ICE candidate"`.
        what: String,
        /// What is wrong with it.
        message: String,
    },
    /// A data-channel message is larger than the remote accepts and splitting is off.
    #[error("message of {size} bytes exceeds the maximum message size of {max} bytes")]
    MessageTooLarge {
        /// The message's size in bytes.
        size: usize,
        /// The largest message the remote (or the channel's own limit) accepts.
        max: usize,
    },
    /// Talking to the signaling database failed.
    #[error("signaling: {0}")]
    Signaling(SignalingError),
    /// Any other exception: its name and message as the browser gave them.
    #[error("{name}: {message}")]
    Other {
        /// The exception's `name` (empty when the thrown value had none).
        name: String,
        /// The exception's `message`, or the thrown value as text.
        message: String,
    },
}

impl Error {
    /// Maps a DOMException `name` and its `message` to a variant.
    ///
    /// Old browsers' getUserMedia names map to their modern equivalents
    /// (`PermissionDeniedError` is [`Error::NotAllowed`], `DevicesNotFoundError` is
    /// [`Error::NotFound`], and so on). Unknown names give [`Error::Other`].
    ///
    /// ```
    /// use rtcweb::Error;
    ///
    /// assert!(matches!(Error::from_dom("NotAllowedError", "denied"), Error::NotAllowed(_)));
    /// assert!(matches!(Error::from_dom("PermissionDeniedError", "denied"), Error::NotAllowed(_)));
    /// assert_eq!(
    ///     Error::from_dom("QuotaExceededError", "full"),
    ///     Error::Other { name: "QuotaExceededError".into(), message: "full".into() },
    /// );
    /// ```
    pub fn from_dom(name: &str, message: &str) -> Error {
        let message = message.to_owned();
        match name {
            "NotAllowedError" | "PermissionDeniedError" | "PermissionDismissedError" => {
                Error::NotAllowed(message)
            }
            "NotFoundError" | "DevicesNotFoundError" => Error::NotFound(message),
            "NotReadableError" | "TrackStartError" | "SourceUnavailableError" => {
                Error::NotReadable(message)
            }
            "OverconstrainedError" | "ConstraintNotSatisfiedError" => Error::Overconstrained {
                constraint: String::new(),
                message,
            },
            "InvalidStateError" => Error::InvalidState(message),
            "InvalidAccessError" => Error::InvalidAccess(message),
            "InvalidModificationError" => Error::InvalidModification(message),
            "OperationError" | "RTCError" => Error::Operation(message),
            "SyntaxError" => Error::Syntax(message),
            "TypeError" => Error::Type(message),
            "RangeError" => Error::Range(message),
            "NotSupportedError" => Error::Unsupported(message),
            "NetworkError" => Error::Network(message),
            "AbortError" => Error::Abort(message),
            "SecurityError" => Error::Security(message),
            "DataError" => Error::Data(message),
            _ => Error::Other {
                name: name.to_owned(),
                message,
            },
        }
    }

    /// Maps an [RTCError]: its `errorDetail` refines the generic `OperationError` name where
    /// browsers disagree (Chromium reports malformed SDP as an `OperationError` with detail
    /// `sdp-syntax-error`, Firefox as a `SyntaxError`).
    ///
    /// ```
    /// use rtcweb::Error;
    ///
    /// let err = Error::from_rtc_error("OperationError", "sdp-syntax-error", "bad line");
    /// assert_eq!(err, Error::Syntax("bad line".into()));
    /// ```
    ///
    /// [RTCError]: https://developer.mozilla.org/en-US/docs/Web/API/RTCError/errorDetail
    pub fn from_rtc_error(name: &str, error_detail: &str, message: &str) -> Error {
        match error_detail {
            "sdp-syntax-error" => Error::Syntax(message.to_owned()),
            _ => Error::from_dom(name, message),
        }
    }

    /// The DOMException-style name of the error, the inverse of [`from_dom`](Self::from_dom):
    /// what the npm package gives its JS errors as `name`. rtcweb's own failures get the
    /// name a browser gives the same mistake (a malformed candidate is a `SyntaxError`, an
    /// oversized message a `TypeError`, as `RTCDataChannel.send` throws), and signaling
    /// failures are a `SignalingError`.
    ///
    /// ```
    /// use rtcweb::Error;
    /// assert_eq!(Error::NotAllowed("denied".into()).name(), "NotAllowedError");
    /// let other = Error::from_dom("QuotaExceededError", "full");
    /// assert_eq!(other.name(), "QuotaExceededError");
    /// ```
    pub fn name(&self) -> &str {
        match self {
            Error::NotAllowed(_) => "NotAllowedError",
            Error::NotFound(_) => "NotFoundError",
            Error::NotReadable(_) => "NotReadableError",
            Error::Overconstrained { .. } => "OverconstrainedError",
            Error::InvalidState(_) => "InvalidStateError",
            Error::InvalidAccess(_) => "InvalidAccessError",
            Error::InvalidModification(_) => "InvalidModificationError",
            Error::Operation(_) => "OperationError",
            Error::Syntax(_) | Error::Parse { .. } => "SyntaxError",
            Error::Type(_) | Error::MessageTooLarge { .. } => "TypeError",
            Error::Range(_) => "RangeError",
            Error::Unsupported(_) => "NotSupportedError",
            Error::Network(_) => "NetworkError",
            Error::Abort(_) => "AbortError",
            Error::Security(_) => "SecurityError",
            Error::Data(_) => "DataError",
            Error::Signaling(_) => "SignalingError",
            Error::Other { name, .. } => name,
        }
    }

    /// The message without the variant's prefix: the browser's own message where the browser
    /// failed.
    ///
    /// ```
    /// use rtcweb::Error;
    /// let err = Error::from_dom("InvalidStateError", "closed");
    /// assert_eq!(err.message(), "closed");
    /// assert_eq!(err.to_string(), "invalid state: closed");
    /// ```
    pub fn message(&self) -> String {
        match self {
            Error::NotAllowed(m)
            | Error::NotFound(m)
            | Error::NotReadable(m)
            | Error::InvalidState(m)
            | Error::InvalidAccess(m)
            | Error::InvalidModification(m)
            | Error::Operation(m)
            | Error::Syntax(m)
            | Error::Type(m)
            | Error::Range(m)
            | Error::Unsupported(m)
            | Error::Network(m)
            | Error::Abort(m)
            | Error::Security(m)
            | Error::Data(m)
            | Error::Overconstrained { message: m, .. }
            | Error::Other { message: m, .. } => m.clone(),
            Error::Parse { .. } | Error::MessageTooLarge { .. } => self.to_string(),
            Error::Signaling(err) => err.to_string(),
        }
    }

    pub(crate) fn parse(what: &str, message: impl Into<String>) -> Error {
        Error::Parse {
            what: what.to_owned(),
            message: message.into(),
        }
    }
}

/// What went wrong talking to the database.
///
/// ```
/// use rtcweb::error::SignalingError;
///
/// let err = SignalingError::Http { status: 400, message: "Invalid path".into() };
/// assert_eq!(err.to_string(), "the database answered 400: Invalid path");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignalingError {
    /// The server could not be reached (a network error, or no server at that address).
    #[error("the database is unreachable: {0}")]
    Unreachable(String),
    /// The server refused by its security rules (HTTP 401 or 403).
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// Any other HTTP error, with Firebase's `{"error": ...}` message.
    #[error("the database answered {status}: {message}")]
    Http {
        /// The HTTP status.
        status: u16,
        /// Firebase's error message, or the response text.
        message: String,
    },
    /// The server's answer is not the JSON expected, or a value does not fit the type asked for.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// The server cancelled a stream, because the rules no longer allow reading it.
    #[error("the stream was cancelled: {0}")]
    Cancelled(String),
    /// The stream's auth token expired or was revoked.
    #[error("the stream's credential was revoked")]
    AuthRevoked,
    /// A path or key that Firebase does not accept.
    #[error("invalid path: {0}")]
    InvalidPath(String),
}

impl SignalingError {
    /// The error for a failed status: Firebase's `{"error": "..."}` message where there is one.
    ///
    /// ```
    /// use rtcweb::error::SignalingError;
    ///
    /// let err = SignalingError::from_status(401, r#"{"error": "Permission denied"}"#);
    /// assert_eq!(err, SignalingError::PermissionDenied("Permission denied".into()));
    /// ```
    pub fn from_status(status: u16, body: &str) -> SignalingError {
        let message = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
            .unwrap_or_else(|| body.trim().to_owned());
        match status {
            401 | 403 => SignalingError::PermissionDenied(message),
            _ => SignalingError::Http { status, message },
        }
    }
}

impl SignalingError {
    /// A short code for the kind of failure, for JS callers (the `reason` of the npm
    /// package's `SignalingError`): `unreachable`, `permission-denied`, `http`,
    /// `malformed-json`, `cancelled`, `auth-revoked` or `invalid-path`.
    ///
    /// ```
    /// use rtcweb::error::SignalingError;
    /// assert_eq!(SignalingError::from_status(401, "{}").reason(), "permission-denied");
    /// ```
    pub fn reason(&self) -> &'static str {
        match self {
            SignalingError::Unreachable(_) => "unreachable",
            SignalingError::PermissionDenied(_) => "permission-denied",
            SignalingError::Http { .. } => "http",
            SignalingError::MalformedJson(_) => "malformed-json",
            SignalingError::Cancelled(_) => "cancelled",
            SignalingError::AuthRevoked => "auth-revoked",
            SignalingError::InvalidPath(_) => "invalid-path",
        }
    }
}

impl From<SignalingError> for Error {
    fn from(err: SignalingError) -> Self {
        Error::Signaling(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_standard_name_has_its_variant() {
        type Variant = fn(String) -> Error;
        let cases: &[(&str, Variant)] = &[
            ("NotAllowedError", Error::NotAllowed),
            ("NotFoundError", Error::NotFound),
            ("NotReadableError", Error::NotReadable),
            ("InvalidStateError", Error::InvalidState),
            ("InvalidAccessError", Error::InvalidAccess),
            ("InvalidModificationError", Error::InvalidModification),
            ("OperationError", Error::Operation),
            ("SyntaxError", Error::Syntax),
            ("TypeError", Error::Type),
            ("RangeError", Error::Range),
            ("NotSupportedError", Error::Unsupported),
            ("NetworkError", Error::Network),
            ("AbortError", Error::Abort),
            ("SecurityError", Error::Security),
            ("DataError", Error::Data),
        ];
        for (name, variant) in cases {
            assert_eq!(
                Error::from_dom(name, "msg"),
                variant("msg".into()),
                "{name}"
            );
            assert_eq!(Error::from_dom(name, "msg").name(), *name);
            assert_eq!(Error::from_dom(name, "msg").message(), "msg");
        }
    }

    #[test]
    fn legacy_get_user_media_names_map_to_modern_variants() {
        assert_eq!(
            Error::from_dom("PermissionDeniedError", "m"),
            Error::NotAllowed("m".into())
        );
        assert_eq!(
            Error::from_dom("DevicesNotFoundError", "m"),
            Error::NotFound("m".into())
        );
        assert_eq!(
            Error::from_dom("TrackStartError", "m"),
            Error::NotReadable("m".into())
        );
        assert!(matches!(
            Error::from_dom("ConstraintNotSatisfiedError", "m"),
            Error::Overconstrained { .. }
        ));
    }

    #[test]
    fn unknown_names_keep_name_and_message() {
        let err = Error::from_dom("WeirdError", "strange");
        assert_eq!(err.to_string(), "WeirdError: strange");
    }

    #[test]
    fn rtc_error_detail_refines_operation_error() {
        assert_eq!(
            Error::from_rtc_error("OperationError", "sdp-syntax-error", "x"),
            Error::Syntax("x".into())
        );
        assert_eq!(
            Error::from_rtc_error("OperationError", "dtls-failure", "x"),
            Error::Operation("x".into())
        );
    }

    #[test]
    fn error_is_send_sync_and_static() {
        fn assert_bounds<T: Send + Sync + 'static + std::error::Error>() {}
        assert_bounds::<Error>();
    }

    #[test]
    fn status_errors_carry_firebase_messages() {
        assert_eq!(
            SignalingError::from_status(401, r#"{"error":"Permission denied"}"#),
            SignalingError::PermissionDenied("Permission denied".into())
        );
        assert_eq!(
            SignalingError::from_status(
                400,
                r#"{"error" : "Invalid path: Invalid token in path"}"#
            ),
            SignalingError::Http {
                status: 400,
                message: "Invalid path: Invalid token in path".into()
            }
        );
        assert_eq!(
            SignalingError::from_status(502, "Bad Gateway\n"),
            SignalingError::Http {
                status: 502,
                message: "Bad Gateway".into()
            }
        );
    }
}
