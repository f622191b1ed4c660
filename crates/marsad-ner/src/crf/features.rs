//! Feature extraction: a sentence (word surfaces) → one attribute list per word.
//! Everything the tagger sees is decided here; training (research/ner-crf) and tagging share
//! it, so a change here (or in the text layer's segmentation, lexicon or place list) needs a
//! retrained model: `cd research/ner-crf && cargo run --release -- train …` (see its RESULTS.md).
//!
//! Feature groups: the word (lossless, lossy key, light10 stem), its clitics (proclitics,
//! article, enclitic, clitic-free form), prefixes and suffixes of 1–3 letters, shape and length,
//! corpus frequency and how often the word takes ال (names rarely do), trigger classes of the
//! neighbours (titles, say-verbs, place/organisation heads, place prepositions, nationalities),
//! the place list, unsupervised word-cluster bit paths (prefixes 4–16) of the word and its
//! neighbours (two word clusterings, over 1,000 and 2,500 context words, and one of stems), a ±2
//! window of keys and stems, the label prior: how a first tagger labelled
//! the word (and its clitic-free stem) over 10M tokens of raw news (`data/ner/label_prior.tsv`),
//! and document evidence: the contexts the word's other occurrences in the document stand in.

use super::{Clusters, word_key};
use crfs::Attribute;
use marsad_text::{Lexicon, PieceRole, segment::segment_word};
use rustc_hash::{FxHashMap, FxHashSet};

/// Which feature groups are on.
#[derive(Clone, Debug)]
pub struct FeatureSet {
    /// word (lossless), key (lossy), light10 stem
    pub lex: bool,
    /// ±2 window of key/stem (+ bigrams)
    pub window: bool,
    /// clitic split: proclitics, article, enclitic, stem without clitics
    pub clitics: bool,
    /// prefixes/suffixes 1-3 of the key and of the clitic-free stem
    pub affixes: bool,
    /// length, digit, latin, punctuation
    pub shape: bool,
    /// trigger-word classes (titles, say-verbs, place/org heads, prepositions) around the word
    pub triggers: bool,
    /// place gazetteer (marsad's dateline places)
    pub gazetteer: bool,
    /// corpus frequency bucket (marsad lexicon)
    pub freq: bool,
    /// word-cluster path prefixes of the word and its neighbours
    pub word_clusters: bool,
    /// the same for clusters over clitic-free stems
    pub stem_clusters: bool,
    /// a second word clustering (wider context vocabulary), the same prefixes
    pub word_clusters2: bool,
    /// knowledge-base names over the word and its neighbours (B/I and the actor's entity type)
    pub knowledge: bool,
    /// label prior: how a first tagger labelled the word (and its clitic-free stem) over the raw
    /// news corpus (shares of B-PER, I-LOC … in buckets), for the word and its neighbours
    pub prior: bool,
    /// document-wide evidence: the contexts the word's other occurrences in the same document
    /// stand in (after a title, before an organisation head, inside a knowledge-base name …)
    pub document: bool,
}

impl FeatureSet {
    pub fn parse(list: &str) -> FeatureSet {
        // "all": every group whose resources are given, but document evidence, which came
        // later (models trained with "all" before it stay reproducible)
        let has = |n: &str| list.split(',').any(|x| x == n || (x == "all" && n != "doc"));
        FeatureSet {
            lex: has("lex"),
            window: has("win"),
            clitics: has("clitic"),
            affixes: has("affix"),
            shape: has("shape"),
            triggers: has("trig"),
            gazetteer: has("gaz"),
            freq: has("freq"),
            word_clusters: has("wc"),
            stem_clusters: has("sc"),
            word_clusters2: has("wc2"),
            knowledge: has("kb"),
            prior: has("prior"),
            document: has("doc"),
        }
    }
}

/// Everything feature extraction looks things up in.
pub struct Resources {
    pub lexicon: &'static Lexicon,
    pub word_clusters: Clusters,
    pub stem_clusters: Clusters,
    /// a second word clustering (empty unless given)
    pub word_clusters2: Clusters,
    /// lossy place name → kind (country/city/...)
    pub places: FxHashMap<String, String>,
    /// lossy trigger word (clitic-free) → class
    pub triggers: FxHashMap<&'static str, &'static str>,
    /// first words of multi-word places
    pub place_heads: FxHashSet<String>,
    /// label prior of word keys (`w`) and clitic-free stem keys (`s`): key → feature values
    pub prior_word: LabelPrior,
    pub prior_stem: LabelPrior,
}

/// The labels a label-prior table counts, in file order.
pub const PRIOR_LABELS: [&str; 9] = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"];

/// Occurrences a key needs in the tagged corpus before its shares count.
const PRIOR_MIN_COUNT: u32 = 3;

/// How a first tagger labelled each key over the raw corpus: per key, the labels whose share
/// reaches 5 %, with the share in four buckets (`B-PER:3`), precomputed as feature values.
/// Keys seen fewer than 3 times or (almost) always tagged O are left out: they read `unk`.
#[derive(Default)]
pub struct LabelPrior {
    values: FxHashMap<String, Vec<String>>,
}

/// Label counts per key, as a label-prior file holds them (`w|s<TAB>key<TAB>9 counts`).
pub type PriorCounts = FxHashMap<(char, String), [u32; 9]>;

