//! The types that flow between marsad's stages, and the `marsad.document/1` JSON contract.
//!
//! Every object that comes from text carries UTF-8 byte offsets (`start`, `end`) into the
//! document's original text (`Document::text`). Nothing here does I/O.

use serde::{Deserialize, Serialize};
use std::fmt;

mod document;

pub mod export;
pub use document::*;

/// A half-open range of UTF-8 byte offsets `[start, end)` into a document's original text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(&self) -> bool {
        self.start >= self.end
    }

    /// The text this span covers. Panics only if the span is not on char boundaries of `text`,
    /// which the stages that build spans guarantee.
    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }

    pub const fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// This span moved right by `offset` bytes.
    pub const fn shifted(&self, offset: usize) -> Span {
        Span::new(self.start + offset, self.end + offset)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A piece of the original text with its offsets: what every text-derived object carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextSpan {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

impl TextSpan {
    pub fn of(span: Span, text: &str) -> Self {
        TextSpan { start: span.start, end: span.end, text: span.slice(text).to_owned() }
    }

    pub fn span(&self) -> Span {
        Span::new(self.start, self.end)
    }
}

/// What kind of piece of journalism an article is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Genre {
    #[default]
    News,
    Opinion,
    Analysis,
    Interview,
    Other,
}

impl Genre {
    pub const fn as_str(self) -> &'static str {
        match self {
            Genre::News => "news",
            Genre::Opinion => "opinion",
            Genre::Analysis => "analysis",
            Genre::Interview => "interview",
            Genre::Other => "other",
        }
    }
}

/// Why a span of the input is not part of the article body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    /// A photo caption, usually repeated on web pages.
    Caption,
    /// The headline repeated inside the page text.
    HeadlineEcho,
    /// "الصورة: أ ف ب", "(صورة أرشيفية)", "Getty Images".
    PhotoCredit,
    /// "للمزيد:", "اقرأ أيضا" and the headlines that follow.
    RelatedLinks,
    /// Share, follow and subscribe prompts.
    SocialShare,
    /// Copyright, privacy, cookie and terms-of-use notices.
    LegalFooter,
    /// An editorial disclaimer ("تنويه: ... يعبر عن رأي كاتبه").
    Disclaimer,
    /// Site navigation, menus and breadcrumbs.
    Navigation,
    /// Advertisements and sponsored blocks.
    Advertisement,
    /// Reader comments.
    Comments,
}

impl RemovalReason {
    pub const ALL: [RemovalReason; 10] = [
        RemovalReason::Caption,
        RemovalReason::HeadlineEcho,
        RemovalReason::PhotoCredit,
        RemovalReason::RelatedLinks,
        RemovalReason::SocialShare,
        RemovalReason::LegalFooter,
        RemovalReason::Disclaimer,
        RemovalReason::Navigation,
        RemovalReason::Advertisement,
        RemovalReason::Comments,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            RemovalReason::Caption => "caption",
            RemovalReason::HeadlineEcho => "headline_echo",
            RemovalReason::PhotoCredit => "photo_credit",
            RemovalReason::RelatedLinks => "related_links",
            RemovalReason::SocialShare => "social_share",
            RemovalReason::LegalFooter => "legal_footer",
            RemovalReason::Disclaimer => "disclaimer",
            RemovalReason::Navigation => "navigation",
            RemovalReason::Advertisement => "advertisement",
            RemovalReason::Comments => "comments",
        }
    }

    pub fn parse(s: &str) -> Option<RemovalReason> {
        RemovalReason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for RemovalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The role of one stretch of the input text after cleaning. The layout of a document is a
/// list of `(Span, Role)` that tiles the whole text: every byte has exactly one role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "role", content = "reason")]
pub enum Role {
    Title,
    Dateline,
    /// Author line or signature ("بقلم: ...", "* كاتب سوري").
    Byline,
    Body,
    Removed(RemovalReason),
}

/// A stretch of the input with its role; `Document::layout` is a tiling of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub start: usize,
    pub end: usize,
    #[serde(flatten)]
    pub role: Role,
}

impl Segment {
    pub fn span(&self) -> Span {
        Span::new(self.start, self.end)
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
}

/// Something a stage noticed about its input that did not stop it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable short code, e.g. `encoding.windows-1256`.
    pub code: String,
    pub message: String,
}

impl Diagnostic {
    pub fn info(code: &str, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Info, code: code.to_owned(), message: message.into() }
    }

    pub fn warning(code: &str, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, code: code.to_owned(), message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_reasons_round_trip_through_their_names() {
        for r in RemovalReason::ALL {
            assert_eq!(RemovalReason::parse(r.as_str()), Some(r));
            let json = serde_json::to_string(&r).expect("serialize");
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        assert_eq!(RemovalReason::parse("nonsense"), None);
    }

    #[test]
    fn segment_serializes_role_and_reason_flat() {
        let s = Segment { start: 0, end: 4, role: Role::Removed(RemovalReason::Caption) };
        let v = serde_json::to_value(s).expect("serialize");
        assert_eq!(v, serde_json::json!({"start": 0, "end": 4, "role": "removed", "reason": "caption"}));
        let b = Segment { start: 4, end: 9, role: Role::Body };
        assert_eq!(
            serde_json::to_value(b).expect("serialize"),
            serde_json::json!({"start": 4, "end": 9, "role": "body"})
        );
    }

    #[test]
    fn span_helpers() {
        let s = Span::new(2, 5);
        assert_eq!(s.len(), 3);
        assert!(!s.is_empty());
        assert_eq!(s.slice("abcdefg"), "cde");
        assert!(Span::new(0, 9).contains(s));
        assert_eq!(s.shifted(10), Span::new(12, 15));
    }
}
