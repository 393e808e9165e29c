//! Security rules: `.read` and `.write` in Firebase's rules language, enough of it for
//! signaling: `true`/`false`, `auth` (and `auth.uid`, `auth.token...`), `now`, `$wildcard`
//! variables, `data`/`newData`/`root` with `child()`, `parent()`, `val()`, `exists()`,
//! `hasChild()`, `hasChildren()`, `isString()`/`isNumber()`/`isBoolean()`, string methods
//! `contains()`/`beginsWith()`/`endsWith()`/`length`, `== === != !== < <= > >= + - ! && ||`.
//!
//! Grants cascade: a `.read` or `.write` that is true at a location grants everything below it.
//! `.validate` rules must hold at the written location and every location below it that the
//! new data fills (they do not cascade, and a deletion needs none). `.indexOn` names the children
//! that queries may order by (outside emulator mode, ordering by another child is refused, as on
//! Firebase; every query is evaluated without an index here anyway).
//!
//! This file holds the rules tree and how reads and writes walk it; the expression language is
//! parsed in `parse` and evaluated in `eval`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{path, tree};

/// Rules that allow everything: the emulator's default.
pub(crate) const OPEN: &str =
    "{\n  \"rules\": {\n    \".read\": true,\n    \".write\": true\n  }\n}\n";

/// Largest rules text accepted, in bytes (Firebase's limit is 256 KiB too).
pub(crate) const MAX_RULES_BYTES: usize = 256 * 1024;

/// Deepest nesting of one rule expression (parentheses, operators, calls), so that parsing
/// and evaluating it cannot exhaust the stack.
pub(crate) const MAX_EXPR_DEPTH: usize = 64;

/// Most tokens in one rule expression.
pub(crate) const MAX_EXPR_TOKENS: usize = 4096;

/// A parsed rules file, with its text as given.
#[derive(Debug, Clone)]
pub(crate) struct Rules {
    text: String,
    root: Node,
}

#[derive(Debug, Clone, Default)]
struct Node {
    read: Option<Expr>,
    write: Option<Expr>,
    validate: Option<Expr>,
    children: BTreeMap<String, Node>,
    wildcard: Option<(String, Box<Node>)>,
    /// `.indexOn`: the children (paths such as `a/b`) queries may order by here.
    index_on: Vec<String>,
}

impl Rules {
    /// Parses `{"rules": {...}}`, allowing `//` and `/* */` comments as Firebase does.
    pub(crate) fn parse(text: &str) -> Result<Rules, String> {
        if text.len() > MAX_RULES_BYTES {
            return Err(format!(
                "rules are larger than the limit of {MAX_RULES_BYTES} bytes"
            ));
        }
        let json: Value = serde_json::from_str(&strip_comments(text))
            .map_err(|err| format!("rules are not valid JSON: {err}"))?;
        let rules = json
            .get("rules")
            .ok_or("rules must be an object with a \"rules\" key")?;
        Ok(Rules {
            text: text.to_owned(),
            root: Node::parse(rules, "/")?,
        })
    }

    /// The rules text as it was given.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Whether the root grants everything, so checks can be skipped.
    pub(crate) fn is_open(&self) -> bool {
        let granted = |e: &Option<Expr>| matches!(e, Some(Expr::Lit(Value::Bool(true))));
        granted(&self.root.read) && granted(&self.root.write) && !self.root.has_validate()
    }

    /// Whether an `.indexOn` at `at` names `child` (a `/`-separated path), so that queries
    /// may order by it.
    pub(crate) fn is_indexed(&self, at: &[String], child: &[String]) -> bool {
        let mut node = &self.root;
        let mut vars = Vec::new();
        for key in at {
            match node.child(key, &mut vars) {
                Some(next) => node = next,
                None => return false,
            }
        }
        let wanted = child.join("/");
        node.index_on
            .iter()
            .any(|index| index.trim_matches('/') == wanted)
    }

    /// Whether `auth` may read at `at` in the tree `root`.
    pub(crate) fn can_read(&self, at: &[String], auth: &Value, root: &Value, now: u64) -> bool {
        let mut ctx = Ctx::new(auth, now, root, root);
        matches!(
            self.descend(at, &mut ctx, |node| &node.read),
            Descent::Granted
        )
    }

