//! HTML pages to article text: one line per block, with the page chrome (navigation, footers,
//! share bars, related links, captions, ads, comments) marked as zones for the cleaner rather
//! than dropped, and the page's metadata (title, outlet, date, author, URL, language).
//!
//! Parsing is html5ever's (through `scraper`), which survives any malformed page; the walk
//! over the tree is iterative, so deeply nested pages cannot overflow the stack.

use crate::Meta;
use ego_tree::iter::Edge;
use marsad_core::{RemovalReason, Role, Span};
use scraper::{ElementRef, Html, Node, Selector};

/// The text of a page and what is known about it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExtractedPage {
    /// One line per block of text.
    pub text: String,
    /// The headline's span in `text` (the h1, or the metadata title put first).
    pub title: Option<Span>,
    /// Blocks that are page chrome (with the reason) or bylines.
    pub zones: Vec<(Span, Role)>,
    pub meta: Meta,
    pub lang: Option<String>,
}

const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "iframe", "head", "button", "select", "option", "textarea",
    "input", "canvas", "object", "embed", "video", "audio", "map",
];
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "figure",
    "figcaption",
    "blockquote",
    "table",
    "tr",
    "td",
    "th",
    "pre",
    "br",
    "hr",
    "dd",
    "dt",
    "dl",
    "main",
    "form",
    "address",
    "caption",
    "details",
    "summary",
    "body",
];

/// The role that a tag or its class/id tokens give: page chrome with its reason, or a byline.
/// Tokens are compared whole or by prefix, so "header" is not "ad" and "navbar" is navigation.
fn zone_of(el: &scraper::node::Element) -> Option<Role> {
    use RemovalReason::*;
    if el.attr("rel").is_some_and(|r| r.eq_ignore_ascii_case("author"))
        || el.attr("itemprop").is_some_and(|r| r.eq_ignore_ascii_case("author"))
    {
        return Some(Role::Byline);
    }
    let removed = |r| Some(Role::Removed(r));
    match el.name() {
        "nav" => return removed(Navigation),
        "footer" => return removed(LegalFooter),
        "aside" => return removed(RelatedLinks),
        "figcaption" => return removed(Caption),
        "form" => return removed(Navigation),
        _ => {}
    }
    let mut attrs = String::new();
    for c in el.classes() {
        attrs.push_str(c);
        attrs.push(' ');
    }
    if let Some(id) = el.id() {
        attrs.push_str(id);
    }
    if let Some(role) = el.attr("role") {
        attrs.push(' ');
        attrs.push_str(role);
    }
    let attrs = attrs.to_ascii_lowercase();
    for token in attrs.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()) {
        let starts = |p: &[&str]| p.iter().any(|p| token.starts_with(p));
        let is = |p: &[&str]| p.contains(&token);
        if starts(&["byline", "author", "writer"]) || is(&["meta", "dateline"]) {
            return Some(Role::Byline);
        }
        let reason = if starts(&["nav", "menu", "breadcrumb", "sidebar", "widget", "topbar", "masthead"])
            || is(&["navigation"])
        {
            Some(Navigation)
        } else if starts(&["footer", "copyright", "cookie", "consent", "gdpr", "privacy"]) {
            Some(LegalFooter)
        } else if starts(&["share", "social", "newsletter", "subscribe", "follow"]) {
            Some(SocialShare)
        } else if starts(&["related", "readmore", "recommend", "morenews", "trending", "mostread"]) || is(&["more"]) {
            Some(RelatedLinks)
        } else if starts(&["comment", "disqus"]) {
            Some(Comments)
        } else if is(&["ad", "ads", "adv", "advert", "advertisement", "banner-ad", "sponsored", "promo", "dfp"])
            || starts(&["advert", "sponsor"])
        {
            Some(Advertisement)
        } else if starts(&["caption", "credit"]) {
            Some(Caption)
        } else {
            None
        };
        if let Some(r) = reason {
            return Some(Role::Removed(r));
        }
    }
    None
}

fn is_main(el: &scraper::node::Element) -> bool {
    matches!(el.name(), "article" | "main")
        || el.attr("itemprop").is_some_and(|v| v.eq_ignore_ascii_case("articleBody"))
}

struct Block {
    text: String,
    zone: Option<Role>,
    in_main: bool,
    h1: bool,
}

#[derive(Clone, Copy)]
struct Frame {
    skip: bool,
    zone: Option<Role>,
    main: bool,
    h1: bool,
}

fn meta_content(doc: &Html, selectors: &[&str]) -> Option<String> {
    for s in selectors {
        let Ok(sel) = Selector::parse(s) else {
            continue;
        };
        for el in doc.select(&sel) {
            let v =
                el.value().attr("content").or_else(|| el.value().attr("datetime")).or_else(|| el.value().attr("href"));
            if let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) {
                return Some(v.to_owned());
            }
        }
    }
    None
}

