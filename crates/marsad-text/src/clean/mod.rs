//! Article cleaning: title, dateline, byline, outlet, genre and body from web-extracted text,
//! with every removed span and its reason. Nothing is dropped silently: the layout tiles the
//! whole input, and each byte is body, a metadata field (title, dateline, byline) or removed.
//!
//! Hand-written: boilerplate removers (readability ports, jusText) work on HTML and on English
//! stop words; what marsad sees is already-extracted Arabic text with Arabic cues. The cues are
//! data (data/text/boilerplate.tsv); the line logic is here:
//! 1. lines pre-classified by the input format (HTML navigation, footers, captions) keep it;
//! 2. the title is the line the format names, the metadata title, or the first short line;
//! 3. cue lines: related-link headers (and the headline lines under them), photo credits,
//!    share/follow prompts, legal footers, disclaimers, ads, comments, navigation, bylines and
//!    author signatures;
//! 4. the headline repeated in the text is a headline echo; other lines repeated verbatim
//!    (after normalization) are photo captions;
//! 5. menu-like lines (≥ 3 short items between | • » ·) are navigation; short lines next to a
//!    footer at the end of the page share its reason;
//! 6. the first body line may open with a dateline;
//! 7. everything else is body.

pub mod cues;
pub mod dateline;
pub mod genre;

use cues::{CueKind, Cues, line_key};
use marsad_core::{Dateline, Genre, RemovalReason, Removed, Role, Segment, Span};
use std::sync::LazyLock;

/// What the cleaner is given besides the text.
#[derive(Clone, Debug, Default)]
pub struct CleanInput<'a> {
    pub text: &'a str,
    /// Where the title is, when the input format says (a JSON title field, an HTML h1).
    pub title: Option<Span>,
    /// A title from metadata, which may or may not appear in the text.
    pub title_hint: Option<&'a str>,
    /// Spans whose role the input format tells (HTML chrome, bylines), each covering whole
    /// lines. Only `Role::Removed` and `Role::Byline` are used.
    pub zones: &'a [(Span, Role)],
    pub url: Option<&'a str>,
}

/// The cleaned article.
#[derive(Clone, Debug, PartialEq)]
pub struct Cleaned {
    /// The role of every byte of the text; consecutive, non-overlapping, covering it all.
    pub layout: Vec<Segment>,
    pub title: Option<String>,
    pub dateline: Option<Dateline>,
    pub author: Option<String>,
    /// The outlet named by the dateline, if any.
    pub outlet: Option<String>,
    pub genre: Genre,
    /// The body paragraphs (trimmed spans, in order).
    pub paragraphs: Vec<Span>,
    /// The paragraphs' text joined by newlines.
    pub body: String,
}

impl Cleaned {
    /// The removed spans with their text, merged where consecutive.
    pub fn removed(&self, text: &str) -> Vec<Removed> {
        self.layout
            .iter()
            .filter_map(|s| match s.role {
                Role::Removed(reason) => {
                    Some(Removed { start: s.start, end: s.end, text: text[s.start..s.end].to_owned(), reason })
                }
                _ => None,
            })
            .collect()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineRole {
    Title,
    Byline,
    Removed(RemovalReason),
    /// Dateline of this many bytes from the content start; the rest of the line is body.
    Dateline(usize),
    Body,
}

struct Line {
    full: Span,
    content: Span,
    key: String,
    chars: usize,
    role: Option<LineRole>,
    /// Boilerplate glued to the start of a body line: bytes from the content start, reason.
    cut_start: Option<(usize, RemovalReason)>,
    /// Boilerplate glued to the end of a body line: bytes from the content start, reason.
    cut_end: Option<(usize, RemovalReason)>,
}

impl Line {
    fn is_blank(&self) -> bool {
        self.content.is_empty()
    }
}

/// Cleans articles with a set of cues.
pub struct Cleaner {
    cues: Cues,
}

static EMBEDDED: LazyLock<Cleaner> = LazyLock::new(|| Cleaner { cues: Cues::embedded() });

const MAX_TITLE_CHARS: usize = 250;
const MAX_CAPTION_CHARS: usize = 300;
const MAX_RELATED_HEADLINE_CHARS: usize = 160;
const MAX_RELATED_LINES: usize = 12;
const MAX_CHROME_CHARS: usize = 60;
/// Longer than any cue's `max_chars` (600) and any caption or title.
const MAX_KEYED_CHARS: usize = 640;

fn ends_sentence(s: &str) -> bool {
    s.trim_end().ends_with(['.', '!', '?', '؟', '…', '۔'])
}

fn split_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i + 1);
        let raw = &text[start..end];
        let lead = raw.len() - raw.trim_start().len();
        let trimmed = raw.trim();
        let content = Span::new(start + lead, start + lead + trimmed.len());
        let chars = trimmed.chars().count();
        // No cue, caption or headline test looks at lines this long: skip their keys.
        let key = if chars <= MAX_KEYED_CHARS { line_key(trimmed) } else { String::new() };
        lines.push(Line {
            full: Span::new(start, end),
            content,
            key,
            chars,
            role: None,
            cut_start: None,
            cut_end: None,
        });
        start = end;
    }
    lines
}

