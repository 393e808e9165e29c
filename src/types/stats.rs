//! Statistics of a connection ([`getStats`]): typed views of the candidate pair, inbound and
//! outbound RTP, the remote's view of what it received, media sources and codecs, with every
//! entry also kept as raw values.
//!
//! The parsing is pure: a [`StatsReport`] is built from [`RawStats`] entries, which are plain
//! data (and serde-serializable as the browser's JSON), so native tests cover it.
//!
//! [`getStats`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getStats

use std::collections::BTreeMap;

use crate::types::media::MediaKind;

/// One value of a stats entry, as JSON has them.
///
/// ```
/// use rtcweb::stats::StatsValue;
/// assert_eq!(StatsValue::Number(3.0).as_f64(), Some(3.0));
/// assert_eq!(StatsValue::String("x".into()).as_str(), Some("x"));
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum StatsValue {
    /// Missing or null.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// Any number (counters, seconds, bits per second...).
    Number(f64),
    /// Text (ids, states, names).
    String(String),
    /// A list.
    List(Vec<StatsValue>),
    /// A record, such as `qualityLimitationDurations`.
    Map(BTreeMap<String, StatsValue>),
}

impl StatsValue {
    /// The number, if this is one.
    ///
    /// ```
    /// assert_eq!(rtcweb::stats::StatsValue::Bool(true).as_f64(), None);
    /// ```
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            StatsValue::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The text, if this is text.
    ///
    /// ```
    /// assert_eq!(rtcweb::stats::StatsValue::Null.as_str(), None);
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        match self {
            StatsValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    ///
    /// ```
    /// assert_eq!(rtcweb::stats::StatsValue::Bool(false).as_bool(), Some(false));
    /// ```
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            StatsValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// One entry of a report, as the browser gave it ([`RTCStats`]): the `id`, `type` and
/// `timestamp` every entry has, and all other fields by name.
///
/// ```
/// use rtcweb::stats::RawStats;
/// # fn run(entry: &RawStats) {
/// if entry.kind == "transport" {
///     println!("DTLS is {:?}", entry.string("dtlsState"));
/// }
/// # }
/// ```
///
/// [`RTCStats`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCStatsReport
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RawStats {
    /// Unique within the report; other entries refer to it (`codecId`, `localCandidateId`...).
    pub id: String,
    /// The entry's `type`, such as `inbound-rtp` or `candidate-pair`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When it was measured, in milliseconds since the Unix epoch.
    #[serde(default)]
    pub timestamp: f64,
    /// Every other field.
    #[serde(flatten)]
    pub values: BTreeMap<String, StatsValue>,
}

impl RawStats {
    /// Builds an entry from all its fields, taking `id`, `type` and `timestamp` out.
    pub(crate) fn from_values(mut values: BTreeMap<String, StatsValue>) -> Self {
        let mut take_string = |key: &str| match values.remove(key) {
            Some(StatsValue::String(s)) => s,
            _ => String::new(),
        };
        let id = take_string("id");
        let kind = take_string("type");
        let timestamp = values
            .remove("timestamp")
            .and_then(|v| v.as_f64())
            .unwrap_or_default();
        RawStats {
            id,
            kind,
            timestamp,
            values,
        }
    }

    /// A field, if present.
    ///
    /// ```
    /// # fn run(entry: &rtcweb::stats::RawStats) {
    /// let qld = entry.get("qualityLimitationDurations");
    /// # }
    /// ```
    pub fn get(&self, key: &str) -> Option<&StatsValue> {
        self.values.get(key)
    }

    /// A numeric field.
    ///
    /// ```
    /// # fn run(entry: &rtcweb::stats::RawStats) {
    /// let nacks = entry.number("nackCount");
    /// # }
    /// ```
    pub fn number(&self, key: &str) -> Option<f64> {
        self.get(key)?.as_f64()
    }

    /// A text field.
    ///
    /// ```
    /// # fn run(entry: &rtcweb::stats::RawStats) {
    /// let decoder = entry.string("decoderImplementation");
    /// # }
    /// ```
    pub fn string(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }

    /// A boolean field.
    ///
    /// ```
    /// # fn run(entry: &rtcweb::stats::RawStats) {
    /// let nominated = entry.boolean("nominated");
    /// # }
    /// ```
    pub fn boolean(&self, key: &str) -> Option<bool> {
        self.get(key)?.as_bool()
    }

    /// The `type`, with the names of old Firefox (`inboundrtp`, `candidatepair`...)
    /// normalized to the standard ones.
    fn standard_type(&self) -> &str {
        match self.kind.as_str() {
            "inboundrtp" => "inbound-rtp",
            "outboundrtp" => "outbound-rtp",
            "candidatepair" => "candidate-pair",
            "localcandidate" => "local-candidate",
            "remotecandidate" => "remote-candidate",
            other => other,
        }
    }

    fn count(&self, key: &str) -> Option<u64> {
        self.number(key).filter(|n| *n >= 0.0).map(|n| n as u64)
    }

    fn small(&self, key: &str) -> Option<u32> {
        self.number(key)
            .filter(|n| *n >= 0.0)
            .map(|n| n.min(u32::MAX as f64) as u32)
    }

    fn text(&self, key: &str) -> Option<String> {
        self.string(key).map(str::to_owned)
    }

    /// The media kind: `kind`, or the older `mediaType`.
    fn media_kind(&self) -> Option<MediaKind> {
        self.string("kind")
            .or_else(|| self.string("mediaType"))?
            .parse()
            .ok()
    }
}

string_enum! {
    /// Where the checks of a candidate pair stand ([`state`]).
    ///
    /// ```
    /// assert_eq!(rtcweb::stats::CandidatePairState::Succeeded.as_str(), "succeeded");
    /// ```
    ///
    /// [`state`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidatePairStats/state
    pub enum CandidatePairState("candidate pair state" in "stats") {
        /// Not checked yet, waiting for another pair.
        Frozen = "frozen",
        /// Ready to be checked.
        Waiting = "waiting",
        /// A check is in flight.
        InProgress = "in-progress",
        /// The checks failed.
        Failed = "failed",
        /// A check succeeded: media can flow.
        Succeeded = "succeeded",
    }
}

/// A pair of local and remote ICE candidates ([`RTCIceCandidatePairStats`]): the path media
/// takes, its round-trip time and traffic.
///
/// ```no_run
/// # async fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
/// if let Some(pair) = pc.stats().await?.selected_candidate_pair() {
///     println!("RTT {:?} s, {} bytes sent", pair.current_round_trip_time, pair.bytes_sent);
/// }
/// # Ok(()) }
/// ```
///
/// [`RTCIceCandidatePairStats`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidatePairStats
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct CandidatePairStats {
    /// The entry's id.
    pub id: String,
    /// When measured, in milliseconds since the Unix epoch.
    pub timestamp: f64,
    /// The checks' state.
    pub state: Option<CandidatePairState>,
    /// Whether ICE nominated this pair.
    pub nominated: bool,
    /// Whether this is the pair media flows on: the transport's `selectedCandidatePairId`
    /// (Chromium), or the pair's own `selected` field (Firefox).
    pub selected: bool,
    /// The latest round-trip time, in seconds.
    pub current_round_trip_time: Option<f64>,
    /// The sum of all round-trip times measured, in seconds.
    pub total_round_trip_time: Option<f64>,
    /// How many connectivity-check responses arrived.
    pub responses_received: Option<u64>,
    /// Payload bytes sent on this pair.
    pub bytes_sent: u64,
    /// Payload bytes received on this pair.
    pub bytes_received: u64,
    /// The id of the local candidate's entry.
    pub local_candidate_id: Option<String>,
    /// The id of the remote candidate's entry.
    pub remote_candidate_id: Option<String>,
    /// The bandwidth estimate for sending, in bits per second.
    pub available_outgoing_bitrate: Option<f64>,
}

impl CandidatePairStats {
    fn parse(raw: &RawStats, selected_ids: &[&str]) -> Self {
        let state = raw
            .string("state")
            // Old Firefox wrote "inprogress".
            .map(|s| if s == "inprogress" { "in-progress" } else { s })
            .and_then(|s| s.parse().ok());
        CandidatePairStats {
            id: raw.id.clone(),
            timestamp: raw.timestamp,
            state,
            nominated: raw.boolean("nominated").unwrap_or(false),
            selected: raw.boolean("selected").unwrap_or(false)
                || selected_ids.contains(&raw.id.as_str()),
            current_round_trip_time: raw.number("currentRoundTripTime"),
            total_round_trip_time: raw.number("totalRoundTripTime"),
            responses_received: raw.count("responsesReceived"),
            bytes_sent: raw.count("bytesSent").unwrap_or(0),
            bytes_received: raw.count("bytesReceived").unwrap_or(0),
            local_candidate_id: raw.text("localCandidateId"),
            remote_candidate_id: raw.text("remoteCandidateId"),
            available_outgoing_bitrate: raw.number("availableOutgoingBitrate"),
        }
    }
}

/// Media received on one RTP stream ([`RTCInboundRtpStreamStats`]). Video fields are `None`
/// for audio and the other way round; a browser that does not report a field leaves it `None`.
///
/// ```no_run
/// use rtcweb::media::MediaKind;
/// # async fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
/// for video in pc.stats().await?.inbound_rtp().into_iter().filter(|s| s.kind == Some(MediaKind::Video)) {
///     println!("{:?}x{:?} at {:?} fps, {} lost", video.frame_width, video.frame_height, video.frames_per_second, video.packets_lost);
/// }
/// # Ok(()) }
/// ```
///
/// [`RTCInboundRtpStreamStats`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCInboundRtpStreamStats
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct InboundRtpStats {
    /// The entry's id.
    pub id: String,
    /// When measured, in milliseconds since the Unix epoch.
    pub timestamp: f64,
    /// Audio or video.
    pub kind: Option<MediaKind>,
    /// The RTP synchronization source.
    pub ssrc: Option<u32>,
    /// The media section's id.
    pub mid: Option<String>,
    /// The receiving track's id.
    pub track_identifier: Option<String>,
    /// The id of the codec's entry.
    pub codec_id: Option<String>,
    /// RTP packets received.
    pub packets_received: u64,
    /// RTP packets lost (negative when duplicates arrived).
    pub packets_lost: i64,
    /// Payload bytes received.
    pub bytes_received: u64,
    /// Packet jitter, in seconds.
    pub jitter: Option<f64>,
    /// Video frames decoded.
    pub frames_decoded: Option<u64>,
    /// Video frames received complete.
    pub frames_received: Option<u64>,
    /// Video frames dropped before decoding.
    pub frames_dropped: Option<u64>,
    /// Video key frames decoded.
    pub key_frames_decoded: Option<u64>,
    /// Width of the last decoded frame, in pixels.
    pub frame_width: Option<u32>,
    /// Height of the last decoded frame, in pixels.
    pub frame_height: Option<u32>,
    /// Decoded frames in the last second.
    pub frames_per_second: Option<f64>,
    /// Audio level of the received audio, from 0 (silence) to 1 (loudest).
    pub audio_level: Option<f64>,
    /// The accumulated energy of the received audio (grows while sound arrives).
    pub total_audio_energy: Option<f64>,
    /// The duration of the received audio, in seconds.
    pub total_samples_duration: Option<f64>,
    /// Audio samples received.
    pub total_samples_received: Option<u64>,
    /// Audio samples replaced by concealment because packets were missing.
    pub concealed_samples: Option<u64>,
}

impl InboundRtpStats {
    fn parse(raw: &RawStats) -> Self {
        InboundRtpStats {
            id: raw.id.clone(),
            timestamp: raw.timestamp,
            kind: raw.media_kind(),
            ssrc: raw.small("ssrc"),
            mid: raw.text("mid"),
            track_identifier: raw.text("trackIdentifier"),
            codec_id: raw.text("codecId"),
            packets_received: raw.count("packetsReceived").unwrap_or(0),
            packets_lost: raw.number("packetsLost").map_or(0, |n| n as i64),
            bytes_received: raw.count("bytesReceived").unwrap_or(0),
            jitter: raw.number("jitter"),
            frames_decoded: raw.count("framesDecoded"),
            frames_received: raw.count("framesReceived"),
            frames_dropped: raw.count("framesDropped"),
            key_frames_decoded: raw.count("keyFramesDecoded"),
            frame_width: raw.small("frameWidth"),
            frame_height: raw.small("frameHeight"),
            frames_per_second: raw.number("framesPerSecond"),
            audio_level: raw.number("audioLevel"),
            total_audio_energy: raw.number("totalAudioEnergy"),
            total_samples_duration: raw.number("totalSamplesDuration"),
            total_samples_received: raw.count("totalSamplesReceived"),
            concealed_samples: raw.count("concealedSamples"),
        }
    }
}

/// Media sent on one RTP stream ([`RTCOutboundRtpStreamStats`]).
///
/// ```no_run
/// # async fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
/// for out in pc.stats().await?.outbound_rtp() {
///     println!("{:?}: {} bytes, limited by {:?}", out.kind, out.bytes_sent, out.quality_limitation_reason);
/// }
/// # Ok(()) }
/// ```
///
/// [`RTCOutboundRtpStreamStats`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCOutboundRtpStreamStats
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct OutboundRtpStats {
    /// The entry's id.
    pub id: String,
    /// When measured, in milliseconds since the Unix epoch.
    pub timestamp: f64,
    /// Audio or video.
    pub kind: Option<MediaKind>,
    /// The RTP synchronization source.
    pub ssrc: Option<u32>,
    /// The media section's id.
    pub mid: Option<String>,
    /// The id of the codec's entry.
    pub codec_id: Option<String>,
    /// The id of the media source's entry.
    pub media_source_id: Option<String>,
    /// RTP packets sent.
    pub packets_sent: u64,
    /// Payload bytes sent.
    pub bytes_sent: u64,
    /// Video frames encoded.
    pub frames_encoded: Option<u64>,
    /// Video frames sent.
    pub frames_sent: Option<u64>,
    /// Video key frames encoded.
    pub key_frames_encoded: Option<u64>,
    /// Width of the last encoded frame, in pixels.
    pub frame_width: Option<u32>,
    /// Height of the last encoded frame, in pixels.
    pub frame_height: Option<u32>,
    /// Encoded frames in the last second.
    pub frames_per_second: Option<f64>,
    /// The encoder's target bitrate, in bits per second.
    pub target_bitrate: Option<f64>,
    /// Why the resolution or frame rate is reduced: `none`, `cpu`, `bandwidth` or `other`.
    pub quality_limitation_reason: Option<String>,
}

impl OutboundRtpStats {
    fn parse(raw: &RawStats) -> Self {
        OutboundRtpStats {
            id: raw.id.clone(),
            timestamp: raw.timestamp,
            kind: raw.media_kind(),
            ssrc: raw.small("ssrc"),
            mid: raw.text("mid"),
            codec_id: raw.text("codecId"),
            media_source_id: raw.text("mediaSourceId"),
            packets_sent: raw.count("packetsSent").unwrap_or(0),
            bytes_sent: raw.count("bytesSent").unwrap_or(0),
            frames_encoded: raw.count("framesEncoded"),
            frames_sent: raw.count("framesSent"),
            key_frames_encoded: raw.count("keyFramesEncoded"),
            frame_width: raw.small("frameWidth"),
            frame_height: raw.small("frameHeight"),
            frames_per_second: raw.number("framesPerSecond"),
            target_bitrate: raw.number("targetBitrate"),
            quality_limitation_reason: raw.text("qualityLimitationReason"),
        }
    }
}

/// What the remote peer reported about the media this side sends
/// ([`RTCRemoteInboundRtpStreamStats`]): loss, jitter and round-trip time from RTCP.
///
/// ```no_run
/// # async fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
/// for r in pc.stats().await?.remote_inbound_rtp() {
///     println!("{:?}: RTT {:?} s, {} lost", r.kind, r.round_trip_time, r.packets_lost);
/// }
/// # Ok(()) }
/// ```
///
/// [`RTCRemoteInboundRtpStreamStats`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCRemoteInboundRtpStreamStats
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct RemoteInboundRtpStats {
    /// The entry's id.
    pub id: String,
    /// When measured, in milliseconds since the Unix epoch.
    pub timestamp: f64,
    /// Audio or video.
    pub kind: Option<MediaKind>,
    /// The id of the matching outbound entry.
    pub local_id: Option<String>,
    /// Packets the remote did not get.
    pub packets_lost: i64,
    /// The fraction lost in the last report, from 0 to 1.
    pub fraction_lost: Option<f64>,
    /// Jitter the remote measured, in seconds.
    pub jitter: Option<f64>,
    /// The latest RTCP round-trip time, in seconds.
    pub round_trip_time: Option<f64>,
}

impl RemoteInboundRtpStats {
    fn parse(raw: &RawStats) -> Self {
        RemoteInboundRtpStats {
            id: raw.id.clone(),
            timestamp: raw.timestamp,
            kind: raw.media_kind(),
            local_id: raw.text("localId"),
            packets_lost: raw.number("packetsLost").map_or(0, |n| n as i64),
            fraction_lost: raw.number("fractionLost"),
            jitter: raw.number("jitter"),
            round_trip_time: raw.number("roundTripTime"),
        }
    }
}

/// A local track feeding a sender ([`RTCMediaSourceStats`]): the level of the microphone, the
/// size and rate of the camera's frames.
///
/// ```no_run
/// # async fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
/// for source in pc.stats().await?.media_sources() {
///     println!("{:?} level {:?}", source.kind, source.audio_level);
/// }
/// # Ok(()) }
/// ```
///
/// [`RTCMediaSourceStats`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCAudioSourceStats
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct MediaSourceStats {
    /// The entry's id.
    pub id: String,
    /// When measured, in milliseconds since the Unix epoch.
    pub timestamp: f64,
    /// Audio or video.
    pub kind: Option<MediaKind>,
    /// The source track's id.
    pub track_identifier: Option<String>,
    /// The audio level, from 0 (silence) to 1.
    pub audio_level: Option<f64>,
    /// The accumulated energy of the audio.
    pub total_audio_energy: Option<f64>,
    /// Frame width, in pixels.
    pub width: Option<u32>,
    /// Frame height, in pixels.
    pub height: Option<u32>,
    /// Frames in the last second.
    pub frames_per_second: Option<f64>,
}

impl MediaSourceStats {
    fn parse(raw: &RawStats) -> Self {
        MediaSourceStats {
            id: raw.id.clone(),
            timestamp: raw.timestamp,
            kind: raw.media_kind(),
            track_identifier: raw.text("trackIdentifier"),
            audio_level: raw.number("audioLevel"),
            total_audio_energy: raw.number("totalAudioEnergy"),
            width: raw.small("width"),
            height: raw.small("height"),
            frames_per_second: raw.number("framesPerSecond"),
        }
    }
}

/// A codec in use ([`RTCCodecStats`]).
///
/// ```no_run
/// # async fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
/// let report = pc.stats().await?;
/// for out in report.outbound_rtp() {
///     if let Some(codec) = out.codec_id.as_deref().and_then(|id| report.codec(id)) {
///         println!("sending {}", codec.mime_type);
///     }
/// }
/// # Ok(()) }
/// ```
///
/// [`RTCCodecStats`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCCodecStats
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CodecStats {
    /// The entry's id.
    pub id: String,
    /// Such as `video/VP8`.
    pub mime_type: String,
    /// The RTP payload type.
    pub payload_type: Option<u8>,
    /// The RTP clock rate.
    pub clock_rate: Option<u32>,
    /// Audio channels.
    pub channels: Option<u32>,
    /// The `a=fmtp` parameters.
    pub sdp_fmtp_line: Option<String>,
}

impl CodecStats {
    fn parse(raw: &RawStats) -> Self {
        CodecStats {
            id: raw.id.clone(),
            mime_type: raw.text("mimeType").unwrap_or_default(),
            payload_type: raw.small("payloadType").and_then(|n| u8::try_from(n).ok()),
            clock_rate: raw.small("clockRate"),
            channels: raw.small("channels"),
            sdp_fmtp_line: raw.text("sdpFmtpLine"),
        }
    }
}

/// A `getStats` report: every entry raw, and typed views of the common ones.
///
/// ```no_run
/// use rtcweb::media::MediaKind;
/// # async fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
/// let report = pc.stats().await?;
/// if let Some(audio) = report.inbound(MediaKind::Audio) {
///     println!("{} audio bytes, level {:?}", audio.bytes_received, audio.audio_level);
/// }
/// for entry in report.entries() {
///     println!("{} {}", entry.kind, entry.id); // everything, raw
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct StatsReport {
    entries: Vec<RawStats>,
}

impl StatsReport {
    /// A report of these entries.
    ///
    /// ```
    /// let empty = rtcweb::stats::StatsReport::new(Vec::new());
    /// assert!(empty.selected_candidate_pair().is_none());
    /// ```
    pub fn new(entries: Vec<RawStats>) -> Self {
        StatsReport { entries }
    }

    /// Every entry, as the browser gave it.
    ///
    /// ```
    /// assert_eq!(rtcweb::stats::StatsReport::default().entries().len(), 0);
    /// ```
    pub fn entries(&self) -> &[RawStats] {
        &self.entries
    }

    /// The entry with this id.
    ///
    /// ```
    /// assert!(rtcweb::stats::StatsReport::default().get("T01").is_none());
    /// ```
    pub fn get(&self, id: &str) -> Option<&RawStats> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The entries of one `type` (such as `"transport"` or `"certificate"`).
    ///
    /// ```
    /// assert_eq!(rtcweb::stats::StatsReport::default().of_type("transport").count(), 0);
    /// ```
    pub fn of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a RawStats> + 'a {
        self.entries
            .iter()
            .filter(move |e| e.standard_type() == kind)
    }

    /// Every candidate pair.
    ///
    /// ```
    /// assert!(rtcweb::stats::StatsReport::default().candidate_pairs().is_empty());
    /// ```
    pub fn candidate_pairs(&self) -> Vec<CandidatePairStats> {
        let selected: Vec<&str> = self
            .of_type("transport")
            .filter_map(|t| t.string("selectedCandidatePairId"))
            .collect();
        self.of_type("candidate-pair")
            .map(|raw| CandidatePairStats::parse(raw, &selected))
            .collect()
    }

    /// The candidate pair media flows on: the selected one, or else a nominated pair that
    /// succeeded.
    ///
    /// ```
    /// assert!(rtcweb::stats::StatsReport::default().selected_candidate_pair().is_none());
    /// ```
    pub fn selected_candidate_pair(&self) -> Option<CandidatePairStats> {
        let pairs = self.candidate_pairs();
        let fallback = pairs
            .iter()
            .find(|p| p.nominated && p.state == Some(CandidatePairState::Succeeded))
            .cloned();
        pairs.into_iter().find(|p| p.selected).or(fallback)
    }

    /// Every inbound RTP stream.
    ///
    /// ```
    /// assert!(rtcweb::stats::StatsReport::default().inbound_rtp().is_empty());
    /// ```
    pub fn inbound_rtp(&self) -> Vec<InboundRtpStats> {
        self.of_type("inbound-rtp")
            .map(InboundRtpStats::parse)
            .collect()
    }

    /// The first inbound RTP stream of `kind`.
    ///
    /// ```
    /// assert!(rtcweb::stats::StatsReport::default().inbound(rtcweb::media::MediaKind::Audio).is_none());
    /// ```
    pub fn inbound(&self, kind: MediaKind) -> Option<InboundRtpStats> {
        self.inbound_rtp()
            .into_iter()
            .find(|s| s.kind == Some(kind))
    }

    /// Every outbound RTP stream.
    ///
    /// ```
    /// assert!(rtcweb::stats::StatsReport::default().outbound_rtp().is_empty());
    /// ```
    pub fn outbound_rtp(&self) -> Vec<OutboundRtpStats> {
        self.of_type("outbound-rtp")
            .map(OutboundRtpStats::parse)
            .collect()
    }

    /// The first outbound RTP stream of `kind`.
    ///
    /// ```
    /// assert!(rtcweb::stats::StatsReport::default().outbound(rtcweb::media::MediaKind::Video).is_none());
    /// ```
    pub fn outbound(&self, kind: MediaKind) -> Option<OutboundRtpStats> {
        self.outbound_rtp()
            .into_iter()
            .find(|s| s.kind == Some(kind))
    }

    /// What the remote reported about each stream this side sends.
    ///
    /// ```
    /// assert!(rtcweb::stats::StatsReport::default().remote_inbound_rtp().is_empty());
    /// ```
    pub fn remote_inbound_rtp(&self) -> Vec<RemoteInboundRtpStats> {
        self.of_type("remote-inbound-rtp")
            .map(RemoteInboundRtpStats::parse)
            .collect()
    }

    /// Every local media source.
    ///
    /// ```
    /// assert!(rtcweb::stats::StatsReport::default().media_sources().is_empty());
    /// ```
    pub fn media_sources(&self) -> Vec<MediaSourceStats> {
        self.of_type("media-source")
            .map(MediaSourceStats::parse)
            .collect()
    }

    /// Every codec in use.
    ///
    /// ```
    /// assert!(rtcweb::stats::StatsReport::default().codecs().is_empty());
    /// ```
    pub fn codecs(&self) -> Vec<CodecStats> {
        self.of_type("codec").map(CodecStats::parse).collect()
    }

    /// The codec entry with this id (an RTP entry's `codec_id`).
    ///
    /// ```
    /// assert!(rtcweb::stats::StatsReport::default().codec("C1").is_none());
    /// ```
    pub fn codec(&self, id: &str) -> Option<CodecStats> {
        self.get(id)
            .filter(|e| e.standard_type() == "codec")
            .map(CodecStats::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trimmed report as Chromium gives it (values from a loopback call).
    const CHROMIUM: &str = r#"[
      {"id":"T01","type":"transport","timestamp":1700000000000.5,"selectedCandidatePairId":"CPabc","dtlsState":"connected"},
      {"id":"CPabc","type":"candidate-pair","timestamp":1700000000000.5,"state":"succeeded","nominated":true,
       "currentRoundTripTime":0.001,"totalRoundTripTime":0.004,"responsesReceived":4,"bytesSent":123456,
       "bytesReceived":654321,"localCandidateId":"Ia","remoteCandidateId":"Ib","availableOutgoingBitrate":3000000},
      {"id":"CPdef","type":"candidate-pair","timestamp":1700000000000.5,"state":"waiting","nominated":false,"bytesSent":0,"bytesReceived":0},
      {"id":"IT01V","type":"inbound-rtp","timestamp":1700000000000.5,"kind":"video","ssrc":1234,"mid":"1",
       "trackIdentifier":"track-v","codecId":"CIT01_96","packetsReceived":500,"packetsLost":-2,"bytesReceived":400000,
       "jitter":0.004,"framesDecoded":120,"framesReceived":121,"framesDropped":1,"keyFramesDecoded":2,
       "frameWidth":640,"frameHeight":480,"framesPerSecond":30,"qualityLimitationDurations":{"none":1.5}},
      {"id":"IT01A","type":"inbound-rtp","timestamp":1700000000000.5,"kind":"audio","ssrc":99,"packetsReceived":250,
       "packetsLost":0,"bytesReceived":20000,"jitter":0.001,"audioLevel":0.25,"totalAudioEnergy":0.5,
       "totalSamplesDuration":5.0,"totalSamplesReceived":240000,"concealedSamples":10},
      {"id":"OT01V","type":"outbound-rtp","timestamp":1700000000000.5,"kind":"video","ssrc":4321,"codecId":"COT01_96",
       "mediaSourceId":"SV","packetsSent":510,"bytesSent":410000,"framesEncoded":125,"framesSent":125,
       "keyFramesEncoded":2,"frameWidth":640,"frameHeight":480,"framesPerSecond":30,"targetBitrate":2500000,
       "qualityLimitationReason":"none"},
      {"id":"RIA","type":"remote-inbound-rtp","timestamp":1700000000000.5,"kind":"audio","localId":"OT01A",
       "packetsLost":3,"fractionLost":0.0,"jitter":0.002,"roundTripTime":0.0015},
      {"id":"SA","type":"media-source","timestamp":1700000000000.5,"kind":"audio","trackIdentifier":"mic","audioLevel":0.5,"totalAudioEnergy":1.25},
      {"id":"SV","type":"media-source","timestamp":1700000000000.5,"kind":"video","trackIdentifier":"cam","width":640,"height":480,"framesPerSecond":30},
      {"id":"COT01_96","type":"codec","timestamp":1700000000000.5,"mimeType":"video/VP8","payloadType":96,"clockRate":90000}
    ]"#;

    /// As Firefox gives it: no transport entry, the pair marked `selected`.
    const FIREFOX: &str = r#"[
      {"id":"{a}","type":"candidate-pair","timestamp":1700000000000,"state":"succeeded","nominated":true,"selected":true,
       "bytesSent":1000,"bytesReceived":2000,"totalRoundTripTime":0.002,"responsesReceived":2},
      {"id":"{b}","type":"candidate-pair","timestamp":1700000000000,"state":"in-progress","nominated":false,"selected":false},
      {"id":"{c}","type":"inbound-rtp","timestamp":1700000000000,"kind":"video","mediaType":"video","packetsReceived":10,"bytesReceived":9000,"framesDecoded":3}
    ]"#;

    fn report(json: &str) -> StatsReport {
        serde_json::from_str(json).expect("valid stats JSON")
    }

    #[test]
    fn raw_entries_keep_every_field() {
        let report = report(CHROMIUM);
        assert_eq!(report.entries().len(), 10);
        let transport = report.get("T01").expect("transport");
        assert_eq!(transport.kind, "transport");
        assert_eq!(transport.timestamp, 1700000000000.5);
        assert_eq!(transport.string("dtlsState"), Some("connected"));
        let video = report.get("IT01V").expect("inbound video");
        assert_eq!(
            video.get("qualityLimitationDurations"),
            Some(&StatsValue::Map(BTreeMap::from([(
                "none".to_owned(),
                StatsValue::Number(1.5)
            )])))
        );
        assert_eq!(report.of_type("candidate-pair").count(), 2);
    }

    #[test]
    fn the_selected_pair_comes_from_the_transport() {
        let pair = report(CHROMIUM)
            .selected_candidate_pair()
            .expect("selected");
        assert_eq!(pair.id, "CPabc");
        assert!(pair.selected && pair.nominated);
        assert_eq!(pair.state, Some(CandidatePairState::Succeeded));
        assert_eq!(pair.current_round_trip_time, Some(0.001));
        assert_eq!(pair.total_round_trip_time, Some(0.004));
        assert_eq!(pair.responses_received, Some(4));
        assert_eq!((pair.bytes_sent, pair.bytes_received), (123456, 654321));
        assert_eq!(pair.local_candidate_id.as_deref(), Some("Ia"));
        assert_eq!(pair.available_outgoing_bitrate, Some(3e6));
    }

    #[test]
    fn firefox_marks_the_selected_pair_itself() {
        let report = report(FIREFOX);
        let pair = report.selected_candidate_pair().expect("selected");
        assert_eq!(pair.id, "{a}");
        assert_eq!(pair.current_round_trip_time, None);
        let other = &report.candidate_pairs()[1];
        assert_eq!(other.state, Some(CandidatePairState::InProgress));
        assert!(!other.selected);
        let video = report.inbound(MediaKind::Video).expect("video");
        assert_eq!(video.frames_decoded, Some(3));
        assert_eq!(video.frame_width, None);
    }

    #[test]
    fn a_nominated_succeeded_pair_stands_in_for_a_missing_selection() {
        let report = report(
            r#"[{"id":"p","type":"candidatepair","timestamp":1,"state":"inprogress","nominated":true},
                {"id":"q","type":"candidate-pair","timestamp":1,"state":"succeeded","nominated":true}]"#,
        );
        assert_eq!(
            report.selected_candidate_pair().map(|p| p.id),
            Some("q".into())
        );
        assert_eq!(
            report.candidate_pairs()[0].state,
            Some(CandidatePairState::InProgress)
        );
    }

