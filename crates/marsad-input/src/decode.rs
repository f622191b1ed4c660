//! Bytes to text: BOM, a forced encoding, UTF-8, an HTML `charset` declaration, then a
//! detector (chardetng, Firefox's) for legacy Arabic encodings — and a clear error with the
//! byte offset when none of these gives plausible text.

use crate::error::ErrorKind;
use encoding_rs::{DecoderResult, Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1256};

/// The decoded text and the encoding it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
    /// Set when the encoding was guessed rather than declared or valid UTF-8.
    pub guessed: bool,
}

/// Looks up an encoding label (`utf-8`, `cp1256`, `windows-1256`, `utf-16le`, `iso-8859-6` …).
pub fn encoding_for_label(label: &str) -> Result<&'static Encoding, ErrorKind> {
    let l = label.trim().to_ascii_lowercase();
    let l = match l.as_str() {
        "cp1256" | "win1256" | "arabic-windows" => "windows-1256",
        "utf16le" => "utf-16le",
        "utf16be" => "utf-16be",
        "utf8" => "utf-8",
        other => other,
    };
    Encoding::for_label(l.as_bytes()).ok_or_else(|| ErrorKind::UnknownEncoding(label.to_owned()))
}

/// Decodes strictly: the byte offset of the first malformed sequence on failure.
pub fn decode_strict(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, usize> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let cap = decoder.max_utf8_buffer_length_without_replacement(bytes.len()).unwrap_or(bytes.len() * 3 + 16);
    let mut out = String::with_capacity(cap);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        DecoderResult::InputEmpty => Ok(out),
        DecoderResult::Malformed(bad, after) => Err(read.saturating_sub(bad as usize + after as usize)),
        DecoderResult::OutputFull => Err(read),
    }
}

/// The offset of the first byte that makes `bytes` look binary: NUL, or a C0 control other
/// than tab, newline, vertical tab, form feed, carriage return and escape.
pub fn binary_offset(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | 0x1B)))
}

fn arabic_share(text: &str) -> f64 {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    if letters == 0 {
        return 0.0;
    }
    let arabic = text.chars().filter(|&c| crate::is_arabic_char(c)).count();
    arabic as f64 / letters as f64
}

/// Finds `charset=...` in the first 4 KiB of an HTML page.
pub fn html_declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let pos = lower.windows(8).position(|w| w == b"charset=")? + 8;
    let rest = &lower[pos..];
    let rest = rest.strip_prefix(b"\"").or_else(|| rest.strip_prefix(b"'")).unwrap_or(rest);
    let end = rest.iter().position(|&b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_')).unwrap_or(rest.len());
    Encoding::for_label(&rest[..end])
}

/// Decodes strictly with `enc`, reporting a malformed sequence at `offset + shift`.
fn decode_with(enc: &'static Encoding, bytes: &[u8], shift: usize, guessed: bool) -> Result<Decoded, ErrorKind> {
    decode_strict(enc, bytes)
        .map(|text| Decoded { text, encoding: enc, guessed })
        .map_err(|offset| invalid(enc, offset + shift, ""))
}

/// Decodes `bytes` as text. `forced` is an encoding the user named; `html` allows a
/// `<meta charset>` declaration to decide.
pub fn decode(bytes: &[u8], forced: Option<&'static Encoding>, html: bool) -> Result<Decoded, ErrorKind> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        return decode_with(enc, body, bom_len, false);
    }
    if let Some(enc) = forced {
        return decode_with(enc, bytes, 0, false);
    }
    let utf8_error = match std::str::from_utf8(bytes) {
        Ok(s) => {
            if let Some(offset) = binary_offset(bytes) {
                return Err(ErrorKind::Binary { offset });
            }
            return Ok(Decoded { text: s.to_owned(), encoding: UTF_8, guessed: false });
        }
        Err(e) => e.valid_up_to(),
    };
    if let Some(offset) = binary_offset(bytes) {
        if let Some(enc) = utf16_without_bom(bytes) {
            return decode_with(enc, bytes, 0, true);
        }
        return Err(ErrorKind::Binary { offset });
    }
    // Valid non-ASCII UTF-8 before the first bad byte means UTF-8 with a corrupt byte, not a
    // legacy encoding: Windows-1256 Arabic is invalid UTF-8 from its first Arabic letter on.
    // (Decoding such text as Windows-1256 would turn it into mojibake.)
    let valid_prefix = std::str::from_utf8(&bytes[..utf8_error]).unwrap_or("");
    if valid_prefix.chars().filter(|c| !c.is_ascii()).count() >= 2 {
        return Err(invalid(
            UTF_8,
            utf8_error,
            " (the text before it is UTF-8: the input is corrupt, or mixes encodings)",
        ));
    }
    // So is mostly valid UTF-8 with a stray byte before its first letter: as Windows-1256,
    // every Arabic letter of it would become two letters of mojibake.
    if mostly_utf8(bytes) {
        return Err(invalid(UTF_8, utf8_error, " (the text around it is UTF-8: the input is corrupt)"));
    }
    if html && let Some(enc) = html_declared_charset(bytes).filter(|e| *e != UTF_8) {
        return decode_with(enc, bytes, 0, false);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    let candidates = [guess, WINDOWS_1256];
    for enc in candidates {
        if enc == UTF_8 {
            continue;
        }
        if let Ok(text) = decode_strict(enc, bytes)
            && arabic_share(&text) >= 0.3
        {
            return Ok(Decoded { text, encoding: enc, guessed: true });
        }
    }
    Err(invalid(
        UTF_8,
        utf8_error,
        ", and not Windows-1256 or UTF-16 Arabic text either (name the encoding with --encoding)",
    ))
}