impl LabelPrior {
    /// Reads the counts of a label-prior file (lines `w|s<TAB>key<TAB>c0 c1 … c8`).
    pub fn parse_counts(text: &str) -> PriorCounts {
        let mut out = PriorCounts::default();
        for l in text.lines().filter(|l| !l.starts_with('#')) {
            let mut f = l.split('\t');
            let (Some(kind), Some(key), Some(counts)) = (f.next(), f.next(), f.next()) else { continue };
            let Some(kind) = kind.chars().next() else { continue };
            let slot = out.entry((kind, key.to_string())).or_insert([0; 9]);
            for (s, c) in slot.iter_mut().zip(counts.split(' ')) {
                *s += c.parse::<u32>().unwrap_or(0);
            }
        }
        out
    }

    /// The word (`w`) and stem (`s`) tables of a set of counts.
    pub fn from_counts(counts: &PriorCounts) -> (LabelPrior, LabelPrior) {
        let (mut w, mut s) = (LabelPrior::default(), LabelPrior::default());
        for ((kind, key), c) in counts {
            let n: u32 = c.iter().sum();
            if n < PRIOR_MIN_COUNT {
                continue;
            }
            let mut values = Vec::new();
            for (l, &k) in PRIOR_LABELS.iter().zip(c.iter()).skip(1) {
                let share = k as f64 / n as f64;
                let bucket = match share {
                    x if x < 0.05 => continue,
                    x if x < 0.2 => 1,
                    x if x < 0.5 => 2,
                    x if x < 0.8 => 3,
                    _ => 4,
                };
                values.push(format!("{l}:{bucket}"));
            }
            if values.is_empty() {
                continue;
            }
            let table = if *kind == 's' { &mut s } else { &mut w };
            table.values.insert(key.clone(), values);
        }
        (w, s)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The feature values of a key: empty without a table, `unk` for a key it lacks.
    pub fn values_of(&self, key: &str) -> Vec<String> {
        if self.values.is_empty() {
            return Vec::new();
        }
        self.values.get(key).cloned().unwrap_or_else(|| vec!["unk".to_string()])
    }
}

const TRIGGERS: &[(&str, &[&str])] = &[
    (
        "TITLE",
        &[
            "رييس",
            "وزير",
            "ملك",
            "امير",
            "شيخ",
            "سيد",
            "سيده",
            "دكتور",
            "متحدث",
            "ناطق",
            "نايب",
            "زعيم",
            "مستشار",
            "قايد",
            "جنرال",
            "لواء",
            "عميد",
            "عقيد",
            "امين",
            "مدير",
            "سفير",
            "رييسه",
            "وزيره",
            "مرشح",
            "بابا",
            "اميره",
            "ملكه",
            "سناتور",
            "نجم",
            "لاعب",
            "مدرب",
            "مبعوث",
            "مفوض",
            "حاكم",
            "اخيه",
            "الشيخ",
            "الامام",
            "امام",
            "رجل",
            "الكاتب",
            "كاتب",
            "مخرج",
            "فنان",
            "فنانه",
            "الممثل",
            "ممثل",
            "مراسل",
            "محافظ",
            "قاضي",
            "نجل",
            "ابن",
            "بن",
        ],
    ),
    (
        "SAY",
        &["قال", "اكد", "اعلن", "اضاف", "صرح", "اوضح", "ذكر", "اشار", "قالت", "اكدت", "اعلنت", "اضافت", "ابلغ", "دعا"],
    ),
    (
        "LOCPREP",
        &[
            "في",
            "من",
            "الي",
            "علي",
            "عبر",
            "داخل",
            "شمال",
            "جنوب",
            "شرق",
            "غرب",
            "شمالي",
            "جنوبي",
            "وسط",
            "قرب",
            "انحاء",
        ],
    ),
    (
        "LOCHEAD",
        &[
            "مدينه",
            "عاصمه",
            "ولايه",
            "منطقه",
            "محافظه",
            "دوله",
            "جمهوريه",
            "مملكه",
            "اقليم",
            "جزيره",
            "بحر",
            "نهر",
            "جبل",
            "قريه",
            "بلده",
            "حي",
            "مطار",
            "ميناء",
            "شارع",
            "مقاطعه",
            "بلاد",
            "عاصمتها",
        ],
    ),
    (
        "ORGHEAD",
        &[
            "شركه",
            "حزب",
            "منظمه",
            "جامعه",
            "وكاله",
            "مجلس",
            "اتحاد",
            "بنك",
            "صحيفه",
            "جمعيه",
            "حركه",
            "هييه",
            "موسسه",
            "نادي",
            "فريق",
            "محكمه",
            "وزاره",
            "لجنه",
            "جبهه",
            "مصرف",
            "معهد",
            "مركز",
            "منتخب",
            "قناه",
            "اذاعه",
            "تلفزيون",
            "مجموعه",
            "جيش",
            "برلمان",
            "كونغرس",
            "حكومه",
            "صندوق",
            "بورصه",
            "جريده",
            "مجله",
            "رابطه",
            "تحالف",
        ],
    ),
    (
        "NAT",
        &[
            "امريكي",
            "اميركي",
            "فرنسي",
            "بريطاني",
            "روسي",
            "الماني",
            "اسرايلي",
            "فلسطيني",
            "عراقي",
            "مصري",
            "سوري",
            "لبناني",
            "اردني",
            "سعودي",
            "ايراني",
            "تركي",
            "صيني",
            "ياباني",
            "ايطالي",
            "اسباني",
            "عربي",
            "اوروبي",
            "دولي",
        ],
    ),
];

const DATELINE_PLACES: &str = include_str!("../../../../data/text/dateline_places.tsv");

impl Resources {
    /// Resources over the given clusters and the text layer's place list.
    pub fn new(word_clusters: Clusters, stem_clusters: Clusters) -> Resources {
        let mut places = FxHashMap::default();
        let mut place_heads = FxHashSet::default();
        for l in DATELINE_PLACES.lines().filter(|l| !l.starts_with('#')) {
            let mut c = l.split('\t');
            let (Some(name), _, Some(kind)) = (c.next(), c.next(), c.next()) else { continue };
            let key: Vec<String> = name.split_whitespace().map(word_key).collect();
            if key.len() > 1 {
                place_heads.insert(key[0].clone());
            }
            let key = key.join(" ");
            let bare = key.strip_prefix("ال").filter(|r| r.chars().count() >= 3).map(str::to_string);
            places.insert(key, kind.trim().to_string());
            if let Some(b) = bare {
                places.entry(b).or_insert_with(|| kind.trim().to_string());
            }
        }
        let mut triggers = FxHashMap::default();
        for (class, words) in TRIGGERS {
            for w in *words {
                triggers.insert(*w, *class);
            }
        }
        Resources {
            lexicon: Lexicon::embedded(),
            word_clusters,
            stem_clusters,
            word_clusters2: Clusters::default(),
            places,
            triggers,
            place_heads,
            prior_word: LabelPrior::default(),
            prior_stem: LabelPrior::default(),
        }
    }

