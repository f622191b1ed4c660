//! Genre: news, opinion, analysis, interview or other, from what the page shows.
//!
//! Signals, each a fact the text or metadata states, never a guess about tone:
//! - interview: the title names a حوار / مقابلة / لقاء, an interviewer byline (حاوره), or
//!   question/answer lines (س: … ج:);
//! - analysis: the title opens with تحليل / قراءة في, or the URL has /analysis;
//! - opinion: an editorial disclaimer (تنويه …), a بقلم byline, an author signature, an
//!   opinion URL section (/opinion, /views, /columns, /blogs, /مقالات), a رأي/مقال title prefix.
//!   Two signals are needed (a disclaimer or URL counts double), since news reports sometimes
//!   carry a byline too;
//! - other: nothing left in the body;
//! - news otherwise.

use marsad_core::Genre;

/// What the cleaner saw that bears on the genre.
#[derive(Debug, Default, Clone)]
pub struct GenreSignals<'a> {
    pub title_key: Option<&'a str>,
    pub url: Option<&'a str>,
    pub disclaimer: bool,
    /// A byline with بقلم (opinion) rather than كتب/إعداد.
    pub pen_byline: bool,
    pub interviewer_byline: bool,
    pub signature: bool,
    /// Lines that open with س: / ج: / سؤال: / جواب:.
    pub qa_lines: usize,
    pub body_chars: usize,
}

fn url_has(url: &str, parts: &[&str]) -> bool {
    let u = url.to_lowercase();
    parts.iter().any(|p| u.contains(p))
}

pub fn decide(s: &GenreSignals<'_>) -> Genre {
    if s.body_chars == 0 {
        return Genre::Other;
    }
    let title = s.title_key.unwrap_or("");
    let title_words: Vec<&str> = title.split(' ').collect();
    let title_has = |w: &str| title_words.contains(&w);
    if s.interviewer_byline
        || s.qa_lines >= 2
        || title_has("حوار")
        || title_has("مقابله")
        || title.contains("في لقاء مع")
        || title.contains("في حديث خاص")
    {
        return Genre::Interview;
    }
    if title.starts_with("تحليل") || title.starts_with("قراءه في") || s.url.is_some_and(|u| url_has(u, &["/analysis"]))
    {
        return Genre::Analysis;
    }
    let mut opinion = 0;
    if s.disclaimer {
        opinion += 2;
    }
    if s.url.is_some_and(|u| {
        url_has(
            u,
            &["/opinion", "/views", "/columns", "/column/", "/blogs", "/blog/", "/articles-opinion", "/مقالات", "/راي"],
        )
    }) {
        opinion += 2;
    }
    if s.pen_byline {
        opinion += 1;
    }
    if s.signature {
        opinion += 1;
    }
    if title.starts_with("راي ") || title.starts_with("مقال ") {
        opinion += 2;
    }
    if opinion >= 2 { Genre::Opinion } else { Genre::News }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> GenreSignals<'static> {
        GenreSignals { body_chars: 100, ..Default::default() }
    }

    #[test]
    fn decisions() {
        assert_eq!(decide(&base()), Genre::News);
        assert_eq!(decide(&GenreSignals { disclaimer: true, ..base() }), Genre::Opinion);
        assert_eq!(decide(&GenreSignals { pen_byline: true, signature: true, ..base() }), Genre::Opinion);
        assert_eq!(decide(&GenreSignals { pen_byline: true, ..base() }), Genre::News);
        assert_eq!(
            decide(&GenreSignals { url: Some("https://x.example/ar/opinion/2024/1"), ..base() }),
            Genre::Opinion
        );
        assert_eq!(decide(&GenreSignals { qa_lines: 4, ..base() }), Genre::Interview);
        assert_eq!(decide(&GenreSignals { title_key: Some("حوار مع وزير الدفاع"), ..base() }), Genre::Interview);
        assert_eq!(
            decide(&GenreSignals { title_key: Some("تحليل ماذا بعد معركه الباغوز"), ..base() }),
            Genre::Analysis
        );
        assert_eq!(decide(&GenreSignals { body_chars: 0, ..base() }), Genre::Other);
    }
}