fn element_text(el: ElementRef<'_>) -> String {
    collapse(&el.text().collect::<String>())
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Pages nested deeper than this are refused: html5ever's tree building is quadratic in the
/// nesting depth (100,000 nested divs take minutes), and no real article comes near it.
pub const MAX_NESTING: usize = 5_000;

/// A cheap estimate of the deepest nesting of container tags that pages close explicitly.
pub fn nesting_depth(html: &str) -> usize {
    const CONTAINERS: [&str; 12] =
        ["div", "span", "section", "article", "table", "blockquote", "ul", "ol", "font", "strong", "em", "a"];
    let bytes = html.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while let Some(off) = memchr_lt(&bytes[i..]) {
        i += off + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let name_start = if closing { i + 1 } else { i };
        let name_end =
            bytes[name_start..].iter().position(|b| !b.is_ascii_alphanumeric()).map_or(bytes.len(), |p| name_start + p);
        let name = &bytes[name_start..name_end];
        if CONTAINERS.iter().any(|c| c.as_bytes().eq_ignore_ascii_case(name)) {
            if closing {
                depth = depth.saturating_sub(1);
            } else {
                depth += 1;
                max = max.max(depth);
            }
        }
    }
    max
}

fn memchr_lt(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'<')
}

/// Extracts the article text and metadata of an HTML page.
pub fn extract_html(html: &str) -> ExtractedPage {
    let doc = Html::parse_document(html);
    let mut meta = Meta {
        title: meta_content(&doc, &["meta[property='og:title']", "meta[name='twitter:title']"]),
        outlet: meta_content(&doc, &["meta[property='og:site_name']", "meta[name='application-name']"]),
        published: meta_content(
            &doc,
            &[
                "meta[property='article:published_time']",
                "meta[property='og:published_time']",
                "meta[name='pubdate']",
                "meta[name='publish-date']",
                "meta[name='date']",
                "meta[itemprop='datePublished']",
                "time[datetime]",
            ],
        ),
        author: meta_content(&doc, &["meta[name='author']", "meta[property='article:author']"]),
        url: meta_content(&doc, &["link[rel='canonical']", "meta[property='og:url']"]),
        id: None,
    };
    if meta.title.is_none()
        && let Ok(sel) = Selector::parse("title")
    {
        meta.title = doc.select(&sel).next().map(element_text).filter(|t| !t.is_empty());
    }
    let lang = Selector::parse("html")
        .ok()
        .and_then(|s| doc.select(&s).next())
        .and_then(|h| h.value().attr("lang"))
        .map(|l| l.to_owned());

    let mut blocks: Vec<Block> = Vec::new();
    let mut stack: Vec<Frame> = vec![Frame { skip: false, zone: None, main: false, h1: false }];
    let mut buf = String::new();
    // Characters of the buffer that came from inside a zoned inline element, and its zone: a
    // block mostly made of, say, a <span class="byline"> is a byline.
    let mut inline_zone: (usize, Option<Role>) = (0, None);
    let flush = |buf: &mut String, inline_zone: &mut (usize, Option<Role>), blocks: &mut Vec<Block>, frame: Frame| {
        let t = collapse(buf);
        let total = buf.trim().chars().count();
        buf.clear();
        let (zoned, z) = std::mem::take(inline_zone);
        if !t.is_empty() {
            let zone = frame.zone.or(z.filter(|_| zoned * 2 > total));
            blocks.push(Block { text: t, zone, in_main: frame.main, h1: frame.h1 });
        }
    };
    for edge in doc.root_element().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    let parent = *stack.last().unwrap_or(&Frame { skip: false, zone: None, main: false, h1: false });
                    let name = el.name();
                    if BLOCKS.contains(&name) {
                        flush(&mut buf, &mut inline_zone, &mut blocks, parent);
                    }
                    let frame = Frame {
                        skip: parent.skip || SKIP.contains(&name),
                        zone: zone_of(el).or(parent.zone),
                        main: parent.main || is_main(el),
                        h1: parent.h1 || name == "h1",
                    };
                    stack.push(frame);
                }
                Node::Text(t) => {
                    if let Some(f) = stack.last().filter(|f| !f.skip) {
                        buf.push_str(t);
                        if let Some(z) = f.zone {
                            inline_zone.0 += t.trim().chars().count();
                            inline_zone.1 = Some(z);
                        }
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    let frame = stack.pop().unwrap_or(Frame { skip: true, zone: None, main: false, h1: false });
                    if BLOCKS.contains(&el.name()) {
                        flush(&mut buf, &mut inline_zone, &mut blocks, frame);
                    }
                }
            }
        }
    }
    let last = *stack.last().unwrap_or(&Frame { skip: false, zone: None, main: false, h1: false });
    flush(&mut buf, &mut inline_zone, &mut blocks, last);

    let has_main = blocks.iter().any(|b| b.in_main);
    let h1 = blocks.iter().position(|b| b.h1 && b.in_main).or_else(|| blocks.iter().position(|b| b.h1));
    let mut page = ExtractedPage { meta, lang, ..Default::default() };
    if h1.is_none()
        && let Some(t) = page.meta.title.clone()
    {
        let title = strip_site_suffix(&t, page.meta.outlet.as_deref());
        page.text.push_str(&title);
        page.title = Some(Span::new(0, title.len()));
        page.text.push('\n');
    }
    for (i, b) in blocks.iter().enumerate() {
        let start = page.text.len();
        page.text.push_str(&b.text);
        let span = Span::new(start, page.text.len());
        page.text.push('\n');
        if Some(i) == h1 {
            page.title = Some(span);
            continue;
        }
        let zone = b.zone.or((has_main && !b.in_main).then_some(Role::Removed(RemovalReason::Navigation)));
        if let Some(z) = zone {
            page.zones.push((span, z));
        }
    }
    page
}