    /// The same resources with a second word clustering.
    pub fn with_clusters2(mut self, clusters: Clusters) -> Resources {
        self.word_clusters2 = clusters;
        self
    }

    /// The same resources with a label prior (counts of a label-prior file).
    pub fn with_prior(mut self, counts: &PriorCounts) -> Resources {
        (self.prior_word, self.prior_stem) = LabelPrior::from_counts(counts);
        self
    }
}

/// What is known about one word before its neighbours are looked at.
#[derive(Clone)]
pub struct Tok {
    norm: String,
    key: String,
    stem10: String,
    /// lossy key of the word without clitics
    bare: String,
    proclitics: String,
    article: bool,
    enclitic: Option<String>,
    shape: &'static str,
    len: usize,
    wc: Option<String>,
    sc: Option<String>,
    wc2: Option<String>,
    trig: Option<&'static str>,
    freq: u32,
    /// share of corpus occurrences that carry the article (names rarely do): 0..=4, 9 = unseen
    art_ratio: u32,
    /// label-prior values of the word key and of the clitic-free stem key
    pw: Vec<String>,
    ps: Vec<String>,
    /// the place list's kind of the word (key, else clitic-free key), as a one-word mark
    place: Option<String>,
    /// does a multi-word place name begin with the clitic-free key?
    place_head: bool,
    /// the trigger's document-evidence class (index in [`TRIGGER_CLASSES`])
    trig_class: Option<u8>,
    /// is the word gathered for document evidence (see [`Tok::global_key`])?
    gathered: bool,
    /// is it a quotation mark?
    quote: bool,
}

fn shape(w: &str) -> &'static str {
    let mut digit = false;
    let mut latin = false;
    let mut arabic = false;
    let mut other = false;
    for c in w.chars() {
        if c.is_ascii_digit() || ('٠'..='٩').contains(&c) {
            digit = true
        } else if c.is_ascii_alphabetic() {
            latin = true
        } else if marsad_text::chars::is_arabic_letter(c) {
            arabic = true
        } else if !c.is_alphanumeric() {
            other = true
        }
    }
    match (digit, latin, arabic, other) {
        (true, false, false, _) => "NUM",
        (true, _, _, _) => "HASDIGIT",
        (false, true, false, _) => "LATIN",
        (false, _, true, _) => "AR",
        (false, false, false, true) => "PUNCT",
        _ => "OTHER",
    }
}

thread_local! {
    static ANALYSES: std::cell::RefCell<FxHashMap<Box<str>, std::rc::Rc<Tok>>> = std::cell::RefCell::new(FxHashMap::default());
}

/// Empties this thread's memo of word analyses (benchmarks measure cold passes).
pub fn clear_analysis_cache() {
    ANALYSES.with_borrow_mut(|c| c.clear());
}

/// Word forms repeat, and a word's analysis depends on nothing else: each thread remembers
/// the analyses it made (a bounded memo of a pure function; one feature set per process).
pub fn analyse_cached(w: &str, fs: &FeatureSet, res: &Resources) -> std::rc::Rc<Tok> {
    ANALYSES.with_borrow_mut(|cache| {
        if let Some(t) = cache.get(w) {
            return std::rc::Rc::clone(t);
        }
        if cache.len() >= 200_000 {
            cache.clear();
        }
        let t = std::rc::Rc::new(analyse(w, fs, res));
        cache.insert(Box::from(w), std::rc::Rc::clone(&t));
        t
    })
}

