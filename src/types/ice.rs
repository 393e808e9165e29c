//! ICE: servers, candidates, and the states of gathering and connectivity.
//!
//! [`IceCandidate`] serializes to exactly the JSON of the browser's [`RTCIceCandidate.toJSON()`],
//! so candidates pass between this crate and JavaScript peers unchanged. Its candidate line
//! parses into a typed [`CandidateLine`] ([RFC 8839 §5.1]).
//!
//! [`RTCIceCandidate.toJSON()`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidate/toJSON
//! [RFC 8839 §5.1]: https://www.rfc-editor.org/rfc/rfc8839#section-5.1

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A STUN or TURN server ([`RTCIceServer`]).
///
/// In JSON, `urls` may be one string or a list, as in the browser.
///
/// ```
/// use rtcweb::IceServer;
///
/// let stun = IceServer::new("stun:stun.l.google.com:19302");
/// let turn = IceServer::new(["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:443"])
///     .with_credentials("user", "secret");
/// assert_eq!(turn.urls.len(), 2);
///
/// let parsed: IceServer = serde_json::from_str(r#"{"urls":"stun:example.org"}"#).unwrap();
/// assert_eq!(parsed.urls, ["stun:example.org"]);
/// # let _ = stun;
/// ```
///
/// [`RTCIceServer`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection#iceservers
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IceServer {
    /// The server's URLs (`stun:`, `turn:` or `turns:`). Old browsers' singular `url` is
    /// read too.
    #[serde(with = "one_or_many", alias = "url")]
    pub urls: Vec<String>,
    /// User name, for TURN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Password, for TURN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

impl IceServer {
    /// A server reachable at one URL or several.
    ///
    /// ```
    /// let server = rtcweb::IceServer::new("stun:stun.example.org");
    /// assert!(server.username.is_none());
    /// ```
    pub fn new<I, S>(urls: I) -> Self
    where
        I: IntoUrls<S>,
        S: Into<String>,
    {
        IceServer {
            urls: urls.into_urls().into_iter().map(Into::into).collect(),
            username: None,
            credential: None,
        }
    }

    /// Adds a TURN user name and password.
    ///
    /// ```
    /// let turn = rtcweb::IceServer::new("turn:turn.example.org").with_credentials("u", "p");
    /// assert_eq!(turn.credential.as_deref(), Some("p"));
    /// ```
    pub fn with_credentials(
        mut self,
        username: impl Into<String>,
        credential: impl Into<String>,
    ) -> Self {
        self.username = Some(username.into());
        self.credential = Some(credential.into());
        self
    }
}

/// One URL or a list of them, for [`IceServer::new`].
///
/// ```
/// let one = rtcweb::IceServer::new("stun:a.example");
/// let many = rtcweb::IceServer::new(vec!["stun:a.example", "stun:b.example"]);
/// assert_eq!((one.urls.len(), many.urls.len()), (1, 2));
/// ```
pub trait IntoUrls<S> {
    /// The URLs as a list.
    fn into_urls(self) -> Vec<S>;
}

impl<S: Into<String>> IntoUrls<S> for S {
    fn into_urls(self) -> Vec<S> {
        vec![self]
    }
}

impl<S: Into<String>> IntoUrls<S> for Vec<S> {
    fn into_urls(self) -> Vec<S> {
        self
    }
}

impl<S: Into<String>, const N: usize> IntoUrls<S> for [S; N] {
    fn into_urls(self) -> Vec<S> {
        self.into()
    }
}

/// Serde for `urls`: a string or a list when reading, always a list when writing.
mod one_or_many {
    use std::fmt;

    use serde::de::{SeqAccess, Visitor};
    use serde::{Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(urls: &[String], serializer: S) -> Result<S::Ok, S::Error> {
        urls.serialize(serializer)
    }

    /// A string or an array of them. A visitor, not an `untagged` enum: that one buffers the
    /// value in serde's `Content` first, 5 KB of the wasm module before gzip.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<String>, D::Error> {
        deserializer.deserialize_any(Urls)
    }

    struct Urls;

    impl<'de> Visitor<'de> for Urls {
        type Value = Vec<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a URL or an array of URLs")
        }

        fn visit_str<E>(self, url: &str) -> Result<Vec<String>, E> {
            Ok(vec![url.to_owned()])
        }

        fn visit_string<E>(self, url: String) -> Result<Vec<String>, E> {
            Ok(vec![url])
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let mut urls = Vec::new();
            while let Some(url) = seq.next_element()? {
                urls.push(url);
            }
            Ok(urls)
        }
    }
}

