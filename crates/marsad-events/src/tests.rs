use super::*;
use marsad_core::PlaceVia;

const TRIGGERS: &str = "trigger\tpos\tevent_type\tsub_event_type\tplover\tcameo\tnotes
قصف\tnoun\tExplosions/Remote violence\tShelling/artillery/missile attack\tASSAULT:explosion\t19\ttest
اقتحم\tverb_perf\tRiots\tViolent demonstration\tPROTEST:riot\t14\ttest
اشتباكات\tnoun\tBattles\tArmed clash\tFIGHT\t19\ttest
سيطر على\tphrase\tBattles\tNon-state actor overtakes territory\tSEIZE\t19\ttest
اعتقل\tverb_perf\tStrategic developments\tArrests\tCOERCE:arrest\t17\ttest
مقتل\tnoun\t\t\t\t\tcasualty
جرح\tnoun\t\t\t\t\tcasualty
غرق\tverb_perf\tNONE\t\t\t\taccident
لم\tparticle\tMODALITY\tnegated\t\t\ttest
بعد\tphrase\tREFERENCE\t\t\t\ttest
قضية\tphrase\tREFERENCE\t\t\t\ttest
";

fn lexicons() -> Lexicons {
    Lexicons::parse(
        ("t.tsv", TRIGGERS),
        ("a.tsv", "المحتجون\tprotesters\tProtesters\n"),
        ("n.tsv", "ثلاثة\t3\nعشرات\t12\n"),
        ("d.tsv", "أمس\tday:-1\nالجمعة\tweekday:4\nتموز\tmonth:7\n"),
        ("c.tsv", "مقتل\tkilled\nاعتقل\tarrested\nنزوح\tdisplaced\n"),
        &Tokenizer::default(),
    )
    .expect("lexicons")
}

fn place(text: &str, at: usize, id: &str, precision: u8) -> Place {
    Place {
        start: at,
        end: at + text.len(),
        text: text.to_owned(),
        geonames_id: Some(id.to_owned()),
        name_ar: Some(text.to_owned()),
        name_en: None,
        country: Some("IQ".to_owned()),
        admin1: None,
        admin2: None,
        lat: Some(30.5),
        lon: Some(47.8),
        feature: None,
        precision: Some(precision),
        via: PlaceVia::Name,
        confidence: 1.0,
    }
}

fn entity(text: &str, whole: &str, t: EntityType, kind: Option<&str>) -> Entity {
    let start = whole.find(text).expect("entity in text");
    Entity {
        start,
        end: start + text.len(),
        text: text.to_owned(),
        entity_type: t,
        id: None,
        name_ar: None,
        name_en: None,
        kind: kind.map(str::to_owned),
        nominal: false,
    }
}

fn extract(text: &str, entities: &[Entity], places: &[Place]) -> Vec<Event> {
    let lex = lexicons();
    let speech = quotes::SpeechCues::parse(SPEECH, &Tokenizer::default()).expect("speech");
    extract_by(&Extractor::new(&lex, &speech), text, entities, places, "2018-09-08")
}

/// The events an extractor finds in a text of one or more sentences, published that day.
fn extract_by(x: &Extractor<'_>, text: &str, entities: &[Entity], places: &[Place], published: &str) -> Vec<Event> {
    let tokens = Tokenizer::default().tokenize(text);
    let sentences = marsad_text::split_sentences(text, Span::new(0, text.len()));
    x.extract(&EventInput {
        text,
        tokens: &tokens,
        sentences: &sentences,
        title: None,
        entities,
        places,
        published: Some(published),
    })
}