/// Drops the first `n` whitespace-separated words of `s` and surrounding separators.
fn after_words(s: &str, n: usize) -> &str {
    let mut rest = s;
    for _ in 0..n {
        rest = rest.trim_start();
        let cut = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest = &rest[cut..];
    }
    let trim = |c: char| c.is_whitespace() || matches!(c, ':' | '：' | '-' | '–' | '—' | '،' | ',' | '*' | '•' | '/');
    rest.trim_matches(trim)
}

impl Cleaner {
    /// The cleaner with the cue data compiled into the binary.
    pub fn embedded() -> &'static Cleaner {
        &EMBEDDED
    }

    pub fn with_cues(cues: Cues) -> Cleaner {
        Cleaner { cues }
    }

    pub fn clean(&self, input: &CleanInput<'_>) -> Cleaned {
        let text = input.text;
        let mut lines = split_lines(text);
        // 1. Zones from the input format.
        for line in lines.iter_mut().filter(|l| !l.is_blank()) {
            match input.zones.iter().find(|(z, _)| z.contains(line.content)).map(|z| z.1) {
                Some(Role::Removed(reason)) => line.role = Some(LineRole::Removed(reason)),
                Some(Role::Byline) => line.role = Some(LineRole::Byline),
                _ => {}
            }
        }
        // 2. Title.
        let title_idx = self.find_title(input, &lines);
        let title_key = match (title_idx, input.title_hint) {
            (Some(i), _) => {
                lines[i].role = Some(LineRole::Title);
                Some(lines[i].key.clone())
            }
            (None, Some(hint)) => Some(line_key(hint)),
            (None, None) => None,
        };
        // 3. Cues, headline echoes.
        let mut author = None;
        let mut signals = genre::GenreSignals { url: input.url, title_key: title_key.as_deref(), ..Default::default() };
        let mut i = 0;
        while i < lines.len() {
            if lines[i].role.is_some() || lines[i].is_blank() {
                i += 1;
                continue;
            }
            let content = lines[i].content.slice(text);
            if content.starts_with("س:")
                || content.starts_with("ج:")
                || content.starts_with("س :")
                || content.starts_with("سؤال:")
            {
                signals.qa_lines += 1;
            }
            match self.cues.classify(&lines[i].key, lines[i].chars) {
                Some(CueKind::Removed(RemovalReason::RelatedLinks)) => {
                    lines[i].role = Some(LineRole::Removed(RemovalReason::RelatedLinks));
                    i = mark_related_headlines(text, &mut lines, i + 1);
                    continue;
                }
                Some(CueKind::Removed(RemovalReason::SocialShare))
                    if self
                        .cues
                        .inline_start(content)
                        .is_some_and(|(len, _)| content[len..].split_whitespace().count() >= 6) =>
                {
                    // A share bar glued to a paragraph: cut off later, keep the paragraph.
                }
                Some(CueKind::Removed(reason)) => {
                    if reason == RemovalReason::Disclaimer {
                        signals.disclaimer = true;
                    }
                    lines[i].role = Some(LineRole::Removed(reason));
                }
                Some(CueKind::Byline) => {
                    if let Some((name, pen, interviewer)) = self.byline(&lines[i].key, content) {
                        lines[i].role = Some(LineRole::Byline);
                        signals.pen_byline |= pen;
                        signals.interviewer_byline |= interviewer;
                        if author.is_none() && !name.is_empty() {
                            author = Some(name);
                        }
                    }
                }
                Some(CueKind::Signature) if content.starts_with(['*', '-', '–', '—', '•']) => {
                    lines[i].role = Some(LineRole::Byline);
                    signals.signature = true;
                }
                Some(CueKind::Signature) => {}
                None => {}
            }
            if lines[i].role.is_none()
                && let Some(tk) = title_key.as_deref()
                && is_headline_echo(&lines[i].key, tk)
            {
                lines[i].role = Some(LineRole::Removed(RemovalReason::HeadlineEcho));
            }
            i += 1;
        }
        // 4. Repeated lines are captions.
        let mut counts: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
        for l in lines.iter().filter(|l| !l.is_blank() && l.role != Some(LineRole::Title)) {
            *counts.entry(l.key.as_str()).or_default() += 1;
        }
        let repeated: Vec<bool> = lines
            .iter()
            .map(|l| {
                l.role.is_none()
                    && !l.key.is_empty()
                    && l.chars <= MAX_CAPTION_CHARS
                    && counts.get(l.key.as_str()).copied().unwrap_or(0) >= 2
            })
            .collect();
        for (l, rep) in lines.iter_mut().zip(repeated) {
            if rep {
                l.role = Some(LineRole::Removed(RemovalReason::Caption));
            }
        }
        // 5. Menus, and short chrome lines at the head and tail of the page.
        for l in lines.iter_mut().filter(|l| l.role.is_none() && !l.is_blank()) {
            if is_menu_like(l.content.slice(text)) {
                l.role = Some(LineRole::Removed(RemovalReason::Navigation));
            }
        }
        absorb_tail_chrome(text, &mut lines);
        for l in lines.iter_mut().filter(|l| l.role.is_none() && !l.is_blank()) {
            let content = l.content.slice(text);
            l.cut_start = self.cues.inline_start(content);
            let from = l.cut_start.map_or(0, |c| c.0);
            l.cut_end = self.cues.inline_end(&content[from..]).map(|(at, r)| (from + at, r));
        }
        if input.title.is_some()
            && let Some(t) = title_idx
        {
            for l in lines[..t].iter_mut().filter(|l| l.role.is_none() && !l.is_blank()) {
                if l.chars <= MAX_CHROME_CHARS && !ends_sentence(l.content.slice(text)) {
                    l.role = Some(LineRole::Removed(RemovalReason::Navigation));
                }
            }
        }
        // 6. Dateline on the first remaining line.
        let mut dateline = None;
        let mut outlet = None;
        if let Some(l) = lines.iter_mut().find(|l| l.role.is_none() && !l.is_blank()) {
            let from = l.cut_start.map_or(0, |c| c.0);
            let to = l.cut_end.map_or(l.content.len(), |c| c.0);
            let content = &l.content.slice(text)[from..to];
            if let Some(m) = dateline::match_dateline(&self.cues, content) {
                let len = content[..m.len].trim_end().len();
                l.role = Some(LineRole::Dateline(len));
                dateline = Some(Dateline {
                    start: l.content.start + from,
                    end: l.content.start + from + len,
                    text: content[..len].to_owned(),
                    place: m.place,
                    country: m.country,
                });
                outlet = m.outlet;
            }
        }
        // 7. The rest is body.
        for l in lines.iter_mut().filter(|l| l.role.is_none()) {
            l.role = Some(LineRole::Body);
        }
        let (layout, paragraphs) = build_layout(text, &lines);
        let body = paragraphs.iter().map(|p| p.slice(text)).collect::<Vec<_>>().join("\n");
        signals.body_chars = body.len();
        let title = title_idx
            .map(|i| lines[i].content.slice(text).to_owned())
            .or_else(|| input.title_hint.map(|h| h.trim().to_owned()));
        let genre = genre::decide(&signals);
        if outlet.is_none() {
            let mut probe = title.clone().unwrap_or_default();
            for p in paragraphs.iter().take(3) {
                probe.push('\n');
                probe.push_str(p.slice(text));
            }
            outlet = outlet_interviewing(&probe);
        }
        Cleaned { layout, title, dateline, author, outlet, genre, paragraphs, body }
    }

    fn find_title(&self, input: &CleanInput<'_>, lines: &[Line]) -> Option<usize> {
        if let Some(span) = input.title {
            return lines.iter().position(|l| !l.is_blank() && span.contains(l.content));
        }
        if let Some(hint) = input.title_hint {
            let key = line_key(hint);
            return lines.iter().position(|l| !l.is_blank() && l.role.is_none() && l.key == key);
        }
        let nonblank: Vec<usize> =
            (0..lines.len()).filter(|&i| !lines[i].is_blank() && lines[i].role.is_none()).collect();
        let &first = nonblank.first()?;
        nonblank.get(1)?;
        let l = &lines[first];
        let next_blank = lines.get(first + 1).is_some_and(Line::is_blank);
        let looks_like_title = l.chars <= MAX_TITLE_CHARS
            && (next_blank || !ends_sentence(l.content.slice(input.text)))
            && self.cues.classify(&l.key, l.chars).is_none()
            && dateline::match_dateline(&self.cues, l.content.slice(input.text))
                .is_none_or(|m| m.len < l.content.len() / 2);
        looks_like_title.then_some(first)
    }

    /// A byline's author name, and whether it is a pen (بقلم) or interviewer (حاوره) byline.
    fn byline(&self, key: &str, content: &str) -> Option<(String, bool, bool)> {
        let cue_len = self.cues.byline_cue_len(key)?;
        let cue = &key[..cue_len];
        let cue_words = cue.split(' ').count();
        let total_words = key.split(' ').count();
        if total_words > cue_words + 4 {
            return None;
        }
        let pen = cue == "بقلم";
        let interviewer = cue.starts_with("حاور") || cue.starts_with("اجري");
        // كتب/إعداد/تحرير/By need a separator or a name right after: "كتب: فلان", "By John Smith".
        let first_word_end = content.find(char::is_whitespace).unwrap_or(content.len());
        let separated = content[..first_word_end].ends_with([':', '：', '-', '–'])
            || content[first_word_end..].trim_start().starts_with([':', '：', '-', '–', '—']);
        if !(pen || interviewer || separated || total_words <= cue_words + 3 && cue == "by") {
            return None;
        }
        Some((after_words(content, cue_words).to_owned(), pen, interviewer))
    }
}