    /// Whether `auth` may change the tree from `old` to `new` by a write at `at`: a `.write`
    /// at or above `at` grants it, or else grants below must cover every changed child.
    pub(crate) fn can_write(
        &self,
        at: &[String],
        auth: &Value,
        old: &Value,
        new: &Value,
        now: u64,
    ) -> bool {
        let mut ctx = Ctx::new(auth, now, old, new);
        match self.descend(at, &mut ctx, |node| &node.write) {
            Descent::Granted => true,
            Descent::Denied => false,
            Descent::Reached(node) => {
                ctx.here = at.to_vec();
                covers_changes(node, &mut ctx)
            }
        }
    }

    /// Walks the rules from the root down to `at`; rules cascade, so the first `rule` that
    /// grants on the way grants everything below it.
    fn descend<'a>(
        &'a self,
        at: &[String],
        ctx: &mut Ctx<'_>,
        rule: fn(&Node) -> &Option<Expr>,
    ) -> Descent<'a> {
        let mut node = &self.root;
        for depth in 0..=at.len() {
            ctx.here = at.get(..depth).unwrap_or_default().to_vec();
            if ctx.grants(rule(node)) {
                return Descent::Granted;
            }
            let Some(key) = at.get(depth) else { break };
            match node.child(key, &mut ctx.vars) {
                Some(next) => node = next,
                None => return Descent::Denied,
            }
        }
        Descent::Reached(node)
    }
}

/// Where [`Rules::descend`] ended.
enum Descent<'a> {
    /// A rule on the way granted.
    Granted,
    /// The rules have nothing at some key on the way, so nothing below can grant.
    Denied,
    /// No rule on the way granted; this is the rules' node at the location.
    Reached(&'a Node),
}

impl Rules {
    /// Whether the new tree passes every `.validate` rule at `at` and below it.
    pub(crate) fn validates(
        &self,
        at: &[String],
        auth: &Value,
        old: &Value,
        new: &Value,
        now: u64,
    ) -> bool {
        let mut ctx = Ctx::new(auth, now, old, new);
        let mut node = &self.root;
        for key in at {
            match node.child(key, &mut ctx.vars) {
                Some(next) => node = next,
                None => return true,
            }
        }
        ctx.here = at.to_vec();
        validates_below(node, &mut ctx)
    }
}

fn validates_below(node: &Node, ctx: &mut Ctx) -> bool {
    let here = ctx.here.clone();
    let Some(value) = tree::get(ctx.new, &here) else {
        return true;
    };
    if node.validate.is_some() && !ctx.grants(&node.validate) {
        return false;
    }
    let keys: Vec<String> = value
        .as_object()
        .map(|map| map.keys().cloned().collect())
        .unwrap_or_default();
    keys.into_iter().all(|key| {
        let saved_vars = ctx.vars.len();
        let valid = match node.child(&key, &mut ctx.vars) {
            None => true,
            Some(child) => {
                ctx.here = here.iter().cloned().chain([key]).collect();
                validates_below(child, ctx)
            }
        };
        ctx.vars.truncate(saved_vars);
        ctx.here = here.clone();
        valid
    })
}

/// Every child that differs between the old and new tree at `ctx.here` is granted below.
fn covers_changes(node: &Node, ctx: &mut Ctx) -> bool {
    let here = ctx.here.clone();
    let (old, new) = (tree::get(ctx.old, &here), tree::get(ctx.new, &here));
    let keys: std::collections::BTreeSet<&String> = [old, new]
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|map| map.keys())
        .collect();
    let changed: Vec<String> = keys
        .into_iter()
        .filter(|k| old.and_then(|o| o.get(k.as_str())) != new.and_then(|n| n.get(k.as_str())))
        .cloned()
        .collect();
    // A change to this location itself (a leaf), with no grant here, is denied.
    if changed.is_empty() {
        return false;
    }
    changed.into_iter().all(|key| {
        let saved_vars = ctx.vars.len();
        let allowed = match node.child(&key, &mut ctx.vars) {
            None => false,
            Some(child) => {
                ctx.here = here.iter().cloned().chain([key.clone()]).collect();
                ctx.grants(&child.write) || covers_changes(child, ctx)
            }
        };
        ctx.vars.truncate(saved_vars);
        ctx.here = here.clone();
        allowed
    })
}