/// "Headline | Outlet" → "Headline".
fn strip_site_suffix(title: &str, outlet: Option<&str>) -> String {
    for sep in [" | ", " - ", " – ", " — "] {
        if let Some((head, tail)) = title.rsplit_once(sep)
            && (outlet.is_some_and(|o| tail.trim() == o.trim()) || tail.split_whitespace().count() <= 3)
            && !head.trim().is_empty()
        {
            return head.trim().to_owned();
        }
    }
    title.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html lang="ar" dir="rtl"><head><title>قصف على إدلب | المشرق</title>
<meta property="og:site_name" content="المشرق"><meta property="article:published_time" content="2024-03-12T09:00:00Z">
<meta name="author" content="حيدر الساعدي"><script>var x = "<p>لا</p>";</script><style>p{}</style></head>
<body><nav><a href="/">الرئيسية</a><a href="/s">سياسة</a></nav>
<div class="cookie-banner">We use cookies.</div>
<article><h1>قصف على إدلب</h1><div class="article-meta"><span class="byline">بقلم حيدر الساعدي</span></div><p>قتل ثلاثة&nbsp;مدنيين &quot;أمس&quot;.</p>
<figure><img src="x.jpg"><figcaption>صورة من إدلب</figcaption></figure>
<p>وأضاف المصدر<br>أن القصف استمر.</p><div class="share-buttons">شارك</div></article>
<aside class="related"><p>اقرأ أيضا</p><ul><li>خبر آخر</li></ul></aside>
<footer>© 2024 المشرق</footer></body></html>"#;

    #[test]
    fn extracts_blocks_zones_and_meta() {
        let p = extract_html(PAGE);
        assert_eq!(p.meta.outlet.as_deref(), Some("المشرق"));
        assert_eq!(p.meta.published.as_deref(), Some("2024-03-12T09:00:00Z"));
        assert_eq!(p.meta.author.as_deref(), Some("حيدر الساعدي"));
        assert_eq!(p.lang.as_deref(), Some("ar"));
        assert_eq!(p.title.map(|s| s.slice(&p.text)), Some("قصف على إدلب"));
        assert!(p.text.contains("قتل ثلاثة مدنيين \"أمس\"."), "{}", p.text);
        assert!(p.text.contains("وأضاف المصدر\nأن القصف استمر."));
        assert!(!p.text.contains("var x"));
        let zone = |needle: &str| {
            p.zones.iter().find(|(s, _)| s.slice(&p.text).contains(needle)).and_then(|z| match z.1 {
                Role::Removed(r) => Some(r),
                _ => None,
            })
        };
        assert_eq!(zone("الرئيسية"), Some(RemovalReason::Navigation));
        assert_eq!(zone("cookies"), Some(RemovalReason::LegalFooter));
        assert_eq!(zone("صورة من إدلب"), Some(RemovalReason::Caption));
        assert_eq!(zone("شارك"), Some(RemovalReason::SocialShare));
        assert_eq!(zone("خبر آخر"), Some(RemovalReason::RelatedLinks));
        assert_eq!(zone("© 2024"), Some(RemovalReason::LegalFooter));
        assert!(p.zones.iter().any(|(s, r)| *r == Role::Byline && s.slice(&p.text) == "بقلم حيدر الساعدي"));
        assert_eq!(zone("قتل ثلاثة"), None);
    }

    #[test]
    fn title_from_metadata_when_no_h1() {
        let p = extract_html("<html><head><title>عنوان الخبر - الموقع</title></head><body><p>نص.</p></body></html>");
        assert_eq!(p.title.map(|s| s.slice(&p.text)), Some("عنوان الخبر"));
    }

    #[test]
    fn deep_nesting_and_garbage_do_not_panic() {
        const DEPTH: usize = 3_000;
        let deep = "<div>".repeat(DEPTH) + "نص" + &"</div>".repeat(DEPTH);
        let p = extract_html(&deep);
        assert!(p.text.contains("نص"));
        let _ = extract_html("<<<>>><p <a href=\"x\">&amp;&#xFFFFFF;</p></table></b>");
        assert_eq!(nesting_depth(&deep), DEPTH);
        assert_eq!(nesting_depth("<p>a<p>b<div><span>x</span></div>"), 2);
    }
}