static OWN_OUTLET: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?:حوار|مقابلة|حديث|تصريح|تصريحات|لقاء)\s+(?:خاص\s+|خاصة\s+)?(?:مع\s*|لـ\s*|ل)«([^»\n]{2,40})»")
        .expect("outlet regex")
});

/// The outlet an article names as its own interviewer: "في حوار مع «صدى النيل»",
/// "في تصريح لـ«الشرق الأوسط»". Known false positive: an article quoting another outlet's
/// interview in its first paragraphs.
fn outlet_interviewing(s: &str) -> Option<String> {
    OWN_OUTLET.captures(s).map(|c| c[1].trim().to_owned())
}

fn is_headline_echo(key: &str, title_key: &str) -> bool {
    if title_key.is_empty() || key.is_empty() {
        return false;
    }
    if key == title_key {
        return true;
    }
    // "Headline | Outlet", "Headline - Outlet"
    key.strip_prefix(title_key)
        .is_some_and(|rest| rest.starts_with(' ') && rest.split(' ').filter(|w| !w.is_empty()).count() <= 5)
}

/// Marks the headline lines under a related-links header; returns the next line to look at.
fn mark_related_headlines(text: &str, lines: &mut [Line], from: usize) -> usize {
    let mut i = from;
    let mut taken = 0;
    while i < lines.len() && taken < MAX_RELATED_LINES {
        let l = &lines[i];
        if l.is_blank() {
            // A blank line ends the list unless another headline follows right after it.
            let next = lines.get(i + 1);
            if next.is_some_and(|n| !n.is_blank() && n.role.is_none() && looks_like_headline(text, n)) && taken == 0 {
                i += 1;
                continue;
            }
            break;
        }
        if l.role.is_some() || !looks_like_headline(text, l) {
            break;
        }
        lines[i].role = Some(LineRole::Removed(RemovalReason::RelatedLinks));
        taken += 1;
        i += 1;
    }
    i
}

