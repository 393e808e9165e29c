//! A Yew app on rtcweb's call API: [`hook::use_call`] owns the call, and the page shows the
//! room, its peers with their states, a chat and the remote videos.
//!
//! Query parameters: `room=NAME` joins at load (without it the page asks for a room), `db=URL`
//! signals through another database (the page's origin by default), `media=1` sends camera
//! and microphone (data only by default). Built by `examples/yew-call/build.sh` into
//! `target/yew-call/`.

pub mod hook;

use hook::{state_label, use_call, Status};
use rtcweb::media::AttachOptions;
use rtcweb::MediaStream;
use web_sys::{HtmlInputElement, HtmlMediaElement, UrlSearchParams};
use yew::prelude::*;

/// The page's query parameters.
#[derive(Debug, Clone, PartialEq)]
struct Params {
    db: String,
    room: Option<String>,
    media: bool,
}

impl Params {
    fn from_location() -> Params {
        let location = web_sys::window().map(|window| window.location());
        let search = location
            .as_ref()
            .and_then(|l| l.search().ok())
            .unwrap_or_default();
        let query = UrlSearchParams::new_with_str(&search).ok();
        let get = |name: &str| {
            query
                .as_ref()
                .and_then(|q| q.get(name))
                .filter(|v| !v.is_empty())
        };
        let origin = location
            .as_ref()
            .and_then(|l| l.origin().ok())
            .unwrap_or_default();
        Params {
            db: get("db").unwrap_or(origin),
            room: get("room"),
            media: get("media").as_deref() == Some("1"),
        }
    }
}

#[component]
fn App() -> Html {
    let params = use_memo((), |_| Params::from_location());
    // Hanging up unmounts the call's component: its hook's teardown drops the call.
    let in_call = use_state(|| true);
    let hang_up = {
        let in_call = in_call.clone();
        Callback::from(move |_| in_call.set(false))
    };
    let rejoin = {
        let in_call = in_call.clone();
        Callback::from(move |_| in_call.set(true))
    };
    match &params.room {
        Some(room) if *in_call => html! {
            <CallView db={params.db.clone()} room={room.clone()} media={params.media} {hang_up} />
        },
        Some(room) => html! {
            <main>
                <h1>{ "rtcweb + Yew" }</h1>
                <p data-testid="status" data-state="left">{ format!("You left room {room}.") }</p>
                <button data-testid="rejoin" onclick={rejoin}>{ "Join again" }</button>
            </main>
        },
        None => html! { <RoomPicker /> },
    }
}

/// Asks for a room, then loads the page again with `?room=` set (keeping the other parameters).
#[component]
fn RoomPicker() -> Html {
    let room = use_state(String::new);
    let oninput = {
        let room = room.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                room.set(input.value());
            }
        })
    };
    let onsubmit = {
        let room = room.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(location) = web_sys::window().map(|w| w.location()) else {
                return;
            };
            let search = location.search().unwrap_or_default();
            if let Ok(query) = UrlSearchParams::new_with_str(&search) {
                query.set("room", room.trim());
                let _ = location.set_search(&String::from(query.to_string()));
            }
        })
    };
    html! {
        <main>
            <h1>{ "rtcweb + Yew" }</h1>
            <form {onsubmit}>
                <input data-testid="room-input" placeholder="room name" value={(*room).clone()} {oninput} />
                <button data-testid="room-join" type="submit" disabled={room.trim().is_empty()}>{ "Join" }</button>
            </form>
        </main>
    }
}

#[derive(Properties, PartialEq)]
struct CallViewProps {
    db: AttrValue,
    room: AttrValue,
    media: bool,
    hang_up: Callback<MouseEvent>,
}

#[component]
fn CallView(props: &CallViewProps) -> Html {
    let call = use_call(&props.db, &props.room, props.media);
    let draft = use_state(String::new);
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                draft.set(input.value());
            }
        })
    };
    let onsubmit = {
        let (draft, send) = (draft.clone(), call.send.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !draft.trim().is_empty() {
                send.emit((*draft).clone());
                draft.set(String::new());
            }
        })
    };
    let state = &*call.state;
    let (status, status_text) = match &state.status {
        Status::Joining => ("joining", "joining…".to_owned()),
        Status::Joined(me) => ("joined", format!("in the room as {me}")),
        Status::Failed(why) => ("failed", format!("could not join: {why}")),
    };
    let joined = matches!(state.status, Status::Joined(_));
    html! {
        <main>
            <h1>{ "rtcweb + Yew" }</h1>
            <p>{ "Room " }<code data-testid="room">{ &props.room }</code></p>
            <p data-testid="status" data-state={status}>{ status_text }</p>
            <button data-testid="hangup" onclick={props.hang_up.clone()}>{ "Hang up" }</button>
            if let Some(notice) = &state.notice {
                <p data-testid="notice">{ notice }</p>
            }
            <ul data-testid="peers">
                { for state.peers.iter().map(|(id, peer)| html! {
                    <li key={id.clone()} data-testid="peer" data-peer={id.clone()} data-state={state_label(&peer.state)}>
                        { format!("{id}: {}", state_label(&peer.state)) }
                    </li>
                }) }
            </ul>
            <div class="videos">
                { for state.peers.iter().flat_map(|(id, peer)| peer.streams.iter().map(move |stream| html! {
                    <RemoteVideo key={format!("{id}/{}", stream.id())} peer={id.clone()} stream={stream.clone()} />
                })) }
            </div>
            <form {onsubmit}>
                <input data-testid="chat-input" placeholder="message" value={(*draft).clone()} {oninput} disabled={!joined} />
                <button data-testid="chat-send" type="submit" disabled={!joined}>{ "Send" }</button>
            </form>
            <ul data-testid="chat-log">
                { for state.chat.iter().map(|line| html! {
                    <li data-from={line.from.clone()}>{ format!("{}: {}", line.from, line.text) }</li>
                }) }
            </ul>
        </main>
    }
}

#[derive(Properties, PartialEq)]
struct RemoteVideoProps {
    peer: AttrValue,
    stream: MediaStream,
}

/// One remote stream in a `<video>`, attached once the element exists.
#[component]
fn RemoteVideo(props: &RemoteVideoProps) -> Html {
    let video = use_node_ref();
    let error = use_state(|| None::<String>);
    {
        let (video, error) = (video.clone(), error.clone());
        use_effect_with(props.stream.clone(), move |stream| {
            if let Some(element) = video.cast::<HtmlMediaElement>() {
                if let Err(e) = stream.attach(&element, &AttachOptions::default()) {
                    error.set(Some(e.to_string()));
                }
            }
        });
    }
    html! {
        <figure>
            <video ref={video} data-testid="remote-video" data-peer={props.peer.clone()} playsinline=true />
            <figcaption>{ &props.peer }{ error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default() }</figcaption>
        </figure>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