/// What is known about a word form before its neighbours are looked at.
pub fn analyse(w: &str, fs: &FeatureSet, res: &Resources) -> Tok {
    let norm = marsad_text::lossless(w);
    let key = word_key(w);
    let stem10 = marsad_text::light10(&key).to_string();
    let pieces = segment_word(res.lexicon, w);
    // the clitic-free stem's key, as `stem_key` gives it (the same segmentation, made once)
    let stem_key = pieces
        .iter()
        .find(|p| p.role == PieceRole::Stem)
        .map_or_else(|| key.clone(), |p| word_key(&w[p.span.start..p.span.end]));
    let mut proclitics = String::new();
    let mut article = false;
    let mut enclitic = None;
    let mut bare = key.clone();
    let mut bare_ll = norm.clone();
    for p in &pieces {
        match p.role {
            PieceRole::Proclitic => proclitics.push_str(&p.norm),
            PieceRole::Article => article = true,
            PieceRole::Stem => {
                bare = word_key(&p.norm);
                bare_ll = p.norm.clone();
            }
            PieceRole::Enclitic => enclitic = Some(p.norm.clone()),
        }
    }
    // the article-less form too, for triggers/gazetteer (the segmenter keeps ال on rare bare forms)
    let trig_key = bare.strip_prefix("ال").filter(|r| r.chars().count() >= 2).unwrap_or(&bare);
    let trig = res.triggers.get(bare.as_str()).or_else(|| res.triggers.get(trig_key)).copied();
    let wc = if fs.word_clusters { res.word_clusters.get(&key).map(str::to_string) } else { None };
    let wc2 = if fs.word_clusters2 && !res.word_clusters2.is_empty() {
        Some(res.word_clusters2.get(&key).unwrap_or("").to_string())
    } else {
        None
    };
    let sc = if fs.stem_clusters { res.stem_clusters.get(&stem_key).map(str::to_string) } else { None };
    let freq = res.lexicon.freq(&norm);
    let no_art = bare_ll.strip_prefix("ال").unwrap_or(&bare_ll);
    let (with, without) = (res.lexicon.freq(&format!("ال{no_art}")), res.lexicon.freq(no_art));
    let art_ratio = if with + without < 5 { 9 } else { (4 * with + (with + without) / 2) / (with + without) };
    let (pw, ps) = if fs.prior {
        (res.prior_word.values_of(&key), res.prior_stem.values_of(&stem_key))
    } else {
        (Vec::new(), Vec::new())
    };
    let shape = shape(w);
    Tok {
        trig_class: trig.and_then(|c| TRIGGER_CLASSES.iter().position(|x| *x == c)).map(|c| c as u8),
        gathered: trig.is_none() && matches!(shape, "AR" | "LATIN") && bare.chars().count() >= 2,
        quote: matches!(norm.as_str(), "«" | "»" | "\""),
        place: res.places.get(&key).or_else(|| res.places.get(&bare)).map(|k| format!("U{k}")),
        place_head: res.place_heads.contains(&bare),
        pw,
        ps,
        art_ratio,
        len: key.chars().count(),
        shape,
        norm,
        stem10,
        bare,
        proclitics,
        article,
        enclitic,
        key,
        wc,
        sc,
        wc2,
        trig,
        freq,
    }
}

/// Where features go: attribute lists for training and the crfs tagger, or straight into
/// label scores for marsad's own inference (no string is allocated per feature there).
pub trait FeatureSink {
    /// The next word's features follow.
    fn begin_item(&mut self);
    /// One feature (value 1), its name given as format arguments.
    fn feat(&mut self, name: std::fmt::Arguments<'_>);
    /// One feature whose name is its parts one after another (the common case, which needs no
    /// formatting: a scoring sink hashes the parts' bytes as they are).
    fn feat_parts(&mut self, parts: &[&str]) {
        self.feat(format_args!("{}", Concat(parts)));
    }
}

/// Displays string parts one after another.
struct Concat<'a>(&'a [&'a str]);

impl std::fmt::Display for Concat<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|p| f.write_str(p))
    }
}

/// Small numbers as feature-name text (lengths, buckets, cluster prefix lengths).
const NUMBERS: [&str; 33] = [
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20",
    "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32",
];

/// A context offset as feature-name text.
fn offset(o: isize) -> &'static str {
    match o {
        -2 => "-2",
        -1 => "-1",
        0 => "0",
        1 => "1",
        2 => "2",
        _ => unreachable!("context offsets are within ±2"),
    }
}

/// Collects attribute lists, one per word.
#[derive(Default)]
pub struct AttributeSink {
    pub items: Vec<Vec<Attribute>>,
}

impl FeatureSink for AttributeSink {
    fn begin_item(&mut self) {
        self.items.push(Vec::with_capacity(64));
    }

    fn feat(&mut self, name: std::fmt::Arguments<'_>) {
        if let Some(item) = self.items.last_mut() {
            item.push(Attribute::new(name.to_string(), 1.0));
        }
    }
}