    #[test]
    fn inbound_rtp_by_kind() {
        let report = report(CHROMIUM);
        let video = report.inbound(MediaKind::Video).expect("video");
        assert_eq!(video.ssrc, Some(1234));
        assert_eq!(video.packets_lost, -2);
        assert_eq!(video.frames_decoded, Some(120));
        assert_eq!(
            (video.frame_width, video.frame_height),
            (Some(640), Some(480))
        );
        assert_eq!(video.frames_per_second, Some(30.0));
        assert_eq!(video.audio_level, None);
        let audio = report.inbound(MediaKind::Audio).expect("audio");
        assert_eq!(audio.bytes_received, 20000);
        assert_eq!(audio.audio_level, Some(0.25));
        assert_eq!(audio.total_samples_received, Some(240000));
        assert_eq!(audio.concealed_samples, Some(10));
        assert_eq!(audio.frames_decoded, None);
    }

    #[test]
    fn outbound_sources_codecs_and_remote_reports() {
        let report = report(CHROMIUM);
        let out = report.outbound(MediaKind::Video).expect("outbound video");
        assert_eq!((out.packets_sent, out.bytes_sent), (510, 410000));
        assert_eq!(out.frames_encoded, Some(125));
        assert_eq!(out.quality_limitation_reason.as_deref(), Some("none"));
        let codec = report
            .codec(out.codec_id.as_deref().expect("codec id"))
            .expect("codec");
        assert_eq!(codec.mime_type, "video/VP8");
        assert_eq!(codec.payload_type, Some(96));
        assert_eq!(codec.clock_rate, Some(90000));
        let remote = &report.remote_inbound_rtp()[0];
        assert_eq!(remote.round_trip_time, Some(0.0015));
        assert_eq!(remote.packets_lost, 3);
        let sources = report.media_sources();
        assert_eq!(sources[0].audio_level, Some(0.5));
        assert_eq!(
            (sources[1].width, sources[1].height),
            (Some(640), Some(480))
        );
    }

    #[test]
    fn from_values_takes_out_the_common_fields() {
        let values = BTreeMap::from([
            ("id".to_owned(), StatsValue::String("x".into())),
            ("type".to_owned(), StatsValue::String("codec".into())),
            ("timestamp".to_owned(), StatsValue::Number(5.0)),
            (
                "mimeType".to_owned(),
                StatsValue::String("audio/opus".into()),
            ),
        ]);
        let raw = RawStats::from_values(values);
        assert_eq!(
            (raw.id.as_str(), raw.kind.as_str(), raw.timestamp),
            ("x", "codec", 5.0)
        );
        assert_eq!(raw.values.len(), 1);
        let json = serde_json::to_string(&raw).expect("serializes");
        assert_eq!(
            json,
            r#"{"id":"x","type":"codec","timestamp":5.0,"mimeType":"audio/opus"}"#
        );
    }
}