string_enum! {
    /// Which candidates ICE may use ([`iceTransportPolicy`]).
    ///
    /// ```
    /// assert_eq!(rtcweb::ice::IceTransportPolicy::Relay.as_str(), "relay");
    /// ```
    ///
    /// [`iceTransportPolicy`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection#icetransportpolicy
    #[derive(Default)]
    pub enum IceTransportPolicy("ICE transport policy" in "ice") {
        /// Any candidate: host, server-reflexive and relayed.
        #[default]
        All = "all",
        /// Only candidates relayed through TURN, hiding the peers' addresses from each other.
        Relay = "relay",
    }
}

string_enum! {
    /// The state of candidate gathering ([`iceGatheringState`]).
    ///
    /// ```
    /// assert_eq!("complete".parse::<rtcweb::ice::IceGatheringState>()?, rtcweb::ice::IceGatheringState::Complete);
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    ///
    /// [`iceGatheringState`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/iceGatheringState
    pub enum IceGatheringState("ICE gathering state" in "ice") {
        /// Not gathering yet.
        New = "new",
        /// Gathering candidates.
        Gathering = "gathering",
        /// Done, until an ICE restart gathers again.
        Complete = "complete",
    }
}

string_enum! {
    /// The state of ICE connectivity ([`iceConnectionState`]).
    ///
    /// ```
    /// assert_eq!(rtcweb::ice::IceConnectionState::Disconnected.to_string(), "disconnected");
    /// ```
    ///
    /// [`iceConnectionState`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/iceConnectionState
    pub enum IceConnectionState("ICE connection state" in "ice") {
        /// Waiting for candidates.
        New = "new",
        /// Checking candidate pairs.
        Checking = "checking",
        /// A usable pair was found.
        Connected = "connected",
        /// Checking is done and a pair is in use.
        Completed = "completed",
        /// No pair works; an ICE restart may recover.
        Failed = "failed",
        /// Connectivity was lost, perhaps for a moment.
        Disconnected = "disconnected",
        /// The connection was closed.
        Closed = "closed",
    }
}

/// An ICE candidate as signaled between peers ([`RTCIceCandidate`]).
///
/// The end of candidates, which tells the remote that no more are coming, is a candidate with an
/// empty line: [`IceCandidate::end_of_candidates`].
///
/// ```
/// use rtcweb::IceCandidate;
///
/// let json = r#"{"candidate":"candidate:1 1 udp 2122260223 192.168.1.7 54400 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"Xy7a"}"#;
/// let candidate: IceCandidate = serde_json::from_str(json).unwrap();
/// assert_eq!(candidate.sdp_mid.as_deref(), Some("0"));
/// assert_eq!(candidate.line()?.port, 54400);
/// assert_eq!(serde_json::to_string(&candidate).unwrap(), json);
/// # Ok::<(), rtcweb::Error>(())
/// ```
///
/// [`RTCIceCandidate`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidate
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IceCandidate {
    /// The candidate line, `candidate:...` (empty for the end of candidates).
    #[serde(default)]
    pub candidate: String,
    /// The media stream identification of the m-line the candidate belongs to.
    #[serde(default)]
    pub sdp_mid: Option<String>,
    /// The index of the m-line the candidate belongs to.
    #[serde(default)]
    pub sdp_m_line_index: Option<u16>,
    /// The ICE username fragment, which tells ICE generations apart across restarts.
    #[serde(default)]
    pub username_fragment: Option<String>,
}

impl IceCandidate {
    /// A candidate from its line and the m-line it belongs to.
    ///
    /// ```
    /// let c = rtcweb::IceCandidate::new("candidate:1 1 udp 1 10.0.0.1 9 typ host", Some("0"), Some(0));
    /// assert!(!c.is_end_of_candidates());
    /// ```
    pub fn new(
        candidate: impl Into<String>,
        sdp_mid: Option<&str>,
        sdp_m_line_index: Option<u16>,
    ) -> Self {
        IceCandidate {
            candidate: candidate.into(),
            sdp_mid: sdp_mid.map(str::to_owned),
            sdp_m_line_index,
            username_fragment: None,
        }
    }

