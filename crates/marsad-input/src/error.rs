use std::fmt;

/// Why an input (a file, a record of a JSONL file, stdin) could not be read as an article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    /// The input's name: a path, `-` for standard input, or a label.
    pub input: String,
    /// 1-based line of a JSONL record, when the error is about one record.
    pub line: Option<usize>,
    pub kind: ErrorKind,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}: line {}: {}", self.input, line, self.kind),
            None => write!(f, "{}: {}", self.input, self.kind),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    #[error("empty input (no text to analyze)")]
    Empty,
    #[error("binary data, not text (NUL or control byte at byte offset {offset})")]
    Binary { offset: usize },
    #[error("not valid {encoding} at byte offset {offset}{hint}")]
    InvalidEncoding { encoding: String, offset: usize, hint: String },
    #[error("unknown encoding {0:?} (try UTF-8, UTF-16LE, UTF-16BE, windows-1256, ISO-8859-6)")]
    UnknownEncoding(String),
    #[error("input of {bytes} bytes is larger than the limit of {limit} bytes")]
    TooLarge { bytes: usize, limit: usize },
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Json { line: usize, column: usize, message: String },
    #[error("{0}")]
    NotAnArticle(String),
}

impl InputError {
    pub fn new(input: &str, kind: ErrorKind) -> Self {
        InputError { input: input.to_owned(), line: None, kind }
    }

    pub fn at_line(input: &str, line: usize, kind: ErrorKind) -> Self {
        InputError { input: input.to_owned(), line: Some(line), kind }
    }
}