/// Whether invalid UTF-8 is mostly valid multi-byte UTF-8: at least two valid non-ASCII
/// characters, and more than twice as many as invalid sequences. (Windows-1256 Arabic read
/// as UTF-8 is almost all invalid sequences: its letters are lead bytes followed by lead bytes.)
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    for c in String::from_utf8_lossy(bytes).chars() {
        match c {
            char::REPLACEMENT_CHARACTER => invalid += 1,
            c if !c.is_ascii() => valid += 1,
            _ => {}
        }
    }
    valid >= 2 && valid > 2 * invalid
}

fn invalid(enc: &'static Encoding, offset: usize, hint: &str) -> ErrorKind {
    ErrorKind::InvalidEncoding { encoding: enc.name().to_owned(), offset, hint: hint.to_owned() }
}

/// UTF-16 without a BOM shows as every other byte being NUL in ASCII-heavy text.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let pairs = bytes.len() / 2;
    let even_nul = bytes.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nul = bytes.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let plausible = |enc: &'static Encoding| {
        decode_strict(enc, bytes).is_ok_and(|t| binary_offset(t.as_bytes()).is_none() && !t.trim().is_empty())
    };
    if odd_nul * 3 > pairs && even_nul * 20 < pairs && plausible(UTF_16LE) {
        Some(UTF_16LE)
    } else if even_nul * 3 > pairs && odd_nul * 20 < pairs && plausible(UTF_16BE) {
        Some(UTF_16BE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_and_boms() {
        assert_eq!(decode("دمشق".as_bytes(), None, false).map(|d| d.text), Ok("دمشق".to_owned()));
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("نص".as_bytes());
        assert_eq!(decode(&b, None, false).map(|d| d.text), Ok("نص".to_owned()));
        // encoding_rs encodes UTF-16 as UTF-8 (per the WHATWG spec), so build LE by hand.
        let mut le = vec![0xFF, 0xFE];
        for u in "سوريا".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode(&le, None, false).expect("utf-16le");
        assert_eq!((d.text.as_str(), d.encoding), ("سوريا", UTF_16LE));
    }

    #[test]
    fn windows_1256_is_detected() {
        let (bytes, _, _) = WINDOWS_1256.encode("قتل ثلاثة مدنيين في قصف على ريف إدلب الجنوبي أمس");
        let d = decode(&bytes, None, false).expect("cp1256");
        assert_eq!(d.encoding, WINDOWS_1256);
        assert!(d.guessed);
        assert_eq!(d.text, "قتل ثلاثة مدنيين في قصف على ريف إدلب الجنوبي أمس");
    }

    #[test]
    fn errors_name_the_offset() {
        assert_eq!(decode(b"abc\x00def", None, false), Err(ErrorKind::Binary { offset: 3 }));
        let mut bad = "نص صحيح ".as_bytes().to_vec();
        let at = bad.len();
        bad.extend_from_slice(&[0xC3, 0x28, 0x80, 0x80]);
        match decode(&bad, None, false) {
            Err(ErrorKind::InvalidEncoding { offset, encoding, .. }) => {
                assert_eq!((offset, encoding.as_str()), (at, "UTF-8"))
            }
            other => panic!("{other:?}"),
        }
        // A stray byte before the first letter of UTF-8 Arabic: corrupt UTF-8, not Windows-1256
        // (which would read each Arabic letter as two letters of mojibake).
        let mut stray = vec![0xFF];
        stray.extend_from_slice("قتل ثلاثة مدنيين في قصف على حلب أمس".as_bytes());
        match decode(&stray, None, false) {
            Err(ErrorKind::InvalidEncoding { offset, encoding, .. }) => {
                assert_eq!((offset, encoding.as_str()), (0, "UTF-8"))
            }
            other => panic!("{other:?}"),
        }
        match decode(&[0xD8, 0x00, 0x41], Some(UTF_8), false) {
            Err(ErrorKind::InvalidEncoding { offset, .. }) => assert_eq!(offset, 0),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn html_charset_declaration() {
        let (body, _, _) =
            WINDOWS_1256.encode("<html><head><meta charset=\"windows-1256\"></head><body><p>بغداد</p></body></html>");
        assert_eq!(html_declared_charset(&body), Some(WINDOWS_1256));
        let d = decode(&body, None, true).expect("declared");
        assert!(d.text.contains("بغداد") && !d.guessed);
    }

    #[test]
    fn labels() {
        assert_eq!(encoding_for_label("cp1256"), Ok(WINDOWS_1256));
        assert_eq!(encoding_for_label("UTF-16LE"), Ok(UTF_16LE));
        assert!(encoding_for_label("klingon").is_err());
    }
}