    /// The end-of-candidates marker: no more candidates follow (for every m-line).
    ///
    /// ```
    /// assert!(rtcweb::IceCandidate::end_of_candidates().is_end_of_candidates());
    /// ```
    pub fn end_of_candidates() -> Self {
        IceCandidate::default()
    }

    /// Whether this is the end-of-candidates marker rather than a real candidate.
    ///
    /// ```
    /// let c = rtcweb::IceCandidate::new("", Some("0"), Some(0));
    /// assert!(c.is_end_of_candidates());
    /// ```
    pub fn is_end_of_candidates(&self) -> bool {
        self.candidate.is_empty()
    }

    /// The candidate line's typed fields.
    ///
    /// # Errors
    /// [`Error::Parse`] when the line is malformed (or is the end-of-candidates marker).
    ///
    /// ```
    /// let c = rtcweb::IceCandidate::new("candidate:1 1 udp 1 10.0.0.1 9 typ host", None, Some(0));
    /// assert_eq!(c.line()?.address, "10.0.0.1");
    /// assert!(rtcweb::IceCandidate::new("nonsense", None, Some(0)).line().is_err());
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    pub fn line(&self) -> Result<CandidateLine, Error> {
        self.candidate.parse()
    }
}

string_enum! {
    /// The transport protocol of a candidate.
    ///
    /// ```
    /// assert_eq!("udp".parse::<rtcweb::ice::IceProtocol>()?, rtcweb::ice::IceProtocol::Udp);
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    pub enum IceProtocol("ICE protocol" in "ice") {
        /// UDP.
        Udp = "udp",
        /// TCP (RFC 6544).
        Tcp = "tcp",
    }
}

string_enum! {
    /// Where a candidate's address comes from ([`RTCIceCandidate.type`]).
    ///
    /// ```
    /// assert_eq!(rtcweb::ice::IceCandidateType::Srflx.as_str(), "srflx");
    /// ```
    ///
    /// [`RTCIceCandidate.type`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidate/type
    pub enum IceCandidateType("ICE candidate type" in "ice") {
        /// An address of the device itself (or its mDNS name).
        Host = "host",
        /// The device's public address as a STUN server saw it.
        Srflx = "srflx",
        /// An address learned from the peer's connectivity checks.
        Prflx = "prflx",
        /// An address on a TURN relay.
        Relay = "relay",
    }
}

string_enum! {
    /// The role of a TCP candidate ([`RTCIceCandidate.tcpType`]).
    ///
    /// ```
    /// assert_eq!("passive".parse::<rtcweb::ice::IceTcpType>()?, rtcweb::ice::IceTcpType::Passive);
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    ///
    /// [`RTCIceCandidate.tcpType`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidate/tcpType
    pub enum IceTcpType("ICE TCP type" in "ice") {
        /// Opens outgoing connections only.
        Active = "active",
        /// Accepts incoming connections only.
        Passive = "passive",
        /// Simultaneous open.
        So = "so",
    }
}

/// The fields of an ICE candidate line ([RFC 8839 §5.1]).
///
/// Parses from the browser's `candidate:...` string (a leading `a=` is accepted too) and
/// prints back to it.
///
/// ```
/// use rtcweb::ice::{CandidateLine, IceCandidateType, IceProtocol};
///
/// let line: CandidateLine =
///     "candidate:842163049 1 udp 1677729535 203.0.113.7 56143 typ srflx raddr 10.0.0.4 rport 56143 generation 0"
///         .parse()?;
/// assert_eq!(line.protocol, IceProtocol::Udp);
/// assert_eq!(line.candidate_type, IceCandidateType::Srflx);
/// assert_eq!(line.related_address.as_deref(), Some("10.0.0.4"));
/// assert_eq!(line.extensions, [("generation".to_string(), "0".to_string())]);
/// assert_eq!(line.to_string(), "candidate:842163049 1 udp 1677729535 203.0.113.7 56143 typ srflx raddr 10.0.0.4 rport 56143 generation 0");
/// # Ok::<(), rtcweb::Error>(())
/// ```
///
/// [RFC 8839 §5.1]: https://www.rfc-editor.org/rfc/rfc8839#section-5.1
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CandidateLine {
    /// Groups candidates of the same type, base and server.
    pub foundation: String,
    /// The component: 1 for RTP (and everything, with bundling), 2 for RTCP.
    pub component: u16,
    /// UDP or TCP.
    pub protocol: IceProtocol,
    /// The candidate's priority; higher is preferred.
    pub priority: u32,
    /// An IP address, or an mDNS host name (`<uuid>.local`) that hides the local address.
    pub address: String,
    /// The port.
    pub port: u16,
    /// Host, server-reflexive, peer-reflexive or relayed.
    pub candidate_type: IceCandidateType,
    /// For a reflexive or relayed candidate, the address it derives from.
    pub related_address: Option<String>,
    /// For a reflexive or relayed candidate, the port it derives from.
    pub related_port: Option<u16>,
    /// For a TCP candidate, its role.
    pub tcp_type: Option<IceTcpType>,
    /// Further name/value pairs, such as `generation`, `ufrag` or `network-cost`, in order.
    pub extensions: Vec<(String, String)>,
}