fn prefixes_suffixes(sink: &mut impl FeatureSink, tag: &str, s: &str) {
    // byte offsets of the char boundaries after the first and before the last three chars
    let len = s.chars().count();
    let heads: Vec<usize> = s.char_indices().map(|(i, _)| i).skip(1).take(3).collect();
    let tails: Vec<usize> = s.char_indices().rev().map(|(i, _)| i).take(3).collect();
    for n in 1..=3 {
        if len > n {
            sink.feat_parts(&[tag, "p", NUMBERS[n], "=", &s[..heads[n - 1]]]);
            sink.feat_parts(&[tag, "s", NUMBERS[n], "=", &s[tails[n - 1]..]]);
        }
    }
}

const CLUSTER_PREFIXES: [usize; 4] = [4, 8, 12, 16];

/// Attribute lists for one sentence.
pub fn sentence_features(words: &[&str], fs: &FeatureSet, res: &Resources) -> Vec<Vec<Attribute>> {
    let mut sink = AttributeSink::default();
    features_into(words, fs, res, &mut sink);
    sink.items
}

/// The features of one sentence, word by word, into a sink.
pub fn features_into(words: &[&str], fs: &FeatureSet, res: &Resources, sink: &mut impl FeatureSink) {
    for p in prepare_document(&[words], fs, res) {
        emit_prepared(&p, fs, sink);
    }
}

/// Prepares the sentences of one document and gathers its document evidence.
fn prepare_document(sentences: &[&[&str]], fs: &FeatureSet, res: &Resources) -> Vec<Prepared> {
    let mut doc: Vec<Prepared> = sentences.iter().map(|w| prepare(w, fs, res)).collect();
    if fs.document {
        add_document_evidence(&mut doc);
    }
    doc
}

/// The features of a prepared sentence, word by word, into a sink.
fn emit_prepared(p: &Prepared, fs: &FeatureSet, sink: &mut impl FeatureSink) {
    let n = p.toks.len();
    for i in 0..n {
        sink.begin_item();
        position_features(p, i, fs, sink);
        word_features(&p.toks[i], fs, true, sink);
        for o in CONTEXT_OFFSETS {
            let j = i as isize + o;
            if j >= 0 && (j as usize) < n {
                context_features(&p.toks[j as usize], o, fs, true, sink);
            }
        }
    }
}

/// The neighbours whose words give features: two on each side.
pub const CONTEXT_OFFSETS: [isize; 4] = [-2, -1, 1, 2];

/// What a sentence's features are computed from.
pub struct Prepared {
    pub(crate) toks: Vec<std::rc::Rc<Tok>>,
    /// Place-list marks: B/I/U + kind.
    gaz: Vec<Option<String>>,
    /// Knowledge-base marks: B/I + type.
    kb: Vec<Option<String>>,
    /// Per word, the context classes its other occurrences in the document stand in (a bit per
    /// class id), and how many they are (see [`add_document_evidence`]).
    global: Vec<(u64, usize)>,
}

/// Where a context class of an occurrence comes from, and the classes there: the trigger class of
/// the word two before, one before, one after; the type of a knowledge-base name the word is in;
/// a place-list mark or quotes around it. A class id is slot * 8 + the class's index.
const GLOBAL_SLOTS: [(&str, &[&str]); 5] = [
    ("t-2", &TRIGGER_CLASSES),
    ("t-1", &TRIGGER_CLASSES),
    ("t+1", &TRIGGER_CLASSES),
    ("kb", &KB_TYPES),
    ("mark", &["place", "quote"]),
];
const TRIGGER_CLASSES: [&str; 6] = ["TITLE", "SAY", "LOCPREP", "LOCHEAD", "ORGHEAD", "NAT"];
const KB_TYPES: [&str; 7] = ["PER", "ORG", "MISC", "NORP", "LOC", "GPE", "FAC"];

impl Tok {
    /// The key a word's occurrences are gathered under for document evidence (None: function
    /// words, punctuation, numbers, one-letter words).
    fn global_key(&self) -> Option<&str> {
        self.gathered.then_some(self.bare.as_str())
    }
}

/// Document-evidence class ids (some unused): slot * 8 + class.
const GLOBAL_IDS: usize = GLOBAL_SLOTS.len() * 8;

/// One document-evidence feature of a word: a class its other occurrences stand in, or how many
/// they are (bucketed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentFeature {
    Class(usize),
    Others(usize),
}

impl DocumentFeature {
    /// Every feature there is, in the order of their indexes.
    pub fn all() -> impl Iterator<Item = DocumentFeature> {
        (0..GLOBAL_IDS).map(DocumentFeature::Class).chain((0..4).map(DocumentFeature::Others))
    }

    pub fn index(self) -> usize {
        match self {
            DocumentFeature::Class(c) => c,
            DocumentFeature::Others(b) => GLOBAL_IDS + b,
        }
    }
}

/// The document-evidence features of the word at `i` (none for words it does not apply to).
pub fn document_evidence(p: &Prepared, i: usize) -> impl Iterator<Item = DocumentFeature> + '_ {
    let (classes, others) = p.global[i];
    let applies = p.toks[i].gathered;
    let bucket = match others {
        0 => 0,
        1 => 1,
        2 | 3 => 2,
        _ => 3,
    };
    let classes = if applies { classes } else { 0 };
    applies.then_some(DocumentFeature::Others(bucket)).into_iter().chain(bits(classes).map(DocumentFeature::Class))
}

/// The set bits of a mask, lowest first.
fn bits(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let b = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            b
        })
    })
}

