//! The library's layering, checked on its source: data flows down, never back up.
//!
//! ```text
//! call, js                                    (the layers on top)
//! peer, data_channel, media, signaling, support, event
//! sys/*                                       (the only code that sees raw JS)
//! types/*                                     (plain data and pure logic)
//! error
//! ```
//!
//! Every module of `src/` is a unit (a file of `types/`, `sys/`, `media/` and `signaling/` is a
//! unit of its own). The check reads every `crate::` and `super::` path in the code (comments
//! left out) and fails when `types` or `sys` import upward, when a path goes through the crate
//! root's re-exports instead of the defining module, or when two units import each other,
//! directly or around a loop. Run it alone with `cargo test --test layers`.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Directories whose files are units of their own.
const SPLIT: [&str; 4] = ["types", "sys", "media", "signaling"];

/// What each layer may import besides itself.
fn allowed(unit: &str, target: &str) -> bool {
    let layer = |u: &str| u.split("::").next().unwrap_or("").to_owned();
    match layer(unit).as_str() {
        "error" => false,
        "types" => ["error", "types"].contains(&layer(target).as_str()),
        "sys" => ["error", "types", "sys"].contains(&layer(target).as_str()),
        // Handles may import sys, types, error, event and each other (loops are caught below).
        _ => true,
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/sys/peer.rs` is `["sys", "peer"]`, `src/media/mod.rs` is
/// `["media"]`, `src/lib.rs` is `[]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("under src/");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The unit a module path belongs to.
fn unit_of(module: &[String]) -> String {
    match module {
        [] => "lib".to_owned(),
        [dir, file, ..] if SPLIT.contains(&dir.as_str()) => format!("{dir}::{file}"),
        [first, ..] => first.clone(),
    }
}

/// The code without comments (line comments, doc comments and block comments).
fn code_of(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(['/', '"']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with("//") {
            rest = rest.find('\n').map_or("", |n| &rest[n..]);
        } else if rest.starts_with("/*") {
            rest = rest.find("*/").map_or("", |n| &rest[n + 2..]);
        } else if rest.starts_with('"') {
            // Skip a string literal, so that text inside one is not read as a path.
            let mut end = 1;
            let bytes = rest.as_bytes();
            while end < bytes.len() && bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            rest = rest.get(end + 1..).unwrap_or("");
        } else {
            out.push('/');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Expands `a::{b, c::{d}}` into `a::b`, `a::c::d`.
fn expand(path: &str, out: &mut Vec<String>) {
    let path = path.trim();
    let Some(open) = path.find('{') else {
        out.push(path.split(" as ").next().unwrap_or(path).trim().to_owned());
        return;
    };
    let prefix = &path[..open];
    let inner = &path[open + 1..path.rfind('}').unwrap_or(path.len())];
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand(&format!("{prefix}{}", &inner[start..i]), out);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !inner[start..].trim().is_empty() {
        expand(&format!("{prefix}{}", &inner[start..]), out);
    }
}

/// Every path the code names from `crate::` or `super::`, resolved to a module path.
fn paths_in(code: &str, module: &[String], is_mod_file: bool) -> Vec<Vec<String>> {
    let mut raw = Vec::new();
    // `use` statements, with their groups expanded.
    for statement in code.split(';') {
        let statement = statement.trim();
        let Some(tree) = statement
            .strip_prefix("pub use ")
            .or_else(|| statement.strip_prefix("pub(crate) use "))
            .or_else(|| statement.strip_prefix("use "))
            .or_else(|| statement.rsplit_once("\nuse ").map(|(_, t)| t))
            .or_else(|| statement.rsplit_once("\npub use ").map(|(_, t)| t))
        else {
            continue;
        };
        if tree.starts_with("crate::") || tree.starts_with("super::") {
            expand(&tree.replace(char::is_whitespace, ""), &mut raw);
        }
    }
    // Paths written inline (`crate::sys::peer::create_offer(..)`).
    for prefix in ["crate::", "super::"] {
        for (i, _) in code.match_indices(prefix) {
            let before = code[..i].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':' || c == '$') {
                continue;
            }
            let path: String = code[i..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            raw.push(path.trim_end_matches(':').to_owned());
        }
    }
    raw.into_iter()
        .filter_map(|path| {
            let mut parts = path.split("::").map(str::to_owned);
            let mut resolved: Vec<String> = match parts.next()?.as_str() {
                "crate" => Vec::new(),
                "super" => {
                    // `super` of a mod.rs file is its parent; of any other file, its directory.
                    let mut base = module.to_vec();
                    base.pop();
                    if is_mod_file {
                        base.pop();
                    }
                    base
                }
                _ => return None,
            };
            let mut parts: Vec<String> = parts.collect();
            while parts.first().is_some_and(|p| p == "super") {
                parts.remove(0);
                resolved.pop();
            }
            resolved.extend(parts);
            Some(resolved)
        })
        .collect()
}

#[test]
fn imports_only_go_down_and_never_loop() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(&src, f)).collect();
    let is_module = |path: &[String]| (1..=path.len()).any(|n| modules.contains(&path[..n]));

    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for file in &files {
        if file.ends_with("macros.rs") {
            continue; // `$crate::` paths, resolved where the macro is used.
        }
        let module = module_of(&src, file);
        let unit = unit_of(&module);
        let text = fs::read_to_string(file).expect("readable");
        // Native unit tests may use anything.
        let text = text.split("#[cfg(test)]").next().unwrap_or("");
        let is_mod_file = file.ends_with("mod.rs");
        for path in paths_in(&code_of(text), &module, is_mod_file) {
            let shown = format!(
                "{}: crate::{}",
                file.strip_prefix(&src).unwrap_or(file).display(),
                path.join("::")
            );
            if path.is_empty() {
                continue;
            }
            if !is_module(&path[..1]) {
                problems.push(format!(
                    "{shown} goes through the crate root: name the defining module"
                ));
                continue;
            }
            // The longest prefix that is a module names the target unit.
            let target_module = (1..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| modules.contains(p))
                .unwrap_or_default();
            let target = unit_of(&target_module);
            if target == unit || target == "lib" {
                continue;
            }
            if !allowed(&unit, &target) {
                problems.push(format!("{shown}: {unit} may not import {target}"));
            }
            edges.entry(unit.clone()).or_default().insert(target);
        }
    }

    // A loop: a path from a unit back to itself.
    for start in edges.keys() {
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((unit, trail)) = stack.pop() {
            for next in edges.get(&unit).into_iter().flatten() {
                if next == start {
                    problems.push(format!("import loop: {} -> {start}", trail.join(" -> ")));
                } else if seen.insert(next.clone()) {
                    let mut longer = trail.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "the layering is broken:\n{}",
        problems.join("\n")
    );
}