impl std::str::FromStr for CandidateLine {
    type Err = Error;

    fn from_str(line: &str) -> Result<Self, Error> {
        let bad = |message: String| Error::parse("ICE candidate", format!("{message} in {line:?}"));
        let body = line.trim();
        let body = body.strip_prefix("a=").unwrap_or(body);
        let body = body
            .strip_prefix("candidate:")
            .ok_or_else(|| bad("missing the \"candidate:\" prefix".into()))?;
        let mut words = body.split_ascii_whitespace();
        let mut next = |field: &str| words.next().ok_or_else(|| bad(format!("missing {field}")));

        let foundation = next("foundation")?.to_owned();
        let component = number(next("component")?, "component").map_err(&bad)?;
        let protocol = next("transport")?.to_ascii_lowercase().parse()?;
        let priority = number(next("priority")?, "priority").map_err(&bad)?;
        let address = next("connection address")?.to_owned();
        let port = number(next("port")?, "port").map_err(&bad)?;
        let typ = next("\"typ\"")?;
        if typ != "typ" {
            return Err(bad(format!("expected \"typ\", found {typ:?}")));
        }
        let candidate_type = next("candidate type")?.parse()?;

        let mut parsed = CandidateLine {
            foundation,
            component,
            protocol,
            priority,
            address,
            port,
            candidate_type,
            related_address: None,
            related_port: None,
            tcp_type: None,
            extensions: Vec::new(),
        };
        // The rest is name/value pairs; raddr, rport and tcptype are the ones RFC 8839 names.
        while let Some(name) = words.next() {
            let value = words
                .next()
                .ok_or_else(|| bad(format!("extension {name:?} has no value")))?;
            match name {
                "raddr" => parsed.related_address = Some(value.to_owned()),
                "rport" => parsed.related_port = Some(number(value, "rport").map_err(&bad)?),
                "tcptype" => parsed.tcp_type = Some(value.parse()?),
                _ => parsed.extensions.push((name.to_owned(), value.to_owned())),
            }
        }
        Ok(parsed)
    }
}

fn number<T: std::str::FromStr>(text: &str, field: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{field} {text:?} is not a valid number"))
}