impl Node {
    fn parse(json: &Value, at: &str) -> Result<Node, String> {
        let Value::Object(map) = json else {
            return Err(format!("rules at {at} must be an object"));
        };
        let mut node = Node::default();
        for (key, value) in map {
            let here = format!("{}/{key}", at.trim_end_matches('/'));
            match key.as_str() {
                ".read" => node.read = Some(Expr::from_rule(value, &here)?),
                ".write" => node.write = Some(Expr::from_rule(value, &here)?),
                ".validate" => node.validate = Some(Expr::from_rule(value, &here)?),
                ".indexOn" => {
                    node.index_on = match value {
                        Value::String(child) => vec![child.clone()],
                        Value::Array(children) => children
                            .iter()
                            .map(|c| c.as_str().map(str::to_owned))
                            .collect::<Option<_>>()
                            .ok_or_else(|| format!("{here} must be a string or strings"))?,
                        _ => return Err(format!("{here} must be a string or strings")),
                    }
                }
                _ if key.starts_with('.') => {}
                _ if key.starts_with('$') => {
                    if node.wildcard.is_some() {
                        return Err(format!("rules at {at} have two $ wildcards"));
                    }
                    node.wildcard = Some((key.clone(), Box::new(Node::parse(value, &here)?)));
                }
                _ => {
                    path::check_key(key).map_err(|_| format!("invalid key in rules: {here}"))?;
                    node.children
                        .insert(key.clone(), Node::parse(value, &here)?);
                }
            }
        }
        Ok(node)
    }

    fn has_validate(&self) -> bool {
        self.validate.is_some()
            || self.children.values().any(Node::has_validate)
            || self
                .wildcard
                .as_ref()
                .is_some_and(|(_, node)| node.has_validate())
    }

    /// The rules for child `key`: an exact name wins over a `$wildcard`, which binds the key.
    fn child(&self, key: &str, vars: &mut Vec<(String, String)>) -> Option<&Node> {
        if let Some(node) = self.children.get(key) {
            return Some(node);
        }
        let (name, node) = self.wildcard.as_ref()?;
        vars.push((name.clone(), key.to_owned()));
        Some(node)
    }
}

/// Removes `//` and `/* */` comments outside strings.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                out.extend(chars.next());
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    out
}

mod eval;
mod parse;

use eval::Ctx;
use parse::Expr;

#[cfg(test)]
mod tests {
    use super::parse::parse_expr;
    use super::*;
    use serde_json::json;

    fn p(text: &str) -> Vec<String> {
        path::parse(text).unwrap()
    }

