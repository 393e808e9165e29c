//! Evaluating a parsed expression against the old and new trees, `auth` and `now`.

use serde_json::Value;

use super::parse::Expr;
use crate::{path, tree};

/// What an expression evaluates to: a JSON value or a snapshot of the old or new tree.
#[derive(Debug, Clone)]
pub(super) enum Val {
    Json(Value),
    Snap { new: bool, at: Vec<String> },
}

/// A failed evaluation (such as `auth.uid` when signed out) denies, as in Firebase.
pub(super) type Eval = Result<Val, ()>;

pub(super) struct Ctx<'a> {
    pub(super) auth: &'a Value,
    pub(super) now: u64,
    pub(super) old: &'a Value,
    pub(super) new: &'a Value,
    pub(super) here: Vec<String>,
    pub(super) vars: Vec<(String, String)>,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(auth: &'a Value, now: u64, old: &'a Value, new: &'a Value) -> Self {
        Ctx {
            auth,
            now,
            old,
            new,
            here: Vec::new(),
            vars: Vec::new(),
        }
    }

    pub(super) fn grants(&self, rule: &Option<Expr>) -> bool {
        rule.as_ref()
            .is_some_and(|e| matches!(self.eval(e), Ok(Val::Json(Value::Bool(true)))))
    }

    pub(super) fn json(&self, val: Val) -> Value {
        match val {
            Val::Json(v) => v,
            Val::Snap { new, at } => {
                let root = if new { self.new } else { self.old };
                tree::get(root, &at).cloned().unwrap_or(Value::Null)
            }
        }
    }

    fn bool(&self, expr: &Expr) -> Result<bool, ()> {
        match self.eval(expr)? {
            Val::Json(Value::Bool(b)) => Ok(b),
            _ => Err(()),
        }
    }

    pub(super) fn eval(&self, expr: &Expr) -> Eval {
        match expr {
            Expr::Lit(v) => Ok(Val::Json(v.clone())),
            Expr::List(items) => items
                .iter()
                .map(|item| self.eval(item).map(|v| self.json(v)))
                .collect::<Result<Vec<_>, _>>()
                .map(|items| Val::Json(Value::Array(items))),
            Expr::Ident(name) => match name.as_str() {
                "auth" => Ok(Val::Json(self.auth.clone())),
                "now" => Ok(Val::Json(Value::from(self.now))),
                "data" => Ok(Val::Snap {
                    new: false,
                    at: self.here.clone(),
                }),
                "newData" => Ok(Val::Snap {
                    new: true,
                    at: self.here.clone(),
                }),
                "root" => Ok(Val::Snap {
                    new: false,
                    at: Vec::new(),
                }),
                _ => self
                    .vars
                    .iter()
                    .rev()
                    .find(|(var, _)| var == name)
                    .map(|(_, key)| Val::Json(Value::String(key.clone())))
                    .ok_or(()),
            },
            Expr::Member(target, name) => match self.eval(target)? {
                Val::Json(Value::Object(map)) => {
                    Ok(Val::Json(map.get(name).cloned().unwrap_or(Value::Null)))
                }
                Val::Json(Value::String(s)) if name == "length" => {
                    Ok(Val::Json(Value::from(s.chars().count())))
                }
                _ => Err(()),
            },
            Expr::Call(target, name, args) => {
                let target = self.eval(target)?;
                let args = args
                    .iter()
                    .map(|a| self.eval(a).map(|v| self.json(v)))
                    .collect::<Result<Vec<_>, _>>()?;
                self.call(target, name, &args)
            }
            Expr::Not(inner) => Ok(Val::Json(Value::Bool(!self.bool(inner)?))),
            Expr::Neg(inner) => match self.json(self.eval(inner)?) {
                Value::Number(n) => Ok(Val::Json(num(-n.as_f64().ok_or(())?))),
                _ => Err(()),
            },
            Expr::Binary("&&", a, b) => Ok(Val::Json(Value::Bool(self.bool(a)? && self.bool(b)?))),
            Expr::Binary("||", a, b) => Ok(Val::Json(Value::Bool(self.bool(a)? || self.bool(b)?))),
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.json(self.eval(a)?), self.json(self.eval(b)?));
                binary(op, &a, &b).map(Val::Json)
            }
        }
    }

    fn call(&self, target: Val, name: &str, args: &[Value]) -> Eval {
        let arg_str = || args.first().and_then(Value::as_str).ok_or(());
        match target {
            Val::Snap { new, at } => {
                let value = || {
                    let root = if new { self.new } else { self.old };
                    tree::get(root, &at).cloned().unwrap_or(Value::Null)
                };
                let result = match name {
                    "child" => {
                        let mut at = at.clone();
                        at.extend(path::parse(arg_str()?).map_err(|_| ())?);
                        return Ok(Val::Snap { new, at });
                    }
                    "parent" => {
                        let mut at = at.clone();
                        at.pop().ok_or(())?;
                        return Ok(Val::Snap { new, at });
                    }
                    "val" => value(),
                    "exists" => Value::Bool(!value().is_null()),
                    "hasChild" => {
                        let child = path::parse(arg_str()?).map_err(|_| ())?;
                        Value::Bool(tree::get(&value(), &child).is_some())
                    }
                    "hasChildren" => {
                        let value = value();
                        let Some(names) = args.first() else {
                            return Ok(Val::Json(Value::Bool(value.is_object())));
                        };
                        let names = names.as_array().ok_or(())?;
                        Value::Bool(
                            names
                                .iter()
                                .all(|n| n.as_str().is_some_and(|n| value.get(n).is_some())),
                        )
                    }
                    "isString" => Value::Bool(value().is_string()),
                    "isNumber" => Value::Bool(value().is_number()),
                    "isBoolean" => Value::Bool(value().is_boolean()),
                    _ => return Err(()),
                };
                Ok(Val::Json(result))
            }
            Val::Json(Value::String(s)) => {
                let result = match name {
                    "contains" => s.contains(arg_str()?),
                    "beginsWith" => s.starts_with(arg_str()?),
                    "endsWith" => s.ends_with(arg_str()?),
                    _ => return Err(()),
                };
                Ok(Val::Json(Value::Bool(result)))
            }
            Val::Json(_) => Err(()),
        }
    }
}

fn num(n: f64) -> Value {
    serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn binary(op: &str, a: &Value, b: &Value) -> Result<Value, ()> {
    use std::cmp::Ordering;
    let order = || -> Result<Ordering, ()> {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()).ok_or(()),
            (Value::String(x), Value::String(y)) => Ok(x.cmp(y)),
            _ => Err(()),
        }
    };
    Ok(match op {
        "==" | "===" => Value::Bool(equal(a, b)),
        "!=" | "!==" => Value::Bool(!equal(a, b)),
        "<" => Value::Bool(order()? == Ordering::Less),
        "<=" => Value::Bool(order()? != Ordering::Greater),
        ">" => Value::Bool(order()? == Ordering::Greater),
        ">=" => Value::Bool(order()? != Ordering::Less),
        "+" => match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                num(x.as_f64().ok_or(())? + y.as_f64().ok_or(())?)
            }
            (Value::String(x), Value::String(y)) => Value::String(format!("{x}{y}")),
            _ => return Err(()),
        },
        "-" => match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                num(x.as_f64().ok_or(())? - y.as_f64().ok_or(())?)
            }
            _ => return Err(()),
        },
        _ => return Err(()),
    })
}