#[test]
fn one_event_per_sentence_with_type_actors_place_date_and_counts() {
    let text = "اقتحم المحتجون أمس مبنى المحافظة في البصرة. وأسفر قصف على البصرة عن مقتل ثلاثة مدنيين.";
    let basra = text.find("البصرة").expect("place");
    let e = extract(text, &[], &[place("البصرة", basra, "99532", 1)]);
    assert_eq!(e.len(), 2, "{e:#?}");
    let riot = &e[0];
    assert_eq!(riot.acled.as_ref().map(|a| a.sub_event_type.as_str()), Some("Violent demonstration"));
    assert_eq!(riot.actor1.as_ref().map(|a| a.text.as_str()), Some("المحتجون"));
    assert_eq!(riot.date.as_deref(), Some("2018-09-07"), "أمس before a Saturday publication");
    assert_eq!(riot.place.as_ref().and_then(|p| p.geonames_id.as_deref()), Some("99532"));
    let shelling = &e[1];
    assert_eq!(shelling.acled.as_ref().map(|a| a.event_type.as_str()), Some("Explosions/Remote violence"));
    assert_eq!(shelling.fatalities, Some(3));
    assert!(shelling.evidence.text.starts_with("وأسفر قصف"));
}

#[test]
fn accidents_and_negations_are_not_coded() {
    let e = extract("غرق قارب ومقتل ثلاثة في حادث. لم تقصف الطائرات المدينة.", &[], &[]);
    assert!(e.iter().all(|e| e.acled.is_none()), "{e:#?}");
    let negated = e.iter().find(|e| e.modality == Modality::Negated);
    assert!(negated.is_none() || negated.is_some_and(|e| e.acled.is_none()));
}

#[test]
fn weekdays_months_and_merging() {
    // The Friday before a Saturday publication; "19 تموز" in the same year.
    let e = extract("اشتباكات يوم الجمعة في الموصل. وتجددت الاشتباكات الجمعة في الموصل.", &[], &[]);
    assert_eq!(e.len(), 1, "one event mentioned twice: {e:#?}");
    assert_eq!(e[0].date.as_deref(), Some("2018-09-07"));
    let e = extract("قصف عنيف في 19 تموز على الحي.", &[], &[]);
    assert_eq!(e[0].date.as_deref(), Some("2018-07-19"));
}

#[test]
fn who_took_the_territory_decides_the_sub_event_type() {
    // No ground named, no territory taken: "احتل المركز" is a rank.
    assert!(extract("احتل الفريق المركز الثاني", &[], &[]).is_empty());
    let text = "سيطر على الرمادي الجيش العراقي بعد معارك";
    let army = entity("الجيش العراقي", text, EntityType::ORG, Some("state_force"));
    let e = extract(text, &[army], &[place("الرمادي", text.find("الرمادي").expect("place"), "91", 1)]);
    assert_eq!(e[0].acled.as_ref().map(|a| a.sub_event_type.as_str()), Some("Government regains territory"));
    assert_eq!(e[0].actor1.as_ref().map(|a| a.text.as_str()), Some("الجيش العراقي"));
}

#[test]
fn the_agent_of_a_passive_is_actor_one() {
    let text = "اعتقل ثلاثة صحفيين على يد قوات الأمن";
    let journalists = entity("صحفيين", text, EntityType::NORP, None);
    let forces = entity("قوات الأمن", text, EntityType::ORG, Some("state_force"));
    let e = extract(text, &[journalists, forces], &[]);
    assert_eq!(e[0].actor1.as_ref().map(|a| a.text.as_str()), Some("قوات الأمن"));
    assert_eq!(e[0].actor2.as_ref().map(|a| a.text.as_str()), Some("صحفيين"));
    assert_eq!(e[0].arrested, Some(3));
}

#[test]
fn bad_lexicon_rows_name_their_line() {
    let t = Tokenizer::default();
    let bad = "header\nقصف\tnoun\tBattle\tArmed clash\t\t\t\n";
    let e = Lexicons::parse(("t.tsv", bad), ("a", ""), ("n", ""), ("d", ""), ("c", ""), &t).err().expect("error");
    assert_eq!(e.to_string(), "t.tsv: line 2: unknown ACLED event type \"Battle\"");
    let bad = "header\nقصف\tnoun\tBattles\tClash\t\t\t\n";
    let e = Lexicons::parse(("t.tsv", bad), ("a", ""), ("n", ""), ("d", ""), ("c", ""), &t).err().expect("error");
    assert!(e.to_string().contains("not a sub-event type"), "{e}");
}