/// Emits one document-evidence feature.
pub fn document_feature(f: DocumentFeature, sink: &mut impl FeatureSink) {
    match f {
        DocumentFeature::Others(b) => sink.feat_parts(&["gn=", NUMBERS[b]]),
        DocumentFeature::Class(c) => {
            let (slot, classes) = GLOBAL_SLOTS[c / 8];
            sink.feat_parts(&["g=", slot, ":", classes.get(c % 8).copied().unwrap_or("?")]);
        }
    }
}

/// The context classes of the word at `i`, a bit per class id.
fn context_classes(p: &Prepared, i: usize) -> u64 {
    let mut out = 0u64;
    for (slot, o) in [(0usize, -2isize), (1, -1), (2, 1)] {
        let j = i as isize + o;
        if j >= 0
            && (j as usize) < p.toks.len()
            && let Some(c) = p.toks[j as usize].trig_class
        {
            out |= 1 << (slot * 8 + usize::from(c));
        }
    }
    if let Some(ty) = p.kb[i].as_deref().and_then(|k| k.split_once('-')).map(|x| x.1)
        && let Some(t) = KB_TYPES.iter().position(|x| *x == ty)
    {
        out |= 1 << (3 * 8 + t);
    }
    if p.gaz[i].is_some() {
        out |= 1 << (4 * 8);
    }
    let quote = |j: isize| j >= 0 && (j as usize) < p.toks.len() && p.toks[j as usize].quote;
    if quote(i as isize - 1) || quote(i as isize + 1) {
        out |= 1 << (4 * 8 + 1);
    }
    out
}

/// Gives every word of a document's sentences its document evidence: the context classes its
/// other occurrences (same clitic-free key) stand in, and their number (Chieu & Ng's global
/// features: a name met after فريق once is a team wherever the article repeats it).
pub fn add_document_evidence(doc: &mut [Prepared]) {
    let classes: Vec<Vec<u64>> =
        doc.iter().map(|p| (0..p.toks.len()).map(|i| context_classes(p, i)).collect()).collect();
    // per key: the classes one occurrence stands in, those two or more do, and how many
    // occurrences there are
    let mut totals: FxHashMap<&str, (u64, u64, usize)> = FxHashMap::default();
    for (p, cs) in doc.iter().zip(&classes) {
        for (t, &c) in p.toks.iter().zip(cs) {
            if let Some(k) = t.global_key() {
                let e = totals.entry(k).or_insert((0, 0, 0));
                e.1 |= e.0 & c;
                e.0 |= c;
                e.2 += 1;
            }
        }
    }
    let global: Vec<Vec<(u64, usize)>> = doc
        .iter()
        .zip(&classes)
        .map(|(p, cs)| {
            p.toks
                .iter()
                .zip(cs)
                .map(|(t, &own)| {
                    let Some(&(once, twice, n)) = t.global_key().and_then(|k| totals.get(k)) else {
                        return (0, 0);
                    };
                    // a class counts when an occurrence other than this one stands in it
                    (twice | (once & !own), n - 1)
                })
                .collect()
        })
        .collect();
    for (p, g) in doc.iter_mut().zip(global) {
        p.global = g;
    }
}

/// Attribute lists for the sentences of one document (document evidence gathered over them).
pub fn document_features(sentences: &[&[&str]], fs: &FeatureSet, res: &Resources) -> Vec<Vec<Vec<Attribute>>> {
    prepare_document(sentences, fs, res)
        .iter()
        .map(|p| {
            let mut sink = AttributeSink::default();
            emit_prepared(p, fs, &mut sink);
            sink.items
        })
        .collect()
}

/// Analyses the words of a sentence and marks its place and knowledge-base names.
pub fn prepare(words: &[&str], fs: &FeatureSet, res: &Resources) -> Prepared {
    let kb = if fs.knowledge { knowledge_tags(words) } else { vec![None; words.len()] };
    prepare_with_knowledge(words, kb, fs, res)
}

/// The same, with the knowledge-base marks already known (from the document's own tokens).
pub fn prepare_with_knowledge(words: &[&str], kb: Vec<Option<String>>, fs: &FeatureSet, res: &Resources) -> Prepared {
    prepare_analysed(words.iter().map(|w| analyse_cached(w, fs, res)).collect(), kb, fs, res)
}

/// The same, with the words already analysed.
pub fn prepare_analysed(
    toks: Vec<std::rc::Rc<Tok>>,
    kb: Vec<Option<String>>,
    fs: &FeatureSet,
    res: &Resources,
) -> Prepared {
    let n = toks.len();
    // gazetteer: one- and two-word place names (whole key, clitic-free key)
    let mut gaz: Vec<Option<String>> = vec![None; n];
    if fs.gazetteer {
        for i in 0..n {
            if i + 1 < n && toks[i].place_head {
                let two = format!("{} {}", toks[i].bare, toks[i + 1].key);
                if let Some(k) = res.places.get(&two) {
                    gaz[i] = Some(format!("B{k}"));
                    gaz[i + 1] = Some(format!("I{k}"));
                    continue;
                }
            }
            if gaz[i].is_none() {
                gaz[i] = toks[i].place.clone();
            }
        }
    }
    Prepared { global: vec![(0, 0); toks.len()], toks, gaz, kb }
}

