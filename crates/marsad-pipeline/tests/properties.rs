//! The whole analysis on arbitrary text built from the pieces real articles are made of
//! (place names, triggers, clitics, numbers, quotes, punctuation, Latin, digits, marks): it never
//! panics, and every span it reports lies on character boundaries of the text it points into.

use marsad_input::{ReadOptions, read};
use marsad_pipeline::{AnalyzeOptions, Analyzer};
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "قصف",
    "وبعقوبة",
    "عقوبة",
    "في",
    "مدينة",
    "ناحية",
    "حي",
    "الرمادي",
    "دير الزور",
    "البو كمال",
    "وعانة",
    "كوباني",
    "مقتل",
    "3",
    "ثلاثة",
    "١٥",
    "رمضان",
    "1439",
    "أمس",
    "الجمعة",
    "19 تموز",
    "وقال",
    "المتحدث",
    "إن",
    "«",
    "»",
    "\"",
    ":",
    "،",
    ".",
    "؟",
    "\n",
    " ",
    "..",
    "اعتقل",
    "على يد",
    "قوات الأمن",
    "داعش",
    "السوري",
    "أن",
    "صور",
    "ISIS",
    "Basra",
    "ً",
    "ـ",
    "\u{200f}",
    "ال",
    "و",
    "لل",
];

fn article() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn analysis_never_panics_and_spans_are_boundaries(text in article(), published in prop::bool::ANY) {
        let mut opts = ReadOptions::new("p.txt");
        if published {
            opts.meta.set("published", "2018-06-09").expect("meta");
        }
        let Ok(records) = read(text.as_bytes(), &opts) else { return Ok(()) };
        let analyzer = Analyzer::new();
        for raw in records.into_iter().flatten() {
            let d = analyzer.analyze(&raw, AnalyzeOptions::default());
            let ok = |s: usize, e: usize| s <= e && e <= d.text.len() && d.text.is_char_boundary(s) && d.text.is_char_boundary(e);
            for p in &d.places {
                prop_assert!(ok(p.start, p.end), "place {:?}", p);
                prop_assert_eq!(&d.text[p.start..p.end], p.text.as_str());
            }
            for e in &d.events {
                prop_assert!(ok(e.evidence.start, e.evidence.end) && ok(e.trigger.start, e.trigger.end), "event {:?}", e);
                prop_assert!(e.mentions.iter().all(|m| ok(m.start, m.end)));
            }
            for q in &d.quotes {
                prop_assert!(ok(q.start, q.end), "quote {:?}", q);
                prop_assert_eq!(&d.text[q.start..q.end], q.text.as_str());
            }
        }
    }
}
