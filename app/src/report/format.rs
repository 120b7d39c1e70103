//! The report's light formatting, read from plain text: `**bold**`, `*italic*`, lines starting
//! `- ` as a bulleted list, and `[words](https://…)` links (http, https and mailto only; any
//! other link stays as its words). The page and the DOCX both render from this.

/// A run of text with its style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    Text {
        text: String,
        bold: bool,
        italic: bool,
    },
    Link {
        text: String,
        url: String,
    },
}

/// A paragraph, or one item of a bulleted list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub bullet: bool,
    pub spans: Vec<Span>,
}

/// The lines of `text`; blank lines are dropped.
pub fn parse(text: &str) -> Vec<Line> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let trimmed = line.trim_start();
            let (bullet, rest) = match trimmed
                .strip_prefix("- ")
                .or_else(|| trimmed.strip_prefix("* "))
            {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            Line {
                bullet,
                spans: spans(rest),
            }
        })
        .collect()
}

/// The text without its formatting marks (for search, diffs and the non-attribution check).
pub fn plain(text: &str) -> String {
    parse(text)
        .iter()
        .map(|line| {
            line.spans
                .iter()
                .map(|s| match s {
                    Span::Text { text, .. } | Span::Link { text, .. } => text.as_str(),
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn safe_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:"))
        && !url.chars().any(char::is_whitespace)
}

fn spans(line: &str) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut text = String::new();
    let (mut bold, mut italic) = (false, false);
    let chars: Vec<char> = line.chars().collect();
    let flush = |out: &mut Vec<Span>, text: &mut String, bold: bool, italic: bool| {
        if !text.is_empty() {
            out.push(Span::Text {
                text: std::mem::take(text),
                bold,
                italic,
            });
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '*' && chars.get(i + 1) == Some(&'*') {
            flush(&mut out, &mut text, bold, italic);
            bold = !bold;
            i += 2;
            continue;
        }
        if c == '*' {
            flush(&mut out, &mut text, bold, italic);
            italic = !italic;
            i += 1;
            continue;
        }
        if c == '['
            && let Some(link) = link_at(&chars[i..])
        {
            flush(&mut out, &mut text, bold, italic);
            let (words, url, used) = link;
            if safe_url(&url) {
                out.push(Span::Link { text: words, url });
            } else {
                text.push_str(&words);
            }
            i += used;
            continue;
        }
        text.push(c);
        i += 1;
    }
    flush(&mut out, &mut text, bold, italic);
    out
}

/// `[words](url)` at the start of `chars`: its words, url and length.
fn link_at(chars: &[char]) -> Option<(String, String, usize)> {
    let close = chars.iter().position(|&c| c == ']')?;
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = chars[close + 2..].iter().position(|&c| c == ')')? + close + 2;
    let words: String = chars[1..close].iter().collect();
    let url: String = chars[close + 2..end].iter().collect();
    Some((words, url, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str, bold: bool, italic: bool) -> Span {
        Span::Text {
            text: t.into(),
            bold,
            italic,
        }
    }

    #[test]
    fn bold_italic_links_and_lists() {
        let lines = parse(
            "The **council** is *ambitious*.\n\n- see [the plan](https://example.org/plan)\n- [bad](javascript:alert(1))",
        );
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0].spans,
            [
                text("The ", false, false),
                text("council", true, false),
                text(" is ", false, false),
                text("ambitious", false, true),
                text(".", false, false)
            ]
        );
        assert!(lines[1].bullet);
        assert_eq!(
            lines[1].spans[1],
            Span::Link {
                text: "the plan".into(),
                url: "https://example.org/plan".into()
            }
        );
        assert_eq!(lines[2].spans, [text("bad)", false, false)]);
        assert_eq!(plain("A **b** [c](https://x.org)"), "A b c");
    }
}
