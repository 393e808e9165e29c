/** A message: text, or bytes (received as a `Uint8Array`). */
export type Data = string | ArrayBuffer | ArrayBufferView;

/** Options of `new Database(url, options)`. */
export interface DatabaseOptions {
  /** An ID token, sent as the `auth` parameter of every request. */
  auth?: string;
}

/** Options of a data channel: `RTCDataChannelInit`, and `split` to split messages above the remote's maximum size into parts (rtcweb peers put them back together). */
export interface DataChannelOptions {
  ordered?: boolean;
  maxRetransmits?: number;
  maxPacketLifeTime?: number;
  protocol?: string;
  negotiated?: boolean;
  id?: number;
  split?: boolean;
}

/** A data channel of a call, as a label or with options (every peer must ask for the same list). */
export type ChannelOptions = string | (DataChannelOptions & { label: string });

/** When to restart ICE, and when to give up. */
export interface ReconnectOptions {
  /** The wait before each attempt, in ms (LiveKit's schedule by default: 0, 300, 1200, 2700, 4800, then 7000 ×5). */
  delaysMs?: number[];
  attemptTimeoutMs?: number;
  disconnectedGraceMs?: number;
  connectTimeoutMs?: number;
  /** The random spread of each delay, in percent either way (15 by default). */
  jitterPercent?: number;
}

/** Options of `Call.join`. */
export interface CallOptions {
  /** Camera, microphone or screen to send to every peer; the call owns it (its tracks stop when the call ends). */
  media?: MediaStream;
  /** The data channels to open with every peer (default: one reliable, ordered `"data"` channel). */
  channels?: ChannelOptions[];
  /** ICE servers and policies, as `RTCConfiguration`. */
  configuration?: {
    iceServers?: RTCIceServer[];
    iceTransportPolicy?: RTCIceTransportPolicy;
    bundlePolicy?: RTCBundlePolicy;
    iceCandidatePoolSize?: number;
  };
  /** This peer's id in the room (random by default). */
  peerId?: string;
  reconnect?: ReconnectOptions;
  /** How often presence is refreshed (default 5000 ms). */
  heartbeatMs?: number;
  /** How long a peer whose connection is down may miss heartbeats before it is reported left (default 15000 ms). */
  staleAfterMs?: number;
}

/** Options of `call.send`. */
export interface SendOptions {
  /** The label of the channel (default: the first). */
  channel?: string;
}

/** Why a peer left. */
export type LeaveReason = "hungup" | "timedout" | "failed" | "rejoined";

/** A peer arrived in the room; a connection to it starts. */
export interface PeerJoinedEvent { type: "peerjoined"; peer: string }
/** A peer's state changed. */
export type PeerStateEvent =
  | { type: "peerstate"; peer: string; state: "connecting" | "connected" }
  | { type: "peerstate"; peer: string; state: "reconnecting"; attempt: number }
  | { type: "peerstate"; peer: string; state: "left"; reason: LeaveReason };
/** A message from a peer. */
export interface PeerMessageEvent { type: "message"; peer: string; channel: string; data: string | Uint8Array }
/** A media track from a peer. */
export interface PeerTrackEvent { type: "track"; peer: string; track: MediaStreamTrack; streams: MediaStream[] }
/** Something a peer sent could not be used; the call goes on. */
export interface PeerErrorEvent { type: "error"; peer: string; error: Error }
/** Every event of a call. */
export type CallEvent = PeerJoinedEvent | PeerStateEvent | PeerMessageEvent | PeerTrackEvent | PeerErrorEvent;
/** Call events by type, for `call.on(type, listener)`. */
export interface CallEventMap {
  peerjoined: PeerJoinedEvent;
  peerstate: PeerStateEvent;
  message: PeerMessageEvent;
  track: PeerTrackEvent;
  error: PeerErrorEvent;
  "*": CallEvent;
}

export interface Call {
  /** Calls `listener` with each event of `type` (`"*"`: every event); returns a function that removes it. */
  on<K extends keyof CallEventMap>(type: K, listener: (event: CallEventMap[K]) => void): () => void;
  /** Removes a listener added with `on`. */
  off<K extends keyof CallEventMap>(type: K, listener: (event: CallEventMap[K]) => void): void;
}

/** Events of a `DataChannel`. */
export type DataChannelEvent =
  | { type: "message"; data: string | Uint8Array }
  | { type: "open" }
  | { type: "close"; error?: Error };
/** Data channel events by type. */
export interface DataChannelEventMap {
  message: Extract<DataChannelEvent, { type: "message" }>;
  open: Extract<DataChannelEvent, { type: "open" }>;
  close: Extract<DataChannelEvent, { type: "close" }>;
  "*": DataChannelEvent;
}
export interface DataChannel {
  on<K extends keyof DataChannelEventMap>(type: K, listener: (event: DataChannelEventMap[K]) => void): () => void;
  off<K extends keyof DataChannelEventMap>(type: K, listener: (event: DataChannelEventMap[K]) => void): void;
}

/** Events of a `PeerConnection`. */
export type PeerConnectionEvent =
  | { type: "icecandidate"; candidate: RTCIceCandidateInit }
  | { type: "connectionstatechange"; state: RTCPeerConnectionState }
  | { type: "signalingstatechange"; state: RTCSignalingState }
  | { type: "iceconnectionstatechange"; state: RTCIceConnectionState }
  | { type: "icegatheringstatechange"; state: RTCIceGatheringState }
  | { type: "negotiationneeded" }
  | { type: "datachannel"; channel: DataChannel }
  | { type: "track"; track: MediaStreamTrack; streams: MediaStream[] };
/** Peer connection events by type. */
export type PeerConnectionEventMap = { [K in PeerConnectionEvent["type"]]: Extract<PeerConnectionEvent, { type: K }> } & { "*": PeerConnectionEvent };
export interface PeerConnection {
  on<K extends keyof PeerConnectionEventMap>(type: K, listener: (event: PeerConnectionEventMap[K]) => void): () => void;
  off<K extends keyof PeerConnectionEventMap>(type: K, listener: (event: PeerConnectionEventMap[K]) => void): void;
}

/** An async iterator over a handle's events; it ends when the handle closes or the loop is left. */
export class EventIterator<T> implements AsyncIterableIterator<T> {
  private constructor();
  next(): Promise<IteratorResult<T, undefined>>;
  return(): Promise<IteratorResult<T, undefined>>;
  [Symbol.asyncIterator](): EventIterator<T>;
  free(): void;
}

/** The failure of a signaling request; `name` is `"SignalingError"`. */
export interface SignalingError extends Error {
  name: "SignalingError";
  reason: "unreachable" | "permission-denied" | "http" | "malformed-json" | "cancelled" | "auth-revoked" | "invalid-path";
  /** The HTTP status, when `reason` is `"http"`. */
  status?: number;
}

/** What WebRTC implementation the page has, as rtcweb uses it. */
export interface Implementation {
  peerConnection: "RTCPeerConnection" | "webkitRTCPeerConnection" | "mozRTCPeerConnection" | null;
  sessionDescription: string | null;
  iceCandidate: string | null;
  getUserMedia: string | null;
  promises: boolean;
  iceServerUrl: boolean;
  descriptionInstances: boolean;
  addTrack: boolean;
  trackEvent: boolean;
}

/** A device, as `enumerateDevices()` lists it. */
export interface MediaDeviceInfoInit {
  deviceId: string;
  groupId: string;
  kind: MediaDeviceKind;
  label: string;
}
