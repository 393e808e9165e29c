//! Session descriptions: the offers and answers that peers exchange through signaling.
//!
//! [`SessionDescription`] serializes to exactly the JSON of the browser's
//! [`RTCSessionDescription.toJSON()`], `{"type":"offer","sdp":"v=0..."}`, so a JavaScript peer
//! can pass what it receives straight to `setRemoteDescription`.
//!
//! [`RTCSessionDescription.toJSON()`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCSessionDescription/toJSON

use serde::{Deserialize, Serialize};

use crate::error::Error;

string_enum! {
    /// The kind of a session description ([`RTCSessionDescription.type`]).
    ///
    /// ```
    /// use rtcweb::sdp::SdpType;
    ///
    /// assert_eq!("answer".parse::<SdpType>()?, SdpType::Answer);
    /// assert_eq!(SdpType::Offer.to_string(), "offer");
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    ///
    /// [`RTCSessionDescription.type`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCSessionDescription/type
    pub enum SdpType("SDP type" in "sdp") {
        /// An offer, the first step of a negotiation.
        Offer = "offer",
        /// A provisional answer.
        Pranswer = "pranswer",
        /// The final answer to an offer.
        Answer = "answer",
        /// Rolls back an offer not yet answered (perfect negotiation uses it on glare).
        Rollback = "rollback",
    }
}

/// An offer or answer: its type and its SDP text ([`RTCSessionDescription`]).
///
/// ```
/// use rtcweb::{SessionDescription, sdp::SdpType};
///
/// let offer = SessionDescription::new(SdpType::Offer, "v=0\r\n");
/// let json = serde_json::to_string(&offer).unwrap();
/// assert_eq!(json, r#"{"type":"offer","sdp":"v=0\r\n"}"#);
/// let back: SessionDescription = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, offer);
/// ```
///
/// [`RTCSessionDescription`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCSessionDescription
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SessionDescription {
    /// Offer, answer, provisional answer or rollback.
    #[serde(rename = "type")]
    pub sdp_type: SdpType,
    /// The SDP text. Empty for a rollback.
    #[serde(default)]
    pub sdp: String,
}

impl SessionDescription {
    /// A description of the given type and SDP text.
    ///
    /// ```
    /// let answer = rtcweb::SessionDescription::new(rtcweb::sdp::SdpType::Answer, "v=0\r\n");
    /// assert_eq!(answer.sdp, "v=0\r\n");
    /// ```
    pub fn new(sdp_type: SdpType, sdp: impl Into<String>) -> Self {
        SessionDescription {
            sdp_type,
            sdp: sdp.into(),
        }
    }

    /// Checks the SDP's shape (RFC 8866 §5): a `v=0` line first, then only `<letter>=<value>`
    /// lines. The browser checks the meaning; this check makes malformed text the same
    /// [`Error::Syntax`] in every browser (Chromium reports it as an `OperationError`).
    ///
    /// # Errors
    /// [`Error::Syntax`] naming the first bad line.
    ///
    /// ```
    /// use rtcweb::{SessionDescription, sdp::SdpType};
    ///
    /// assert!(SessionDescription::new(SdpType::Offer, "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n").validate().is_ok());
    /// assert!(SessionDescription::new(SdpType::Offer, "hello").validate().is_err());
    /// assert!(SessionDescription::rollback().validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        if self.sdp_type == SdpType::Rollback {
            return Ok(());
        }
        let bad = |n: usize, why: &str| Error::Syntax(format!("SDP line {n}: {why}"));
        let mut lines = self.sdp.lines().enumerate().map(|(i, line)| (i + 1, line));
        match lines.next() {
            Some((_, "v=0")) => {}
            _ => return Err(bad(1, "an SDP description starts with \"v=0\"")),
        }
        for (n, line) in lines {
            let bytes = line.as_bytes();
            let well_formed = line.is_empty()
                || (bytes.len() >= 2 && bytes[0].is_ascii_lowercase() && bytes[1] == b'=');
            if !well_formed {
                return Err(bad(n, "expected <letter>=<value>"));
            }
        }
        Ok(())
    }

    /// A rollback, which discards a local or remote offer not yet answered.
    ///
    /// ```
    /// assert_eq!(rtcweb::SessionDescription::rollback().sdp_type, rtcweb::sdp::SdpType::Rollback);
    /// ```
    pub fn rollback() -> Self {
        SessionDescription::new(SdpType::Rollback, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_accepts_browser_sdp_and_rejects_garbage() {
        let chrome = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=sctp-port:5000\r\n";
        assert_eq!(
            SessionDescription::new(SdpType::Offer, chrome).validate(),
            Ok(())
        );
        for bad in [
            "",
            "this is not SDP",
            "v=1\r\n",
            "v=0\r\nhello\r\n",
            "v=0\r\nA=b\r\n",
            "v=0\r\na\r\n",
        ] {
            let err = SessionDescription::new(SdpType::Answer, bad)
                .validate()
                .unwrap_err();
            assert!(matches!(err, Error::Syntax(_)), "{bad:?}");
        }
    }

    #[test]
    fn json_is_type_then_sdp() {
        let d = SessionDescription::new(SdpType::Pranswer, "v=0");
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"type":"pranswer","sdp":"v=0"}"#
        );
        let bad: Result<SessionDescription, _> =
            serde_json::from_str(r#"{"type":"nope","sdp":""}"#);
        assert!(bad.is_err());
    }
}