fn quotes_of(text: &str, entities: &[Entity]) -> Vec<marsad_core::Quote> {
    let tokens = Tokenizer::default().tokenize(text);
    let sentences = marsad_text::split_sentences(text, Span::new(0, text.len()));
    Extractor::embedded().quotes(&EventInput {
        text,
        tokens: &tokens,
        sentences: &sentences,
        title: None,
        entities,
        places: &[],
        published: None,
    })
}

#[test]
fn reported_speech_direct_quotes_and_the_last_speaker() {
    let text = "وقال المتحدث باسم الجيش في بيان إن القوات استعادت السيطرة على البلدة. وأضاف أن العملية مستمرة. \
                وقالت الوزارة: «لن نسمح بتكرار الهجوم».";
    let ministry = entity("الوزارة", text, EntityType::ORG, None);
    let q = quotes_of(text, &[ministry]);
    assert_eq!(q.len(), 3, "{q:#?}");
    assert_eq!(q[0].speaker.as_ref().map(|s| s.text.as_str()), Some("المتحدث باسم الجيش"));
    assert!(q[0].text.starts_with("القوات استعادت"), "{:?}", q[0].text);
    assert_eq!(q[0].channel.as_deref(), Some("statement"));
    assert_eq!(q[1].speaker, q[0].speaker, "وأضاف goes on with the last speaker");
    assert_eq!(q[2].text, "لن نسمح بتكرار الهجوم");
    assert_eq!(q[2].speaker.as_ref().map(|s| s.text.as_str()), Some("الوزارة"));
}

#[test]
fn a_subject_before_the_verb_is_the_speaker() {
    let text = "أفادت التقارير بأن قيادة العمليات أعلنت رفع حظر التجوال.";
    let command = entity("قيادة العمليات", text, EntityType::ORG, None);
    let q = quotes_of(text, &[command]);
    assert!(q.iter().any(|q| q.text.contains("رفع حظر التجوال")), "{q:#?}");
}

#[test]
fn embedded_lexicons_load() {
    let lex = Extractor::embedded().lexicons();
    assert!(lex.triggers.len() > 500, "{}", lex.triggers.len());
    let typed = lex.triggers.iter().filter(|t| matches!(t.kind, TriggerKind::Event { .. })).count();
    assert!(typed > 400, "{typed} typed triggers");
}

#[test]
fn a_headline_and_its_report_are_one_event_at_the_more_precise_place() {
    let text = "اعتقال ثلاثة في العراق. واعتقل الأمن ثلاثة في بغداد.";
    let mut iraq = place("العراق", text.find("العراق").expect("iraq"), "99237", 3);
    iraq.feature = Some("A.PCLI".to_owned());
    let baghdad = place("بغداد", text.find("بغداد").expect("baghdad"), "98182", 1);
    let e = extract(text, &[], &[iraq, baghdad]);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].place.as_ref().and_then(|p| p.geonames_id.as_deref()), Some("98182"));
}

#[test]
fn a_town_is_where_not_who() {
    let text = "اعتقل الأمن في عدن ثلاثة";
    let aden = entity("عدن", text, EntityType::GPE, None);
    let e = extract(text, &[aden], &[place("عدن", text.find("عدن").expect("aden"), "415189", 1)]);
    assert!(e[0].actor1.as_ref().is_none_or(|a| a.text != "عدن"), "{e:#?}");
}

#[test]
fn the_speaker_of_a_report_is_not_its_actor() {
    let text = "ونقلت سبوتنيك عن مصدر إن قصف أمس أصاب البلدة";
    let agency = entity("سبوتنيك", text, EntityType::ORG, Some("media"));
    let e = extract(text, &[agency], &[]);
    assert!(e[0].actor1.as_ref().is_none_or(|a| a.text != "سبوتنيك"), "{e:#?}");
}

#[test]
fn two_places_taken_in_one_sentence_are_two_events() {
    let text = "سيطر على الرمادي الجيش ثم سيطر على هيت";
    let mut hit = place("هيت", text.find("هيت").expect("b"), "92", 1);
    (hit.lat, hit.lon) = (Some(33.64), Some(42.83));
    let p = [place("الرمادي", text.find("الرمادي").expect("a"), "91", 1), hit];
    let e = extract(text, &[], &p);
    assert_eq!(e.len(), 2, "{e:#?}");
}

