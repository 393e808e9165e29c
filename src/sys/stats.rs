//! `getStats`: the promise form, the callback forms of old browsers, and reading reports
//! (the `RTCStatsReport` maplike and old Chrome's `RTCStatsResponse`) into plain entries.

use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MediaStreamTrack, RtcPeerConnection};

use super::legacy::{self, Arg::*};
use super::{array, call_method, get, get_string, set, settle};
use crate::error::Error;
use crate::types::stats::{RawStats, StatsValue};

#[wasm_bindgen]
extern "C" {
    /// `getStats` of connections, senders and receivers, catching.
    type StatsMethods;

    #[wasm_bindgen(method, catch, js_name = getStats)]
    fn get_stats(this: &StatsMethods) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = getStats)]
    fn get_stats_for(this: &StatsMethods, selector: &JsValue) -> Result<Promise, JsValue>;
}

/// Old Chrome's `RTCStatsResponse` as plain objects: `result()` lists reports with `id`,
/// `type`, `timestamp` (a `Date`) and their values as strings through `names()` and
/// `stat(name)`.
fn legacy_entries(list: &JsValue) -> Vec<JsValue> {
    array(list)
        .iter()
        .filter(|report| report.is_object())
        .map(|report| {
            let entry = Object::new();
            for key in ["id", "type"] {
                if let Some(text) = get_string(report, key) {
                    set(&entry, key, text);
                }
            }
            let timestamp = get(report, "timestamp");
            let millis = timestamp.as_f64().or_else(|| {
                call_method(&timestamp, "getTime", &Array::new())
                    .and_then(Result::ok)
                    .and_then(|n| n.as_f64())
            });
            if let Some(millis) = millis {
                set(&entry, "timestamp", millis);
            }
            let names = call_method(report, "names", &Array::new())
                .and_then(Result::ok)
                .unwrap_or(JsValue::UNDEFINED);
            for name in array(&names).iter().filter_map(JsValue::as_string) {
                let value = call_method(report, "stat", &Array::of1(&name.as_str().into()))
                    .and_then(Result::ok)
                    .unwrap_or(JsValue::UNDEFINED);
                set(&entry, &name, value);
            }
            entry.into()
        })
        .collect()
}

/// The entries of an `RTCStatsReport` (a maplike of stats dictionaries), or of old Chrome's
/// `RTCStatsResponse`, as plain objects.
fn entries(report: &JsValue) -> Vec<JsValue> {
    if !get(report, "values").is_function() {
        if let Some(Ok(list)) = call_method(report, "result", &Array::new()) {
            return legacy_entries(&list);
        }
    }
    let values = call_method(report, "values", &Array::new()).and_then(Result::ok);
    let Some(Ok(Some(iter))) = values.map(|v| js_sys::try_iter(&v)) else {
        return Vec::new();
    };
    iter.flatten()
        .map(|stats| {
            // A JSON round trip flattens a stats object into plain data, whether its fields
            // are own properties (Chromium) or accessors on a prototype (old Firefox's RTCStats).
            js_sys::JSON::stringify(&stats)
                .ok()
                .and_then(|s| js_sys::JSON::parse(&String::from(s)).ok())
                .unwrap_or(stats)
        })
        .collect()
}

/// A report's entries as Rust values.
fn read_report(report: &JsValue) -> Vec<RawStats> {
    entries(report)
        .iter()
        .filter_map(|entry| match stats_value(entry, 0) {
            StatsValue::Map(values) => Some(RawStats::from_values(values)),
            _ => None,
        })
        .collect()
}

fn stats_value(value: &JsValue, depth: u8) -> StatsValue {
    if let Some(n) = value.as_f64() {
        return StatsValue::Number(n);
    }
    if let Some(b) = value.as_bool() {
        return StatsValue::Bool(b);
    }
    if let Some(s) = value.as_string() {
        return StatsValue::String(s);
    }
    // Stats are shallow (a record such as qualityLimitationDurations at most); the depth
    // limit only guards against a cyclic object.
    if depth > 4 || !value.is_object() {
        return StatsValue::Null;
    }
    if let Some(list) = value.dyn_ref::<Array>() {
        return StatsValue::List(list.iter().map(|v| stats_value(&v, depth + 1)).collect());
    }
    let mut map = std::collections::BTreeMap::new();
    for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
        if let Some(key) = key.as_string() {
            let field = stats_value(&get(value, &key), depth + 1);
            map.insert(key, field);
        }
    }
    StatsValue::Map(map)
}

/// The connection's report (of the track's streams with a `selector`), through the promise
/// form or an old browser's callbacks.
async fn peer_report(
    pc: &RtcPeerConnection,
    selector: Option<&MediaStreamTrack>,
) -> Result<JsValue, Error> {
    if legacy::callback_only(pc) {
        let selector = selector.map_or(JsValue::NULL, JsValue::from);
        return if legacy::stats_success_first(pc) {
            // Old Chrome: getStats(success, selector), with an RTCStatsResponse.
            legacy::call_with_callbacks(pc, "getStats", &[Success, Value(&selector)]).await
        } else {
            // The old specification and old Firefox: getStats(selector, success, failure).
            legacy::call_with_callbacks(pc, "getStats", &[Value(&selector), Success, Failure]).await
        };
    }
    let promise = match selector {
        Some(track) => pc.unchecked_ref::<StatsMethods>().get_stats_for(track),
        None => pc.unchecked_ref::<StatsMethods>().get_stats(),
    };
    settle(promise).await
}

pub(crate) async fn peer_stats(
    pc: &RtcPeerConnection,
    selector: Option<&MediaStreamTrack>,
) -> Result<Vec<RawStats>, Error> {
    Ok(read_report(&peer_report(pc, selector).await?))
}

/// The connection's report as the JS API gives it: an array of plain objects, not read into
/// Rust values and serialized back (which cost the data-channel build 5 KB gzipped).
#[cfg(feature = "js-data")]
pub(crate) async fn peer_entries(pc: &RtcPeerConnection) -> Result<Array, Error> {
    Ok(entries(&peer_report(pc, None).await?).into_iter().collect())
}

pub(crate) async fn rtp_stats(sender_or_receiver: &JsValue) -> Result<Vec<RawStats>, Error> {
    if !get(sender_or_receiver, "getStats").is_function() {
        return Err(Error::Unsupported(
            "this browser has no getStats on senders and receivers".into(),
        ));
    }
    let report = settle(
        sender_or_receiver
            .unchecked_ref::<StatsMethods>()
            .get_stats(),
    )
    .await?;
    Ok(read_report(&report))
}
