//! The one way strings from data reach a terminal. Records, events, file
//! names and everything fetched from a remote may hold control characters; a
//! newline would split a line a script reads, an ESC would drive the terminal.
//!
//! - [`path`] quotes a file name as git does by default (`core.quotePath`):
//!   names with a control byte, `"`, `\` or a non-ASCII byte are printed in
//!   double quotes with C escapes (`"a\nb"`, `"\033[31m"`, `"caf\303\251"`).
//! - [`text`] and [`text_max`] make a one-line field (a description, an
//!   identity, a reason, a key name) safe: whitespace controls become spaces,
//!   other control characters become visible (`^[`, `^?`, `<U+009B>`).
//! - [`terminal`] is the last guard every line written by `ui::Ui` passes:
//!   only `\n`, `\t` and, when colours are on, well-formed SGR colour
//!   sequences (`ESC [ digits m`) survive; anything else is made visible.
//! - [`json`] escapes the characters `serde_json` leaves raw (DEL, C1 controls,
//!   bidirectional overrides) as `\uXXXX`, which is lossless.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Bidirectional formatting characters (the "Trojan Source" set): they reorder
/// what a terminal shows without being control characters.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A character that must not reach a terminal as is.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi(c)
}

/// False only when `s` has no [`is_unsafe`] character, judged from its
/// bytes (fast, for megabytes of JSON): every unsafe character's UTF-8 form
/// holds a byte below 0x20, 0x7F, or a lead byte 0xC2 (C1 controls), 0xD8
/// (U+061C) or 0xE2 (the other bidirectional characters). True means "look
/// closer", not "unsafe".
fn may_be_unsafe(s: &str) -> bool {
    s.bytes()
        .any(|b| b < 0x20 || matches!(b, 0x7f | 0xc2 | 0xd8 | 0xe2))
}

/// The visible form of an unsafe character: caret notation for C0 and DEL
/// (as `less` and `cat -v` show them), `<U+XXXX>` for the rest.
fn visible(out: &mut String, c: char) {
    match c {
        '\0'..='\u{1f}' => {
            out.push('^');
            out.push(char::from(c as u8 + 0x40));
        }
        '\u{7f}' => out.push_str("^?"),
        _ => {
            let _ = write!(out, "<U+{:04X}>", c as u32);
        }
    }
}

/// True if git's default quoting (`core.quotePath = true`) quotes this byte.
fn git_must_quote(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\' || b >= 0x7f
}

/// Quote a path the way git prints it with its defaults (`quote_c_style` with
/// `core.quotePath`): unchanged when it needs nothing, else in double quotes
/// with `\a \b \t \n \v \f \r \" \\` and three-digit octal for every other
/// control or non-ASCII byte.
pub fn path(p: &str) -> Cow<'_, str> {
    path_bytes(p.as_bytes())
}

/// [`path`] for raw bytes (a file name need not be UTF-8).
pub fn path_bytes(p: &[u8]) -> Cow<'_, str> {
    if !p.iter().copied().any(git_must_quote) {
        // Every byte is printable ASCII here: borrowed, never lossy.
        return String::from_utf8_lossy(p);
    }
    let mut out = String::with_capacity(p.len() + 8);
    out.push('"');
    quote_into(&mut out, p);
    out.push('"');
    Cow::Owned(out)
}

fn quote_into(out: &mut String, p: &[u8]) {
    for &b in p {
        match b {
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b if git_must_quote(b) => {
                let _ = write!(out, "\\{b:03o}");
            }
            b => out.push(char::from(b)),
        }
    }
}

/// `prefix` and `p` quoted together, as git writes `"a/x\ny"` in diff headers.
pub fn prefixed_path(prefix: &str, p: &[u8]) -> String {
    let mut whole = Vec::with_capacity(prefix.len() + p.len());
    whole.extend_from_slice(prefix.as_bytes());
    whole.extend_from_slice(p);
    path_bytes(&whole).into_owned()
}

/// A one-line field made safe: tab, newline, carriage return, vertical tab
/// and form feed become spaces; other control and bidirectional characters
/// become visible (`^[`, `^?`, `<U+202E>`).
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_text_char(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_text_char(out: &mut String, c: char) {
    match c {
        '\t' | '\n' | '\r' | '\u{0b}' | '\u{0c}' => out.push(' '),
        c if is_unsafe(c) => visible(out, c),
        c => out.push(c),
    }
}

/// [`text`], cut to at most `max_chars` characters of the original (then `…`).
pub fn text_max(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max_chars.saturating_mul(4)));
    for (n, c) in s.chars().enumerate() {
        if n >= max_chars {
            out.push('…');
            break;
        }
        push_text_char(&mut out, c);
    }
    out
}

