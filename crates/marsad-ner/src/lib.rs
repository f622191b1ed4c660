//! Named-entity recognition and linking for Arabic news: knowledge-base matching, patterns for
//! names the dictionary lacks, a statistical tagger, and CoNLL evaluation.

pub mod conll;
pub mod crf;
pub mod eval;
pub mod patterns;
pub mod recognize;

pub use recognize::{Recognizer, Sources, Tagger, type_of_kind};
