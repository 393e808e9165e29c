//! The rules' expression language: tokenizer and parser, with bounded nesting and length.

use serde_json::Value;

use super::{MAX_EXPR_DEPTH, MAX_EXPR_TOKENS};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Expr {
    Lit(Value),
    List(Vec<Expr>),
    Ident(String),
    Member(Box<Expr>, String),
    Call(Box<Expr>, String, Vec<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
}

impl Expr {
    pub(super) fn from_rule(value: &Value, at: &str) -> Result<Expr, String> {
        match value {
            Value::Bool(b) => Ok(Expr::Lit(Value::Bool(*b))),
            Value::String(text) => parse_expr(text).map_err(|err| {
                // Quote at most the start of a long rule, so an error stays readable.
                let shown: String = text.chars().take(120).collect();
                let more = if shown.len() < text.len() { "..." } else { "" };
                format!("rule at {at}: {err}: {shown}{more}")
            }),
            _ => Err(format!("rule at {at} must be a boolean or a string")),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(f64),
    Str(String),
    Op(&'static str),
}

const OPS: [&str; 19] = [
    "===", "!==", "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-", "(", ")", ".", ",",
    "[", "]",
];

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    // Splits `rest` after `n` bytes; `n` always falls on a character boundary here, and a
    // bad one would end tokenizing rather than panic.
    fn split(rest: &str, n: usize) -> (&str, &str) {
        (
            rest.get(..n).unwrap_or(rest),
            rest.get(n..).unwrap_or_default(),
        )
    }
    let mut toks = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = split(rest, c.len_utf8()).1;
        } else if c.is_ascii_alphabetic() || c == '_' || c == '$' {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                .unwrap_or(rest.len());
            let (word, after) = split(rest, end);
            toks.push(Tok::Ident(word.to_owned()));
            rest = after;
        } else if c.is_ascii_digit() {
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let (number, after) = split(rest, end);
            toks.push(Tok::Num(number.parse().map_err(|_| "bad number")?));
            rest = after;
        } else if c == '\'' || c == '"' {
            let mut value = String::new();
            let mut chars = rest.char_indices().skip(1);
            let mut end = None;
            while let Some((i, ch)) = chars.next() {
                match ch {
                    '\\' => value.extend(chars.next().map(|(_, escaped)| escaped)),
                    _ if ch == c => {
                        end = Some(i + 1);
                        break;
                    }
                    _ => value.push(ch),
                }
            }
            let end = end.ok_or("unterminated string")?;
            toks.push(Tok::Str(value));
            rest = split(rest, end).1;
        } else {
            let op = OPS
                .iter()
                .find(|op| rest.starts_with(**op))
                .ok_or_else(|| format!("unexpected character {c:?}"))?;
            toks.push(Tok::Op(op));
            rest = split(rest, op.len()).1;
        }
    }
    Ok(toks)
}

pub(super) fn parse_expr(text: &str) -> Result<Expr, String> {
    let toks = tokenize(text)?;
    if toks.len() > MAX_EXPR_TOKENS {
        return Err(format!("expression has more than {MAX_EXPR_TOKENS} tokens"));
    }
    let mut parser = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let expr = parser.binary(0)?;
    if parser.pos != parser.toks.len() {
        return Err("unexpected text after the expression".into());
    }
    Ok(expr)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    /// Nesting of the expression being built; every node made while it is `d` is at most
    /// about `d` deep, so evaluation recursion is bounded too.
    depth: usize,
}

/// Binary operators by precedence level, loosest first.
const LEVELS: [&[&str]; 5] = [
    &["||"],
    &["&&"],
    &["==", "===", "!=", "!=="],
    &["<", "<=", ">", ">="],
    &["+", "-"],
];

impl Parser {
    fn peek_op(&self) -> Option<&'static str> {
        match self.toks.get(self.pos) {
            Some(Tok::Op(op)) => Some(op),
            _ => None,
        }
    }

    fn expect(&mut self, op: &str) -> Result<(), String> {
        if self.peek_op() == Some(op) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected {op}"))
        }
    }

    /// One level deeper; refused past [`MAX_EXPR_DEPTH`].
    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            return Err(format!(
                "expression nested more than {MAX_EXPR_DEPTH} levels deep"
            ));
        }
        Ok(())
    }

    /// Parses what `parse` parses one level deeper.
    fn nested<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Result<T, String>,
    ) -> Result<T, String> {
        self.enter()?;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn binary(&mut self, level: usize) -> Result<Expr, String> {
        let Some(ops) = LEVELS.get(level) else {
            return self.unary();
        };
        let start = self.depth;
        let result = self.binary_chain(level, ops);
        self.depth = start;
        result
    }

    /// `a op b op c ...`: each link nests the tree one level deeper.
    fn binary_chain(&mut self, level: usize, ops: &[&str]) -> Result<Expr, String> {
        let mut left = self.binary(level + 1)?;
        while let Some(op) = self.peek_op().filter(|op| ops.contains(op)) {
            self.pos += 1;
            self.enter()?;
            let right = self.binary(level + 1)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        match self.peek_op() {
            Some("!") => {
                self.pos += 1;
                Ok(Expr::Not(Box::new(self.nested(Self::unary)?)))
            }
            Some("-") => {
                self.pos += 1;
                Ok(Expr::Neg(Box::new(self.nested(Self::unary)?)))
            }
            _ => self.postfix(),
        }
    }

    fn postfix(&mut self) -> Result<Expr, String> {
        let start = self.depth;
        let result = self.postfix_chain();
        self.depth = start;
        result
    }

    fn postfix_chain(&mut self) -> Result<Expr, String> {
        let mut expr = self.primary()?;
        while self.peek_op() == Some(".") {
            self.enter()?;
            self.pos += 1;
            let Some(Tok::Ident(name)) = self.toks.get(self.pos).cloned() else {
                return Err("expected a name after '.'".into());
            };
            self.pos += 1;
            if self.peek_op() == Some("(") {
                self.pos += 1;
                let mut args = Vec::new();
                if self.peek_op() != Some(")") {
                    args.push(self.binary(0)?);
                    while self.peek_op() == Some(",") {
                        self.pos += 1;
                        args.push(self.binary(0)?);
                    }
                }
                self.expect(")")?;
                expr = Expr::Call(Box::new(expr), name, args);
            } else {
                expr = Expr::Member(Box::new(expr), name);
            }
        }
        Ok(expr)
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let tok = self.toks.get(self.pos).cloned().ok_or("unexpected end")?;
        self.pos += 1;
        match tok {
            Tok::Num(n) => Ok(Expr::Lit(
                serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number),
            )),
            Tok::Str(s) => Ok(Expr::Lit(Value::String(s))),
            Tok::Ident(name) => Ok(match name.as_str() {
                "true" => Expr::Lit(Value::Bool(true)),
                "false" => Expr::Lit(Value::Bool(false)),
                "null" => Expr::Lit(Value::Null),
                "auth" | "now" | "data" | "newData" | "root" => Expr::Ident(name),
                _ if name.starts_with('$') => Expr::Ident(name),
                _ => return Err(format!("unknown variable {name}")),
            }),
            Tok::Op("(") => {
                let inner = self.nested(|p| p.binary(0))?;
                self.expect(")")?;
                Ok(inner)
            }
            Tok::Op("[") => {
                self.enter()?;
                let mut items = Vec::new();
                while self.peek_op() != Some("]") {
                    items.push(self.binary(0)?);
                    if self.peek_op() == Some(",") {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                self.expect("]")?;
                self.depth -= 1;
                Ok(Expr::List(items))
            }
            Tok::Op(op) => Err(format!("unexpected {op}")),
        }
    }
}