#[test]
fn the_agent_of_a_verbal_noun_follows_its_lam() {
    // "غارات لطيران التحالف": the coalition's aviation carried out the raids.
    let text = "قصف لطيران التحالف على المدينة أمس";
    let coalition = entity("طيران التحالف", text, EntityType::ORG, Some("state_force"));
    let e = extract(text, &[coalition], &[]);
    assert_eq!(e[0].actor1.as_ref().map(|a| a.text.as_str()), Some("طيران التحالف"), "{e:#?}");
}

#[test]
fn a_battle_without_its_sides_is_fought_by_the_articles_armed_actors() {
    let text =
        "اشتباكات عنيفة في الموصل أمس. وقال الجيش العراقي إن داعش خسر مواقع. وأكد الجيش العراقي تقدمه وتراجع داعش.";
    let mut ents = Vec::new();
    for (name, kind) in [("الجيش العراقي", "state_force"), ("داعش", "rebel_group")] {
        for (at, _) in text.match_indices(name) {
            let mut e = entity(name, text, EntityType::ORG, Some(kind));
            (e.start, e.end) = (at, at + name.len());
            ents.push(e);
        }
    }
    let e = extract(text, &ents, &[]);
    let battle = e.iter().find(|e| e.acled.as_ref().is_some_and(|a| a.event_type == "Battles")).expect("battle");
    let sides: Vec<&str> =
        [&battle.actor1, &battle.actor2].iter().filter_map(|a| a.as_ref().map(|a| a.text.as_str())).collect();
    assert_eq!(sides.len(), 2, "{battle:#?}");
    assert!(sides.contains(&"الجيش العراقي") && sides.contains(&"داعش"));
}

#[test]
fn a_verb_of_saying_without_a_named_speaker_goes_on_with_the_last() {
    let text = "وقالت خلية الصقور إنها اعتقلت عشرة. وأكدت قتل خمسة عناصر من الشبكة.";
    let cell = entity("خلية الصقور", text, EntityType::ORG, None);
    let q = quotes_of(text, &[cell]);
    let second = q.iter().find(|q| q.text.contains("خمسة")).expect("second quote");
    assert_eq!(second.speaker.as_ref().map(|s| s.text.as_str()), Some("خلية الصقور"), "{q:#?}");
}

#[test]
fn hijri_dates_in_text() {
    let lex = Lexicons::parse(
        ("t.tsv", TRIGGERS),
        ("a.tsv", ""),
        ("n.tsv", ""),
        ("d.tsv", "رمضان\thijri:9\n"),
        ("c.tsv", ""),
        &Tokenizer::default(),
    )
    .expect("lexicons");
    let speech = quotes::SpeechCues::parse(SPEECH, &Tokenizer::default()).expect("speech");
    let text = "قصف على الحي في 15 رمضان 1439.";
    let e = extract_by(&Extractor::new(&lex, &speech), text, &[], &[], "2018-06-09");
    assert_eq!(e[0].date.as_deref(), Some("2018-05-29"));
}

#[test]
fn displacement_is_counted() {
    let e = extract("أدى قصف أمس إلى نزوح 6500 شخص من البلدة.", &[], &[]);
    assert_eq!(e[0].displaced, Some(6500), "{e:#?}");
    assert_eq!(e[0].fatalities, None);
}

#[test]
fn titles_generic_heads_and_uncued_quotations_find_their_speaker() {
    let text = "وقال الرئيس الأمريكي، دونالد ترامب، إن الضربات نجحت. \
                وأصدرت منظمة العفو الدولية تقريرا. وقالت المنظمة إن المدنيين قتلوا. «لن نصمت على ذلك أبدا».";
    let trump = entity("دونالد ترامب", text, EntityType::PER, None);
    let amnesty = entity("منظمة العفو الدولية", text, EntityType::ORG, None);
    let q = quotes_of(text, &[trump, amnesty]);
    let by = |needle: &str| {
        q.iter().find(|q| q.text.contains(needle)).and_then(|q| q.speaker.as_ref()).and_then(|s| s.name_ar.clone())
    };
    assert_eq!(by("الضربات نجحت").as_deref(), Some("دونالد ترامب"), "{q:#?}");
    assert_eq!(by("المدنيين قتلوا").as_deref(), Some("منظمة العفو الدولية"), "{q:#?}");
    assert_eq!(by("لن نصمت").as_deref(), Some("منظمة العفو الدولية"), "{q:#?}");
}

