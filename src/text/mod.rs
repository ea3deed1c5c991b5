//! Small text helpers for messages and output, shared by every layer (pure:
//! no terminal, no I/O): plurals, and [`escape`], the one way strings from
//! data are made safe to print.

pub mod escape;

/// A count with its noun: `1 file`, `0 files`, `2 approvals`. Every noun
/// the tool counts takes a plain `s` in the plural.
pub fn plural(n: impl std::fmt::Display, noun: &str) -> String {
    let n = n.to_string();
    if n == "1" {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The short form of a hash: its first 10 characters, made safe (a damaged
/// record's "hash" may be any string; this never slices inside a character).
pub fn short_hash(hex: &str) -> String {
    let cut = hex.char_indices().nth(10).map_or(hex, |(i, _)| &hex[..i]);
    escape::text(cut).into_owned()
}

/// Make user text safe for one line of output or a commit subject:
/// control characters become spaces, and long text is cut with an ellipsis.
pub fn sanitize_line(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    for (n, c) in text.chars().enumerate() {
        if n >= max_chars {
            out.push('…');
            break;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_everything_else_plural() {
        assert_eq!(plural(1_u64, "file"), "1 file");
        assert_eq!(plural(0_usize, "file"), "0 files");
        assert_eq!(plural(2_i32, "approval"), "2 approvals");
        assert_eq!(plural(11_u64, "upgrade"), "11 upgrades");
    }
}