fn looks_like_headline(text: &str, l: &Line) -> bool {
    let s = l.content.slice(text);
    s.contains("://") || s.starts_with("www.") || (l.chars <= MAX_RELATED_HEADLINE_CHARS && !ends_sentence(s))
}

/// A menu: at least three short items separated by | • » · or ›.
fn is_menu_like(s: &str) -> bool {
    let items: Vec<&str> = s.split(['|', '•', '»', '·', '›']).map(str::trim).collect();
    items.len() >= 3 && items.iter().all(|it| it.split_whitespace().count() <= 4) && s.chars().count() <= 200
}

/// Short, non-sentence lines after the last removed footer-ish line take its reason.
fn absorb_tail_chrome(text: &str, lines: &mut [Line]) {
    let mut reason: Option<RemovalReason> = None;
    for l in lines.iter_mut().rev() {
        if l.is_blank() {
            continue;
        }
        match l.role {
            Some(LineRole::Removed(r)) => reason = Some(r),
            Some(LineRole::Byline) => {}
            Some(_) => break,
            None => {
                let Some(r) = reason else { break };
                let s = l.content.slice(text);
                if l.chars <= MAX_CHROME_CHARS && !ends_sentence(s) && !s.contains(['،', ',']) {
                    l.role = Some(LineRole::Removed(r));
                } else {
                    break;
                }
            }
        }
    }
}

