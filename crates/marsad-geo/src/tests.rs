use super::*;
use marsad_core::{Entity, EntityType, Place, PlaceVia, Span};
use marsad_text::Tokenizer;

fn resolve_with(text: &str, entities: &[(&str, EntityType)], dateline: Option<&str>) -> Vec<Place> {
    let tokens = Tokenizer::default().tokenize(text);
    let entities: Vec<Entity> = entities
        .iter()
        .map(|(s, t)| {
            let start = text.find(s).expect("entity in text");
            Entity {
                start,
                end: start + s.len(),
                text: (*s).to_owned(),
                entity_type: *t,
                id: None,
                name_ar: None,
                name_en: None,
                kind: None,
                nominal: false,
            }
        })
        .collect();
    let sentences = [Span::new(0, text.len())];
    Geocoder::embedded().resolve(&GeoInput {
        text,
        tokens: &tokens,
        entities: &entities,
        sentences: &sentences,
        dateline_country: dateline,
    })
}

fn resolve(text: &str) -> Vec<Place> {
    resolve_with(text, &[], None)
}

fn find<'a>(places: &'a [Place], text: &str) -> &'a Place {
    places.iter().find(|p| p.text == text).unwrap_or_else(|| panic!("no place {text:?} in {places:#?}"))
}

fn near(p: &Place, lat: f64, lon: f64, tolerance: f64) -> bool {
    p.lat.is_some_and(|a| km(a, p.lon.unwrap_or(0.0), lat, lon) <= tolerance)
}

#[test]
fn clitics_and_type_words() {
    let p = resolve("قصفت الطائرات بلدة الباغوز وبعقوبة ومحافظة الأنبار");
    assert!(near(find(&p, "الباغوز"), 34.46, 40.94, 10.0));
    let b = find(&p, "بعقوبة");
    assert_eq!(b.geonames_id.as_deref(), Some("97990"));
    assert_eq!(b.precision, Some(1));
    let a = find(&p, "محافظة الأنبار");
    assert_eq!(a.feature.as_deref(), Some("A.ADM1"));
    assert_eq!(a.precision, Some(3));
    assert_eq!(a.country.as_deref(), Some("IQ"));
}

#[test]
fn a_word_that_only_shares_a_names_stem_is_not_that_place() {
    // عقوبة (punishment) shares its stem key with بعقوبة (Baqubah).
    assert!(resolve("فرضت المحكمة عقوبة على المتهم").is_empty());
}

#[test]
fn context_decides_between_homonyms() {
    // زنجبار: Zanzibar (Tanzania) or Zinjibar (Abyan, Yemen).
    let p = resolve("اشتباكات في زنجبار عاصمة محافظة أبين جنوب اليمن");
    let z = find(&p, "زنجبار");
    assert_eq!(z.country.as_deref(), Some("YE"), "{z:?}");
    let p = resolve_with("وصل السياح إلى زنجبار", &[], Some("TZ"));
    assert_eq!(find(&p, "زنجبار").country.as_deref(), Some("TZ"));
}

#[test]
fn a_persons_nisba_is_not_a_place() {
    let text = "قال أبو بكر البغدادي إن ناحية البغدادي غرب الرمادي";
    let p = resolve_with(text, &[("أبو بكر البغدادي", EntityType::PER)], None);
    let person_end = text.find(" إن").expect("end of the name");
    assert!(p.iter().all(|x| x.start >= person_end), "{p:#?}");
    let nahiya = p.iter().find(|x| x.text.ends_with("البغدادي")).expect("the nahiya");
    assert_eq!(nahiya.country.as_deref(), Some("IQ"));
}

#[test]
fn demonyms_map_to_countries() {
    let p = resolve("قال مسؤول سوري إن القوات العراقية تقدمت");
    let s = find(&p, "سوري");
    assert_eq!((s.country.as_deref(), s.via), (Some("SY"), PlaceVia::Demonym));
    assert_eq!(find(&p, "العراقية").country.as_deref(), Some("IQ"));
}

#[test]
fn a_place_inside_an_organization_name_is_not_the_scene() {
    let text = "هاجمت قوات سوريا الديمقراطية مواقع";
    let p = resolve_with(text, &[("قوات سوريا الديمقراطية", EntityType::ORG)], None);
    assert!(p.iter().all(|x| x.via != PlaceVia::Name), "{p:#?}");
}

#[test]
fn an_unknown_quarter_is_placed_at_its_town() {
    let p = resolve("سقطت قذائف على منطقة الزهيرية شمال غربي بعقوبة");
    let q = find(&p, "الزهيرية");
    assert_eq!((q.via, q.precision, q.geonames_id.as_deref()), (PlaceVia::Nearby, Some(2), None));
    assert!(near(q, 33.75, 44.61, 1.0));
    // An adjective after a type word is not a name.
    assert!(resolve("في منطقة عسكرية قرب بعقوبة").iter().all(|x| x.via != PlaceVia::Nearby));
    assert!(resolve("في المنطقة الشرقية قرب بعقوبة").iter().all(|x| x.via != PlaceVia::Nearby));
    // Nor is a part of a longer place name the place its first word names.
    let text = "وصلوا إلى قرطاجنة الجديدة";
    let p = resolve_with(text, &[("وصلوا إلى قرطاجنة الجديدة", EntityType::LOC)], None);
    assert!(p.iter().all(|x| x.text != "قرطاجنة" || x.lat.is_none()), "{p:#?}");
}

