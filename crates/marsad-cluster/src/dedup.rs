//! Near-duplicate detection: MinHash signatures of word shingles in a locality-sensitive hash
//! index (gaoya). Syndicated agency copy, a re-published article, the same text under other
//! boilerplate: each is linked to the first stored copy, its original.

use crate::profile::MINHASH_SIZE;
use gaoya::minhash::MinHashIndex;

/// Estimated Jaccard similarity of 4-word shingles from which a text is a copy. Two reports of
/// one event by different writers share far fewer shingles (measured on ant_v2: see
/// docs/stories.md); an agency dispatch re-published with a new lead or tail shares most.
pub const THRESHOLD: f64 = 0.5;
/// 28 bands of 3 rows ([`MINHASH_SIZE`] = 84 hashes): a pair at the threshold becomes a candidate
/// with probability 1 − (1 − 0.5³)²⁸ ≈ 0.98; one at 0.2 with 0.20. The estimate's standard
/// error at the threshold is 0.055.
const BANDS: usize = 28;
const ROWS: usize = 3;

/// The signatures of the originals stored so far, for lookup by similarity.
pub struct NearDuplicates {
    index: MinHashIndex<u16, u64>,
}

impl Default for NearDuplicates {
    fn default() -> Self {
        NearDuplicates { index: MinHashIndex::new(BANDS, ROWS, THRESHOLD) }
    }
}

impl NearDuplicates {
    /// Adds an original under its document sequence number.
    pub fn insert(&mut self, seq: u64, signature: Vec<u16>) {
        if signature.len() == MINHASH_SIZE {
            self.index.insert(seq, signature);
        }
    }

    /// The original a signature copies, with the estimated similarity: the most similar above
    /// the threshold, the earliest among equals (the index's sets have no order of their own).
    pub fn original(&self, signature: &[u16]) -> Option<(u64, f64)> {
        if signature.len() != MINHASH_SIZE {
            return None;
        }
        self.index
            .query_owned_return_similarity(signature)
            .into_iter()
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    }

    pub fn len(&self) -> usize {
        self.index.size()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::signature;
    use marsad_text::Tokenizer;

    const REPORT: &str = "قالت وزارة الدفاع إن قواتها صدت هجوما شنه مسلحون على مواقعها في ريف المدينة \
        الشمالي فجر اليوم، وإن الاشتباكات استمرت ساعات قبل أن ينسحب المهاجمون نحو الجبال بعد أن تكبدوا \
        خسائر كبيرة في الأرواح والعتاد، فيما أصيب ثلاثة جنود بجروح نقلوا على إثرها إلى المستشفى العسكري \
        في العاصمة لتلقي العلاج، وأضافت الوزارة أن عمليات التمشيط مستمرة في المنطقة.";

    #[test]
    fn a_copy_under_other_boilerplate_is_found_and_another_report_is_not() {
        let t = Tokenizer::default();
        let mut index = NearDuplicates::default();
        let original = signature(&t, REPORT).expect("long enough");
        index.insert(7, original);
        let copy = format!("عاجل | {REPORT}\nللمزيد من الأخبار تابعونا على مواقع التواصل الاجتماعي");
        let (seq, sim) = index.original(&signature(&t, &copy).expect("long enough")).expect("a copy");
        assert_eq!(seq, 7);
        assert!(sim > 0.7, "{sim}");
        let other = "أعلنت الشرطة أنها اعتقلت خمسة أشخاص يشتبه في تورطهم في سرقة مصرف في وسط المدينة، \
            وقال متحدث باسمها إن التحقيقات جارية لمعرفة بقية أفراد العصابة التي نفذت السرقة ليلا بعد أن \
            عطلت كاميرات المراقبة، مضيفا أن المبالغ المسروقة استعيدت كاملة وأن المتهمين سيحالون إلى القضاء \
            خلال الأيام المقبلة بعد استكمال التحقيق معهم في مقر الشرطة.";
        assert_eq!(index.original(&signature(&t, other).expect("long enough")), None);
        assert_eq!(signature(&t, "نص قصير جدا"), None);
    }
}