fn role_of(r: LineRole) -> Role {
    match r {
        LineRole::Title => Role::Title,
        LineRole::Byline => Role::Byline,
        LineRole::Removed(reason) => Role::Removed(reason),
        LineRole::Dateline(_) | LineRole::Body => Role::Body,
    }
}

fn build_layout(text: &str, lines: &[Line]) -> (Vec<Segment>, Vec<Span>) {
    let mut segs: Vec<Segment> = Vec::with_capacity(lines.len() * 2);
    let mut paragraphs = Vec::new();
    let push = |segs: &mut Vec<Segment>, start: usize, end: usize, role: Role| {
        if start < end {
            segs.push(Segment { start, end, role });
        }
    };
    for l in lines {
        let role = l.role.unwrap_or(LineRole::Body);
        push(&mut segs, l.full.start, l.content.start, Role::Body);
        match role {
            LineRole::Dateline(_) | LineRole::Body => {
                let mut start = l.content.start;
                let mut end = l.content.end;
                if let Some((len, reason)) = l.cut_start {
                    push(&mut segs, start, start + len, Role::Removed(reason));
                    start += len;
                }
                let tail = l.cut_end.map(|(at, reason)| (l.content.start + at, reason));
                if let Some((at, _)) = tail {
                    end = at;
                }
                if let LineRole::Dateline(len) = role {
                    push(&mut segs, start, start + len, Role::Dateline);
                    start += len;
                }
                push(&mut segs, start, end, Role::Body);
                let body = &text[start..end];
                let lead = body.len() - body.trim_start().len();
                let trimmed = body.trim();
                if !trimmed.is_empty() {
                    paragraphs.push(Span::new(start + lead, start + lead + trimmed.len()));
                }
                if let Some((at, reason)) = tail {
                    push(&mut segs, at, l.content.end, Role::Removed(reason));
                }
            }
            r => push(&mut segs, l.content.start, l.content.end, role_of(r)),
        }
        push(&mut segs, l.content.end, l.full.end, Role::Body);
    }
    // Whitespace between two segments of the same non-body role joins them.
    for i in 1..segs.len().saturating_sub(1) {
        let (prev, cur, next) = (segs[i - 1].role, segs[i].role, segs[i + 1].role);
        if cur == Role::Body && prev == next && prev != Role::Body && text[segs[i].start..segs[i].end].trim().is_empty()
        {
            segs[i].role = prev;
        }
    }
    let mut merged: Vec<Segment> = Vec::with_capacity(segs.len());
    for s in segs {
        match merged.last_mut() {
            Some(last) if last.role == s.role && last.end == s.start => last.end = s.end,
            _ => merged.push(s),
        }
    }
    (merged, paragraphs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(text: &str) -> Cleaned {
        Cleaner::embedded().clean(&CleanInput { text, ..Default::default() })
    }

    fn reasons(c: &Cleaned, text: &str) -> Vec<(String, RemovalReason)> {
        c.removed(text).into_iter().map(|r| (r.text, r.reason)).collect()
    }

    #[test]
    fn title_dateline_captions_and_footer() {
        let text = "عنوان الخبر هنا\n\nدمشق - قتل ثلاثة مدنيين في قصف.\nصورة من موقع القصف\nوأضاف المصدر أن القصف استمر.\nصورة من موقع القصف\nعنوان الخبر هنا\nللمزيد:\nخبر آخر ذو صلة\n\nشارك الخبر\nPrivacy Policy | Terms\n";
        let c = clean(text);
        assert_eq!(c.title.as_deref(), Some("عنوان الخبر هنا"));
        let d = c.dateline.clone().expect("dateline");
        assert_eq!((d.text.as_str(), d.country.as_deref()), ("دمشق -", Some("SY")));
        assert_eq!(c.body, "قتل ثلاثة مدنيين في قصف.\nوأضاف المصدر أن القصف استمر.");
        let r = reasons(&c, text);
        assert!(r.contains(&("صورة من موقع القصف".into(), RemovalReason::Caption)), "{r:?}");
        assert!(r.contains(&("عنوان الخبر هنا".into(), RemovalReason::HeadlineEcho)), "{r:?}");
        assert!(r.contains(&("للمزيد:\nخبر آخر ذو صلة".into(), RemovalReason::RelatedLinks)), "{r:?}");
        assert!(r.contains(&("شارك الخبر".into(), RemovalReason::SocialShare)), "{r:?}");
        assert!(r.iter().any(|(t, reason)| t.starts_with("Privacy") && *reason == RemovalReason::LegalFooter), "{r:?}");
        assert_eq!(c.genre, Genre::News);
    }

    #[test]
    fn opinion_column_with_byline_and_disclaimer() {
        let text = "حين يصبح الموت خبرا\n\nبقلم: سامر الحلبي\n\nلم يعد الناس يتوقفون عند الأخبار.\n\n* كاتب وصحفي سوري\n\nتنويه: الآراء الواردة في هذا المقال تعبر عن رأي كاتبها فقط.\n";
        let c = clean(text);
        assert_eq!(c.author.as_deref(), Some("سامر الحلبي"));
        assert_eq!(c.genre, Genre::Opinion);
        assert_eq!(c.body, "لم يعد الناس يتوقفون عند الأخبار.");
        assert!(c.layout.iter().filter(|s| s.role == Role::Byline).count() == 2);
    }

    #[test]
    fn a_body_line_that_mentions_a_cue_stays() {
        let text = "العنوان\n\nشاركت قوات التحالف في الهجوم الذي استمر يومين، وقال مسؤولون إن جميع الحقوق محفوظة للضحايا في المطالبة بالتعويض والمحاسبة أمام القضاء الدولي بحسب القوانين المرعية والاتفاقيات الدولية ذات الصلة التي وقعت عليها الحكومة في السنوات الماضية.\n";
        let c = clean(text);
        assert!(c.removed(text).is_empty());
        assert!(c.body.starts_with("شاركت"));
    }

    #[test]
    fn boilerplate_glued_to_body_lines_is_cut_off() {
        let text = "العنوان\n\nشارك من خلال تويتر فيسبوك اكتب رأيك دمشق - تقدمت القوات نحو المدينة.\nوقال المصدر إن القتال مستمر. رابط الخبر بصحيفة الوئام: العنوان\n";
        let c = clean(text);
        assert_eq!(c.body, "تقدمت القوات نحو المدينة.\nوقال المصدر إن القتال مستمر.");
        assert_eq!(c.dateline.as_ref().map(|d| d.text.as_str()), Some("دمشق -"));
        let r = reasons(&c, text);
        assert!(r.iter().any(|(t, x)| t.starts_with("شارك من خلال") && *x == RemovalReason::SocialShare), "{r:?}");
        assert!(
            r.iter().any(|(t, x)| t.trim_start().starts_with("رابط الخبر") && *x == RemovalReason::RelatedLinks),
            "{r:?}"
        );
    }

    #[test]
    fn layout_tiles_the_text() {
        let text = "  عنوان\r\n\r\nسطر أول.\n\nصورة\nصورة\n";
        let c = clean(text);
        let mut pos = 0;
        for s in &c.layout {
            assert_eq!(s.start, pos);
            assert!(s.end > s.start);
            pos = s.end;
        }
        assert_eq!(pos, text.len());
    }

    #[test]
    fn empty_text_is_other() {
        let c = clean("");
        assert_eq!(c.genre, Genre::Other);
        assert!(c.layout.is_empty());
    }
}