#[test]
fn small_foreign_homonyms_without_context_are_not_guessed() {
    // Common words that are also the names of small places far away stay unplaced.
    let p = resolve_with("قال الوزير إن الحكومة ستعقد اجتماعا مع الرئيس", &[], Some("IQ"));
    assert!(p.is_empty(), "{p:#?}");
}

#[test]
fn tagged_places_without_an_entry_are_reported_unresolved() {
    let text = "وصلت القافلة إلى زمردان";
    let p = resolve_with(text, &[("زمردان", EntityType::LOC)], None);
    let u = find(&p, "زمردان");
    assert_eq!((u.lat, u.confidence, u.geonames_id.as_deref()), (None, 0.0, None));
}

/// Every supplement row says where it lies relative to a GeoNames place ("~4 km SE of Al Jalā’
/// (GeoNames 166597, 34.6335,40.8405)", or "alias of GeoNames 174448 (…, 34.4523,40.9185; …)"):
/// the claim is recomputed from the row's own coordinates, and the anchor's coordinates are
/// checked against the gazetteer where it has that place.
#[test]
fn supplement_justifications_agree_with_their_coordinates() {
    let g = Gazetteer::embedded();
    let by_id: std::collections::HashMap<&str, &Entry> =
        g.entries().iter().filter(|e| !e.curated).map(|e| (e.id.as_str(), e)).collect();
    let text = include_str!("../../../data/geo/supplement.tsv");
    let mut checked = 0;
    let mut bad = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (id, lat, lon, why) = (f[0], f[7].parse::<f64>().expect("lat"), f[8].parse::<f64>().expect("lon"), f[12]);
        let Some(at) = why.find("GeoNames ") else {
            continue;
        };
        // "GeoNames <id>, lat,lon)" or "GeoNames <id> (name, lat,lon; …)".
        let rest = &why[at + "GeoNames ".len()..];
        let anchor_id: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let numbers: Vec<f64> = rest[anchor_id.len()..]
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .filter(|s| s.contains('.'))
            .filter_map(|s| s.parse().ok())
            .take(2)
            .collect();
        let [alat, alon] = numbers[..] else {
            bad.push(format!("{id}: no anchor coordinates in {why:?}"));
            continue;
        };
        if let Some(e) = by_id.get(anchor_id.as_str())
            && km(e.lat, e.lon, alat, alon) > 1.0
        {
            bad.push(format!("{id}: anchor {anchor_id} is at {},{} in the gazetteer, not {alat},{alon}", e.lat, e.lon));
        }
        let d = km(lat, lon, alat, alon);
        let claim = if why.starts_with("alias of") {
            Some(0.0)
        } else {
            why.find('~').and_then(|i| why[i + 1..].split(' ').next()).and_then(|n| n.parse::<f64>().ok())
        };
        if let Some(claim) = claim {
            checked += 1;
            if (d - claim).abs() > (0.35 * claim).max(2.0) {
                bad.push(format!("{id}: {d:.1} km from GeoNames {anchor_id}, the row says ~{claim} km"));
            }
        }
    }
    assert!(checked > 400, "only {checked} rows checked");
    assert!(bad.is_empty(), "{} rows disagree:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn common_words_that_are_also_place_names_need_the_article_to_say_so() {
    // أن (that) is Ans, Belgium; صور (pictures) is Tyre; هي (she) is Hay, Australia.
    let p = resolve("وقال بأن صور الأقمار أظهرت أن القوات في بلدة هي الأكبر");
    assert!(p.iter().all(|x| !["أن", "صور", "هي"].contains(&x.text.as_str())), "{p:#?}");
    // إب (Ibb) is not أب (father): hamzas count.
    let p = resolve("وفي إب سيطر المسلحون على مواقع");
    assert_eq!(find(&p, "إب").country.as_deref(), Some("YE"));
}

#[test]
fn a_country_name_is_the_country_and_a_capital_its_government() {
    // ايران is Iran, not Iraan (Texas), even in an article about the United States.
    let p = resolve_with("قالت واشنطن إن ايران خرقت الاتفاق", &[], Some("US"));
    assert_eq!(find(&p, "ايران").country.as_deref(), Some("IR"));
    assert_eq!(find(&p, "واشنطن").name_en.as_deref(), Some("Washington, D.C."));
    // الرياض is Riyadh, not a town of the same name in the focus country.
    let p = resolve_with("أعلنت الرياض دعمها للحكومة المصرية في القاهرة", &[], Some("EG"));
    assert_eq!(find(&p, "الرياض").country.as_deref(), Some("SA"));
}

#[test]
fn lists_of_places_and_names_the_segmenter_left_whole() {
    // A tagged span over a list, and a long alias ("كوباني عين العرب") that the text's و breaks.
    let text = "اشتباكات في كوباني وعين العرب";
    let p = resolve_with(text, &[("كوباني وعين العرب", EntityType::LOC)], None);
    assert!(near(find(&p, "كوباني"), 36.89, 38.35, 5.0));
    assert!(near(find(&p, "عين العرب"), 36.89, 38.35, 5.0));
    // وعانة is one word for the segmenter (عانة is rare); it is و + Anah.
    let p = resolve("قصف على القائم وعانة");
    assert!(near(find(&p, "عانة"), 34.37, 41.98, 5.0), "{p:#?}");
}
