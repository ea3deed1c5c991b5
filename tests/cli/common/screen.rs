//! What a terminal shows after some output: enough of a VT100 to replay
//! what dialoguer and indicatif write (cursor up/down/column, erase line and
//! below, colours ignored), so tests can compare the final screen as a person
//! sees it rather than the byte stream that drew it.

/// The final screen for `output`, trailing blanks trimmed.
pub fn render(output: &str) -> String {
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = output.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                row += 1;
                col = 0;
            }
            '\x08' => col = col.saturating_sub(1),
            '\x1b' => {
                if chars.peek() != Some(&'[') {
                    chars.next();
                    continue;
                }
                chars.next();
                let mut params = String::new();
                let mut command = ' ';
                for p in chars.by_ref() {
                    if p.is_ascii_alphabetic() || p == '~' {
                        command = p;
                        break;
                    }
                    params.push(p);
                }
                let n = params
                    .trim_start_matches('?')
                    .split(';')
                    .next()
                    .and_then(|s| s.parse::<usize>().ok());
                let line = |lines: &mut Vec<Vec<char>>, row: usize| {
                    while lines.len() <= row {
                        lines.push(Vec::new());
                    }
                };
                line(&mut lines, row);
                match command {
                    'A' => row = row.saturating_sub(n.unwrap_or(1)),
                    'B' => row += n.unwrap_or(1),
                    'C' => col += n.unwrap_or(1),
                    'D' => col = col.saturating_sub(n.unwrap_or(1)),
                    'G' => col = n.unwrap_or(1).saturating_sub(1),
                    'K' => match n.unwrap_or(0) {
                        0 => lines[row].truncate(col),
                        1 => lines[row].iter_mut().take(col + 1).for_each(|c| *c = ' '),
                        _ => lines[row].clear(),
                    },
                    'J' if n.unwrap_or(0) == 0 => {
                        lines[row].truncate(col);
                        lines.truncate(row + 1);
                    }
                    _ => {} // colours, cursor visibility, ...
                }
            }
            c if c.is_control() => {}
            c => {
                while lines.len() <= row {
                    lines.push(Vec::new());
                }
                let l = &mut lines[row];
                while l.len() < col {
                    l.push(' ');
                }
                if col < l.len() {
                    l[col] = c;
                } else {
                    l.push(c);
                }
                col += 1;
            }
        }
    }
    let text: Vec<String> = lines
        .iter()
        .map(|l| l.iter().collect::<String>().trim_end().to_string())
        .collect();
    text.join("\n").trim_matches('\n').to_string()
}

#[test]
fn redraws_leave_the_last_frame() {
    let out = "a\r\n> one\r\n  two\r\n\x1b[2A\x1b[2K\x1b[1B\x1b[2K\x1b[1A  one\r\n> two\r\n";
    assert_eq!(render(out), "a\n  one\n> two");
    assert_eq!(render("\x1b[31mred\x1b[0m x\x1b[2D\x1b[K"), "red");
}