    const SIGNALING: &str = r#"{
      // Comments are allowed, as in Firebase's rules files.
      "rules": {
        "rooms": {
          "$room": {
            ".read": "auth != null",
            ".write": "auth != null && (!data.exists() || data.child('owner').val() === auth.uid)"
          }
        },
        "users": {
          "$uid": { /* only the user */ ".write": "$uid === auth.uid", ".read": true }
        },
        "clock": { ".write": "newData.val() <= now", ".read": "auth.uid == 'admin'" },
        "msgs": {
          ".write": true,
          "$id": {
            ".validate": "newData.hasChildren(['text'])",
            "text": { ".validate": "newData.isString() && newData.val().length < 5" },
            "$other": { ".validate": false }
          }
        }
      }
    }"#;

    #[test]
    fn parses_rules_with_comments() {
        let rules = Rules::parse(SIGNALING).unwrap();
        assert!(!rules.is_open());
        assert!(Rules::parse(OPEN).unwrap().is_open());
        let validating = r#"{"rules": {".read": true, ".write": true, "a": {".validate": false}}}"#;
        assert!(!Rules::parse(validating).unwrap().is_open());
        assert_eq!(rules.text(), SIGNALING);
        assert!(Rules::parse("{}").is_err());
        assert!(Rules::parse(r#"{"rules": {".read": "auth ==="}}"#).is_err());
        assert!(Rules::parse(r#"{"rules": {".read": "bogus"}}"#).is_err());
        assert!(Rules::parse(r#"{"rules": {"$a": {}, "$b": {}}}"#).is_err());
        assert!(Rules::parse(r#"{"rules": {".read": 1}}"#).is_err());
    }

    #[test]
    fn reads_cascade_from_parents_only() {
        let rules = Rules::parse(SIGNALING).unwrap();
        let alice = json!({"uid": "alice"});
        let root = json!(null);
        assert!(rules.can_read(&p("rooms/r1/offer"), &alice, &root, 0));
        assert!(!rules.can_read(&p("rooms/r1"), &Value::Null, &root, 0));
        assert!(!rules.can_read(&p("rooms"), &alice, &root, 0));
        assert!(rules.can_read(&p("users/bob/name"), &Value::Null, &root, 0));
        // `auth.uid` with no auth is an error, which denies.
        assert!(!rules.can_read(&p("clock"), &Value::Null, &root, 0));
        assert!(rules.can_read(&p("clock"), &json!({"uid": "admin"}), &root, 0));
    }

    #[test]
    fn writes_use_wildcards_data_and_new_data() {
        let rules = Rules::parse(SIGNALING).unwrap();
        let alice = json!({"uid": "alice"});
        let empty = Value::Null;
        let mine = json!({"users": {"alice": {"name": "A"}}});
        assert!(rules.can_write(&p("users/alice/name"), &alice, &empty, &mine, 0));
        let theirs = json!({"users": {"bob": {"name": "A"}}});
        assert!(!rules.can_write(&p("users/bob/name"), &alice, &empty, &theirs, 0));
        // A write above the granted level is allowed when every changed child is granted.
        assert!(rules.can_write(&p("users"), &alice, &empty, &mine, 0));
        let both = json!({"users": {"alice": 1, "bob": 2}});
        assert!(!rules.can_write(&p("users"), &alice, &empty, &both, 0));
        let owned = json!({"rooms": {"r": {"owner": "bob"}}});
        let changed = json!({"rooms": {"r": {"owner": "bob", "x": 1}}});
        assert!(!rules.can_write(&p("rooms/r/x"), &alice, &owned, &changed, 0));
        assert!(rules.can_write(&p("rooms/r/x"), &json!({"uid": "bob"}), &owned, &changed, 0));
        assert!(rules.can_write(&p("clock"), &alice, &empty, &json!({"clock": 5}), 10));
        assert!(!rules.can_write(&p("clock"), &alice, &empty, &json!({"clock": 50}), 10));
        assert!(!rules.can_write(&p("other"), &alice, &empty, &json!({"other": 1}), 0));
    }

    #[test]
    fn validate_rules_check_new_data_below_the_write() {
        let rules = Rules::parse(SIGNALING).unwrap();
        let check =
            |at: &str, new: Value| rules.validates(&p(at), &Value::Null, &Value::Null, &new, 0);
        assert!(check("msgs/m1", json!({"msgs": {"m1": {"text": "hi"}}})));
        assert!(!check(
            "msgs/m1",
            json!({"msgs": {"m1": {"text": "too long"}}})
        ));
        assert!(!check(
            "msgs/m1",
            json!({"msgs": {"m1": {"text": "hi", "x": 1}}})
        ));
        assert!(!check("msgs/m1", json!({"msgs": {"m1": {"other": "hi"}}})));
        assert!(!check("msgs", json!({"msgs": {"m1": {"text": 1}}})));
        // Deleting needs no validation; locations without rules pass.
        assert!(check("msgs/m1", Value::Null));
        assert!(check("rooms/r/x", json!({"rooms": {"r": {"x": 1}}})));
    }

    #[test]
    fn expressions() {
        let ctx_auth = json!({"uid": "u", "token": {"email": "a@b.c"}});
        let root = json!({"a": {"b": "xyz", "n": 3}});
        let ctx = Ctx::new(&ctx_auth, 100, &root, &root);
        let eval = |text: &str| {
            ctx.eval(&parse_expr(text).unwrap())
                .map(|v| ctx.json(v))
                .ok()
        };
        assert_eq!(eval("auth.token.email.endsWith('@b.c')"), Some(json!(true)));
        assert_eq!(
            eval("root.child('a/b').val().length === 3"),
            Some(json!(true))
        );
        assert_eq!(
            eval("root.child('a').hasChildren(['b', 'n'])"),
            Some(json!(true))
        );
        assert_eq!(
            eval("root.child('a/n').val() + 1 > 3 && !false"),
            Some(json!(true))
        );
        assert_eq!(eval("now - 50 == 50"), Some(json!(true)));
        assert_eq!(eval("'a' + \"b\" == 'ab'"), Some(json!(true)));
        assert_eq!(
            eval("root.child('a/b').parent().hasChild('n')"),
            Some(json!(true))
        );
        assert_eq!(eval("auth.uid < 1"), None);
        assert_eq!(
            strip_comments("{\"a//b\": 1} // x\n/* y */"),
            "{\"a//b\": 1} \n "
        );
    }
}