impl fmt::Display for CandidateLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "candidate:{} {} {} {} {} {} typ {}",
            self.foundation,
            self.component,
            self.protocol,
            self.priority,
            self.address,
            self.port,
            self.candidate_type
        )?;
        if let Some(addr) = &self.related_address {
            write!(f, " raddr {addr}")?;
        }
        if let Some(port) = self.related_port {
            write!(f, " rport {port}")?;
        }
        if let Some(tcp_type) = self.tcp_type {
            write!(f, " tcptype {tcp_type}")?;
        }
        for (name, value) in &self.extensions {
            write!(f, " {name} {value}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME_HOST: &str = "candidate:3676349013 1 udp 2113937151 3f1c1e5a-8a4d-4a59-9f0a-6d3c1d0e1b2f.local 59047 typ host generation 0 ufrag hvL6 network-cost 999";
    const FIREFOX_RELAY: &str =
        "candidate:4 1 UDP 8331263 198.51.100.9 61230 typ relay raddr 198.51.100.9 rport 61230";
    const TCP: &str =
        "candidate:1052210340 1 tcp 1518280447 192.168.1.7 9 typ host tcptype active generation 0";

    #[test]
    fn parses_chrome_mdns_host_candidate() {
        let line: CandidateLine = CHROME_HOST.parse().unwrap();
        assert_eq!(line.foundation, "3676349013");
        assert_eq!(line.component, 1);
        assert_eq!(line.priority, 2113937151);
        assert!(line.address.ends_with(".local"));
        assert_eq!(line.port, 59047);
        assert_eq!(line.candidate_type, IceCandidateType::Host);
        assert_eq!(line.extensions.len(), 3);
        assert_eq!(line.to_string(), CHROME_HOST);
    }

    #[test]
    fn parses_firefox_uppercase_protocol_and_related_address() {
        let line: CandidateLine = FIREFOX_RELAY.parse().unwrap();
        assert_eq!(line.protocol, IceProtocol::Udp);
        assert_eq!(line.candidate_type, IceCandidateType::Relay);
        assert_eq!(line.related_port, Some(61230));
    }

    #[test]
    fn parses_tcp_type_and_a_equals_prefix() {
        let line: CandidateLine = format!("a={TCP}").parse().unwrap();
        assert_eq!(line.protocol, IceProtocol::Tcp);
        assert_eq!(line.tcp_type, Some(IceTcpType::Active));
        assert_eq!(line.to_string(), TCP);
    }

    #[test]
    fn malformed_lines_are_parse_errors() {
        for bad in [
            "",
            "1 1 udp 1 10.0.0.1 9 typ host",
            "candidate:",
            "candidate:1 x udp 1 10.0.0.1 9 typ host",
            "candidate:1 1 sctp 1 10.0.0.1 9 typ host",
            "candidate:1 1 udp 99999999999 10.0.0.1 9 typ host",
            "candidate:1 1 udp 1 10.0.0.1 70000 typ host",
            "candidate:1 1 udp 1 10.0.0.1 9 type host",
            "candidate:1 1 udp 1 10.0.0.1 9 typ nat",
            "candidate:1 1 udp 1 10.0.0.1 9 typ srflx raddr",
            "candidate:1 1 udp 1 10.0.0.1 9 typ srflx rport abc",
            "candidate:1 1 tcp 1 10.0.0.1 9 typ host tcptype sideways",
        ] {
            let err = bad.parse::<CandidateLine>().unwrap_err();
            assert!(matches!(err, Error::Parse { .. }), "{bad:?} gave {err:?}");
        }
    }

    #[test]
    fn candidate_json_matches_the_browser_to_json() {
        let candidate = IceCandidate {
            candidate: CHROME_HOST.into(),
            sdp_mid: Some("0".into()),
            sdp_m_line_index: Some(0),
            username_fragment: Some("hvL6".into()),
        };
        let json = serde_json::to_value(&candidate).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "candidate": CHROME_HOST, "sdpMid": "0", "sdpMLineIndex": 0, "usernameFragment": "hvL6"
            })
        );
        let end = serde_json::to_string(&IceCandidate::end_of_candidates()).unwrap();
        assert_eq!(
            end,
            r#"{"candidate":"","sdpMid":null,"sdpMLineIndex":null,"usernameFragment":null}"#
        );
    }

    #[test]
    fn candidate_json_tolerates_missing_fields() {
        let c: IceCandidate =
            serde_json::from_str(r#"{"candidate":"candidate:1 1 udp 1 a 1 typ host"}"#).unwrap();
        assert_eq!(c.sdp_mid, None);
        assert_eq!(c.sdp_m_line_index, None);
    }

    #[test]
    fn ice_server_urls_read_from_string_or_list() {
        let one: IceServer = serde_json::from_str(r#"{"urls":"stun:a"}"#).unwrap();
        let many: IceServer =
            serde_json::from_str(r#"{"urls":["turn:b"],"username":"u","credential":"p"}"#).unwrap();
        assert_eq!(one.urls, ["stun:a"]);
        let legacy: IceServer = serde_json::from_str(r#"{"url":"stun:old"}"#).unwrap();
        assert_eq!(legacy.urls, ["stun:old"]);
        assert_eq!(many, IceServer::new(["turn:b"]).with_credentials("u", "p"));
    }
}
