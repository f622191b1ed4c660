//! marsad's Arabic text layer: normalization, tokenization with clitic segmentation, light
//! stemming, sentence splitting and article cleaning. Every function here is pure and cannot
//! fail: any `&str` gives a result, and every offset is a UTF-8 byte offset into the text given.

pub mod chars;
pub mod clean;
pub mod keys;
pub mod lexicon;
pub mod normalize;
pub mod search;
pub mod segment;
pub mod sentences;
pub mod stem;
pub mod tokenize;

pub use clean::{CleanInput, Cleaned, Cleaner};
pub use lexicon::Lexicon;
pub use normalize::{Normalizer, lossless, lossy};
pub use search::{SearchTerm, search_terms};
pub use segment::{Piece, PieceRole};
pub use sentences::split_sentences;
pub use stem::light10;
pub use tokenize::{Token, TokenKind, Tokenizer, Word, words};