/// The length of a well-formed SGR sequence (`ESC [ [0-9;]* m`) at the start of `s`.
fn sgr_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("\x1b[")?;
    let params = rest
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (rest.as_bytes().get(params) == Some(&b'm')).then_some(2 + params + 1)
}

/// The last guard before a terminal: keeps `\n` and `\t`, keeps well-formed
/// SGR colour sequences when `keep_sgr`, and makes every other control or
/// bidirectional character visible.
pub fn terminal(s: &str, keep_sgr: bool) -> Cow<'_, str> {
    let needs = |c: char| is_unsafe(c) && c != '\n' && c != '\t';
    if !may_be_unsafe(s) || !s.chars().any(needs) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        if c == '\x1b' && keep_sgr {
            if let Some(n) = sgr_len(&s[i..]) {
                out.push_str(&s[i..i + n]);
                i += n;
                continue;
            }
        }
        if needs(c) {
            visible(&mut out, c);
        } else {
            out.push(c);
        }
        i += c.len_utf8();
    }
    Cow::Owned(out)
}

/// JSON text with DEL, C1 controls and bidirectional characters written as
/// `\uXXXX` escapes. These can only occur inside JSON strings (JSON's own
/// syntax is ASCII), so the result decodes to exactly the same values.
pub fn json(s: &str) -> Cow<'_, str> {
    if !may_be_unsafe(s) || !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) && !matches!(c, '\n' | '\t' | '\r') {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// True when `s` has no control character but `\n` and `\t`, and no bidirectional one.
pub fn is_clean(s: &str) -> bool {
    !s.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_filter_sees_every_unsafe_character() {
        for c in (0..=0x10ffff)
            .filter_map(char::from_u32)
            .filter(|c| is_unsafe(*c))
        {
            assert!(may_be_unsafe(&c.to_string()), "U+{:04X}", c as u32);
        }
        assert!(!may_be_unsafe("{\"a\": \"caf\u{e9} \u{4e2d}\"}"));
    }

    #[test]
    fn paths_are_quoted_as_git_quotes_them() {
        assert_eq!(path("src/main.rs"), "src/main.rs");
        assert_eq!(path("with space"), "with space");
        assert_eq!(path("a\nb"), "\"a\\nb\"");
        assert_eq!(path("\x1b[31mred"), "\"\\033[31mred\"");
        assert_eq!(path("tab\there"), "\"tab\\there\"");
        assert_eq!(path("q\"b\\s"), "\"q\\\"b\\\\s\"");
        assert_eq!(path("café"), "\"caf\\303\\251\"");
        assert_eq!(path("del\x7f"), "\"del\\177\"");
        assert_eq!(path("\x07\x08\x0b\x0c\r\x01"), "\"\\a\\b\\v\\f\\r\\001\"");
        assert_eq!(prefixed_path("a/", b"x\ny"), "\"a/x\\ny\"");
        assert_eq!(prefixed_path("b/", b"plain"), "b/plain");
        assert_eq!(path_bytes(b"\xff"), "\"\\377\"");
    }

    #[test]
    fn text_replaces_controls_visibly() {
        assert_eq!(text("plain"), "plain");
        assert_eq!(text("a\nb\tc\rd"), "a b c d");
        assert_eq!(text("\x1b[31mred\x1b]0;title\x07"), "^[[31mred^[]0;title^G");
        assert_eq!(text("x\u{7f}\u{9b}\u{202e}"), "x^?<U+009B><U+202E>");
        assert_eq!(text_max("abcdef", 3), "abc…");
        assert_eq!(text_max("\x1b\x1b", 5), "^[^[");
        assert!(is_clean(&text("\x00\x1f\u{85}\u{2066}")));
    }

    #[test]
    fn the_terminal_guard_keeps_only_colours() {
        let painted = "\x1b[1;31mred\x1b[0m\tand\n";
        assert_eq!(terminal(painted, true), painted);
        assert_eq!(terminal(painted, false), "^[[1;31mred^[[0m\tand\n");
        assert_eq!(
            terminal("\x1b]0;title\x07\x1b[2J\r", true),
            "^[]0;title^G^[[2J^M"
        );
        assert_eq!(terminal("\x1b", true), "^[");
        for s in ["\x1b[31m", "\u{9b}31m", "a\u{202e}b", "\x1b[5;"] {
            assert!(is_clean(&terminal(s, false)), "{s:?}");
        }
    }

    #[test]
    fn json_escapes_are_lossless() {
        let value = serde_json::json!({ "k\u{7f}": "a\u{9b}b\u{202e}\x1b\n" });
        let text = serde_json::to_string(&value).unwrap();
        let safe = json(&text);
        assert!(is_clean(&safe), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }
}