/// Features of a position that depend on more than one word: sentence and window edges, place
/// and knowledge-base marks, key bigrams, document evidence.
pub fn position_features(p: &Prepared, i: usize, fs: &FeatureSet, sink: &mut impl FeatureSink) {
    edge_features(i, p.toks.len(), fs, sink);
    inner_position_features(p, i, fs, sink);
    if fs.document {
        for f in document_evidence(p, i) {
            document_feature(f, sink);
        }
    }
}

/// Features of a position that depend only on how far it lies from the sentence's edges (up to
/// two words: a scorer may remember the nine cases).
pub fn edge_features(i: usize, n: usize, fs: &FeatureSet, sink: &mut impl FeatureSink) {
    sink.feat_parts(&["bias"]);
    if i == 0 {
        sink.feat_parts(&["BOS"]);
    }
    if i + 1 == n {
        sink.feat_parts(&["EOS"]);
    }
    if fs.window {
        for o in CONTEXT_OFFSETS {
            let j = i as isize + o;
            if j < 0 || j as usize >= n {
                sink.feat_parts(&["k[", offset(o), "]=__"]);
            }
        }
    }
}

/// The features of [`position_features`] but the edge ones and document evidence.
pub fn inner_position_features(p: &Prepared, i: usize, fs: &FeatureSet, sink: &mut impl FeatureSink) {
    let toks = &p.toks;
    let n = toks.len();
    if fs.knowledge {
        for (o, tag) in [(-1isize, "kb-1"), (0, "kb0"), (1, "kb+1")] {
            let j = i as isize + o;
            if j >= 0
                && (j as usize) < n
                && let Some(k) = &p.kb[j as usize]
            {
                sink.feat(format_args!("{tag}={k}"));
            }
        }
    }
    if let Some(g) = &p.gaz[i] {
        sink.feat(format_args!("gaz={g}"));
    }

    if fs.gazetteer {
        for (o, tag) in [(-1isize, "gaz-1"), (1, "gaz+1")] {
            let j = i as isize + o;
            if j >= 0 && (j as usize) < n && p.gaz[j as usize].is_some() {
                sink.feat(format_args!("{tag}"));
            }
        }
    }
    if fs.window {
        let kk = |j: isize| if j < 0 || j as usize >= n { "__" } else { toks[j as usize].key.as_str() };
        let ii = i as isize;
        sink.feat_parts(&["k[-1,0]=", kk(ii - 1), "|", kk(ii)]);
        sink.feat_parts(&["k[0,1]=", kk(ii), "|", kk(ii + 1)]);
    }
}

/// Features of the word itself (cacheable per word form); its cluster features only with
/// `clusters` (a scorer may take them per cluster path instead, see [`cluster_paths`]).
pub fn word_features(t: &Tok, fs: &FeatureSet, clusters: bool, sink: &mut impl FeatureSink) {
    if fs.lex {
        sink.feat_parts(&["w=", &t.norm]);
        sink.feat_parts(&["k=", &t.key]);
        sink.feat_parts(&["s10=", &t.stem10]);
    }
    if fs.clitics {
        sink.feat_parts(&["bare=", &t.bare]);
        if !t.proclitics.is_empty() {
            sink.feat_parts(&["pro=", &t.proclitics]);
            for (i, c) in t.proclitics.char_indices() {
                sink.feat_parts(&["pro1=", &t.proclitics[i..i + c.len_utf8()]]);
            }
        }
        if t.article {
            sink.feat_parts(&["art"]);
        }
        if let Some(e) = &t.enclitic {
            sink.feat_parts(&["enc=", e]);
        }
    }
    if fs.affixes {
        prefixes_suffixes(sink, "k", &t.key);
        if fs.clitics && t.bare != t.key {
            prefixes_suffixes(sink, "b", &t.bare);
        }
    }
    if fs.shape {
        sink.feat_parts(&["shape=", t.shape]);
        sink.feat_parts(&["len=", NUMBERS[t.len.min(10)]]);
    }
    if fs.freq {
        let b = 32 - t.freq.leading_zeros();
        sink.feat_parts(&["fq=", NUMBERS[b as usize / 2]]);
        sink.feat_parts(&["artr=", NUMBERS[t.art_ratio as usize]]);
    }
    if fs.triggers
        && let Some(c) = t.trig
    {
        sink.feat_parts(&["t0=", c]);
    }
    if clusters {
        for (tag, path) in cluster_paths(t, fs) {
            cluster_features(sink, tag, path, 0);
        }
    }
    for v in &t.pw {
        sink.feat_parts(&["pw=", v]);
    }
    for v in &t.ps {
        sink.feat_parts(&["ps=", v]);
    }
}

/// Features a neighbour at offset `o` gives (cacheable per word form and offset); its cluster
/// features only with `clusters`.
pub fn context_features(u: &Tok, o: isize, fs: &FeatureSet, clusters: bool, sink: &mut impl FeatureSink) {
    if fs.triggers
        && o < 2
        && let Some(c) = u.trig
    {
        let tag = match o {
            -2 => "t-2",
            -1 => "t-1",
            _ => "t+1",
        };
        sink.feat_parts(&[tag, "=", c]);
    }
    if clusters {
        for (tag, path) in cluster_paths(u, fs) {
            cluster_features(sink, tag, path, o);
        }
    }
    let o = offset(o);
    if o == "-1" || o == "1" {
        for v in &u.pw {
            sink.feat_parts(&["pw[", o, "]=", v]);
        }
    }
    if fs.window {
        sink.feat_parts(&["k[", o, "]=", &u.key]);
        sink.feat_parts(&["s10[", o, "]=", &u.stem10]);
        if fs.clitics && (o == "-1" || o == "1") {
            sink.feat_parts(&["bare[", o, "]=", &u.bare]);
        }
    }
}