#[test]
fn violence_a_word_does_not_type_is_typed_by_its_weapon_or_whom_it_struck() {
    let typed = |text: &str, entities: &[Entity]| -> Vec<(String, Option<String>, Option<String>)> {
        let tokens = Tokenizer::default().tokenize(text);
        let sentences = marsad_text::split_sentences(text, Span::new(0, text.len()));
        Extractor::embedded()
            .extract(&EventInput {
                text,
                tokens: &tokens,
                sentences: &sentences,
                title: None,
                entities,
                places: &[],
                published: Some("2024-03-02"),
            })
            .into_iter()
            .filter_map(|e| {
                let a = e.acled?;
                Some((a.sub_event_type, e.actor1.map(|x| x.text), e.actor2.map(|x| x.text)))
            })
            .collect()
    };
    // Armed men struck: a clash.
    let clash = typed("قتل خمسة من عناصر الشرطة في هجوم على حاجز أمس.", &[]);
    assert_eq!(clash.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["Armed clash"], "{clash:?}");
    // Civilians struck: an attack on them, the civilians its target, not its actor.
    let text = "قتل ثلاثة مدنيين بينهم طفلان في هجوم لمسلحين على قرية أمس.";
    let attack = typed(text, &[entity("مدنيين", text, EntityType::NORP, Some("civilians"))]);
    assert_eq!(attack.len(), 1, "{attack:?}");
    assert_eq!((attack[0].0.as_str(), attack[0].2.as_deref()), ("Attack", Some("مدنيين")), "{attack:?}");
    // A weapon named types it, whoever was struck.
    let remote = typed("استهدف القصف المدفعي البلدة أمس ما أدى إلى مقتل أربعة مدنيين.", &[]);
    assert_eq!(remote.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["Shelling/artillery/missile attack"]);
    // Nobody named after the word, no weapon: counts only, no event.
    assert!(typed("قال سكان إن خمسة قتلوا أمس.", &[]).is_empty());
}

#[test]
fn an_event_word_right_after_a_reference_word_recalls_an_event_rather_than_reporting_it() {
    let told = "وقع أمس قصف على البلدة.";
    assert_eq!(extract(told, &[], &[]).len(), 1, "{told}");
    for recalled in ["عاد الهدوء أمس بعد قصف البلدة.", "تنظر المحكمة أمس في قضية قصف البلدة."]
    {
        assert!(extract(recalled, &[], &[]).is_empty(), "{recalled}");
    }
}

#[test]
fn the_report_models_drop_what_a_sentence_names_in_passing_but_not_counted_dead() {
    let run = |text: &str, model: Option<&report::ReportModel>| {
        extract_by(&Extractor::embedded().with_reports(model), text, &[], &[], "2024-03-12")
    };
    let embedded = Some(report::ReportModel::embedded());
    let passing = "لا يعني هذا التقليل من أهمية الهدنة، فكل يوم دون قصف هو مكسب لعائلات كثيرة.";
    assert_eq!(run(passing, None).len(), 1, "the rules code it");
    assert!(run(passing, embedded).is_empty(), "the model takes it for no report");
    let counted = "قتل ثلاثة مدنيين وأصيب خمسة آخرون أمس في قصف على البلدة.";
    assert_eq!(run(counted, embedded).len(), 1, "counted dead are a report");
}

#[test]
fn a_not_event_takes_its_sentence_but_an_event_verb_told_before_it() {
    let own_clause = "اقتحم المحتجون أمس مبنى المحافظة احتجاجا على غرق العبارة.";
    assert_eq!(extract(own_clause, &[], &[]).len(), 1, "{own_clause}");
    for taken in [
        "غرق قارب أمس واقتحم المحتجون مبنى المحافظة.",
        "مقتل ثلاثة أمس في غرق العبارة.",
        "وقع أمس قصف على البلدة وغرق قارب.",
    ] {
        assert!(extract(taken, &[], &[]).is_empty(), "{taken}");
    }
}