/// For each word, whether it begins or continues a knowledge-base name, and the name's type:
/// "B-ORG", "I-PER" … (the words are joined by spaces and matched as marsad matches text).
pub fn knowledge_tags(words: &[&str]) -> Vec<Option<String>> {
    let mut text = String::new();
    let mut starts = Vec::with_capacity(words.len());
    for w in words {
        if !text.is_empty() {
            text.push(' ');
        }
        starts.push(text.len());
        text.push_str(w);
    }
    let tokens = marsad_text::Tokenizer::default().tokenize(&text);
    knowledge_tags_of(&tokens, &starts)
}

/// Knowledge-base marks for words starting at the given byte offsets of the tokens' text.
pub fn knowledge_tags_of(tokens: &[marsad_text::Token], starts: &[usize]) -> Vec<Option<String>> {
    knowledge_tags_of_matches(&marsad_kb::KnowledgeBase::embedded().find(tokens), starts)
}

/// The same, from the knowledge base's matches in those tokens.
pub fn knowledge_tags_of_matches(matches: &[marsad_kb::ActorMatch], starts: &[usize]) -> Vec<Option<String>> {
    let kb = marsad_kb::KnowledgeBase::embedded();
    let word_of = |byte: usize| starts.partition_point(|&s| s <= byte).saturating_sub(1);
    let mut tags = vec![None; starts.len()];
    for m in matches {
        let ty = crate::recognize::type_of_kind(kb.actors()[m.actor].kind);
        let (a, b) = (word_of(m.span.start), word_of(m.span.end.saturating_sub(1)));
        for (k, tag) in tags.iter_mut().enumerate().take(b + 1).skip(a) {
            *tag = Some(format!("{}-{ty:?}", if k == a { "B" } else { "I" }));
        }
    }
    tags
}

/// The word's path in each clustering that is on, with the clustering's feature tag (`None`: the
/// word is not in that clustering). Its cluster features depend on nothing else.
pub fn cluster_paths<'t>(t: &'t Tok, fs: &FeatureSet) -> impl Iterator<Item = (&'static str, Option<&'t str>)> {
    let wc = fs.word_clusters.then_some(("wc", t.wc.as_deref()));
    let sc = fs.stem_clusters.then_some(("sc", t.sc.as_deref()));
    let xc = t.wc2.as_ref().map(|p| ("xc", Some(p.as_str()).filter(|p| !p.is_empty())));
    [wc, sc, xc].into_iter().flatten()
}

/// The features of a cluster path, given by a word at offset `o`.
pub fn cluster_features(sink: &mut impl FeatureSink, tag: &str, path: Option<&str>, o: isize) {
    let os = offset(o);
    match path {
        Some(p) => {
            let prefixes: &[usize] = if o == 0 { &CLUSTER_PREFIXES } else { &[6, 12] };
            for &l in prefixes {
                let l = l.min(p.len());
                sink.feat_parts(&[tag, NUMBERS[l], "[", os, "]=", &p[..l]]);
            }
            if o == 0 {
                sink.feat_parts(&[tag, "[0]=", p]);
            }
        }
        None => sink.feat_parts(&[tag, "[", os, "]=none"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document-evidence features of each word of a document's sentences.
    fn evidence(sentences: &[&[&str]]) -> Vec<Vec<Vec<DocumentFeature>>> {
        let res = Resources::new(Clusters::default(), Clusters::default());
        let fs = FeatureSet::parse("all,doc");
        let doc = prepare_document(sentences, &fs, &res);
        doc.iter().map(|p| (0..p.toks.len()).map(|i| document_evidence(p, i).collect()).collect()).collect()
    }

    #[test]
    fn document_evidence_counts_other_occurrences_only() {
        use DocumentFeature::{Class, Others};
        let title = TRIGGER_CLASSES.iter().position(|c| *c == "TITLE").unwrap();
        // slot 1 is the word before (t-1)
        let after_title = Class(8 + title);
        let e = evidence(&[&["الرئيس", "كوفاني", "كتابا"], &["وصل", "كوفاني", "أمس"], &["كوفاني", "هنا"]]);
        // the name after a title: its own class is not evidence, and two others are there
        assert_eq!(e[0][1], [Others(2)]);
        // elsewhere, the one occurrence after a title is
        assert_eq!(e[1][1], [Others(2), after_title]);
        assert_eq!(e[2][0], [Others(2), after_title]);
        // a trigger word is not gathered; a word met once has no others
        assert!(e[0][0].is_empty());
        assert_eq!(e[1][2], [Others(0)]);
        // two occurrences after a title: each sees the other's
        let e = evidence(&[&["الرئيس", "كوفاني"], &["الوزير", "كوفاني"]]);
        assert_eq!(e[0][1], [Others(1), after_title]);
    }
}
