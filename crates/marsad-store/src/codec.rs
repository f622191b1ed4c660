//! How a document's content is stored: its raw record and its analysis JSON in one zstd frame,
//! compressed with a dictionary the store trains on its own first documents.
//!
//! News records of one store share most of their bytes' shapes — the analysis JSON's keys,
//! gazetteer and actor fields, an outlet's URL and boilerplate — and a frame of a few KiB
//! cannot learn them from itself: a trained dictionary makes stored content about a third
//! smaller. Each frame names its dictionary (zstd's dictionary id), so frames written before a
//! store had one, or with an older one, stay readable.

use crate::Error;
use marsad_core::Document;
use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;
use zstd::dict::{DecoderDictionary, EncoderDictionary};

/// zstd level for stored content: level 3 is zstd's default balance of speed and size.
const LEVEL: i32 = 3;

/// The store trains its dictionary once it holds this many documents, from these documents.
pub(crate) const TRAIN_AT: u64 = 1000;

/// Largest dictionary (zstd's default target size).
const DICT_BYTES: usize = 112_640;

/// Compresses content, with the store's current dictionary when it has one. Cheap to clone and
/// shared by the threads that prepare documents.
#[derive(Clone, Default)]
pub struct Codec {
    dict: Option<Arc<(u32, EncoderDictionary<'static>)>>,
}

impl Codec {
    /// The dictionary id new content is compressed with (0: none).
    pub fn dictionary_id(&self) -> u32 {
        self.dict.as_ref().map_or(0, |d| d.0)
    }

    pub(crate) fn compress(&self, bytes: &[u8]) -> Result<Vec<u8>, Error> {
        let io = |e| Error::Io("compressing content".into(), e);
        match &self.dict {
            Some(d) => zstd::bulk::Compressor::with_prepared_dictionary(&d.1).and_then(|mut c| c.compress(bytes)),
            None => zstd::bulk::compress(bytes, LEVEL),
        }
        .map_err(io)
    }
}

/// The dictionaries a store's frames may name.
#[derive(Default)]
pub(crate) struct Dictionaries {
    decoders: HashMap<u32, DecoderDictionary<'static>>,
}

impl Dictionaries {
    /// Adds a dictionary; returns its id and a codec that compresses with it.
    pub(crate) fn add(&mut self, bytes: &[u8]) -> Option<(u32, Codec)> {
        let id = zstd::zstd_safe::get_dict_id_from_dict(bytes)?.get();
        self.decoders.insert(id, DecoderDictionary::copy(bytes));
        Some((id, Codec { dict: Some(Arc::new((id, EncoderDictionary::copy(bytes, LEVEL)))) }))
    }

    pub(crate) fn decompress(&self, z: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.reader(z)?.read_to_end(&mut out).map_err(|e| Error::Io("stored content".into(), e))?;
        Ok(out)
    }

    /// A frame of UTF-8 text, decompressed.
    pub(crate) fn text(&self, z: &[u8]) -> Result<String, Error> {
        String::from_utf8(self.decompress(z)?)
            .map_err(|e| Error::Io("stored text".into(), std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
    }

    /// A reader of a frame's decompressed bytes, for readers that need only its beginning.
    fn reader<'a>(&'a self, z: &'a [u8]) -> Result<Box<dyn Read + 'a>, Error> {
        let io = |e| Error::Io("stored content".into(), e);
        Ok(match zstd::zstd_safe::get_dict_id_from_frame(z) {
            None => Box::new(zstd::stream::read::Decoder::with_buffer(z).map_err(io)?),
            Some(id) => {
                let dict = self.decoders.get(&id.get()).ok_or_else(|| {
                    Error::Io(
                        format!("stored content (dictionary {id} is missing)"),
                        std::io::ErrorKind::NotFound.into(),
                    )
                })?;
                Box::new(zstd::stream::read::Decoder::with_prepared_dictionary(z, dict).map_err(io)?)
            }
        })
    }

    /// The analysis's `body` of a stored content, decompressing no further than its end (the
    /// body comes early in the analysis; its sentences, entities and events are most of it).
    pub(crate) fn body(&self, z: &[u8]) -> Result<String, Error> {
        let io = |e| Error::Io("stored content".into(), e);
        let mut r = self.reader(z)?;
        let mut len = [0u8; 4];
        r.read_exact(&mut len).map_err(io)?;
        let raw = u64::from(u32::from_le_bytes(len));
        if std::io::copy(&mut r.by_ref().take(raw), &mut std::io::sink()).map_err(io)? != raw {
            return Err(io(std::io::ErrorKind::UnexpectedEof.into()));
        }
        const KEY: &[u8] = b"\"body\":";
        let mut buf = Vec::with_capacity(16 << 10);
        let mut chunk = [0u8; 8192];
        loop {
            let n = r.read(&mut chunk).map_err(io)?;
            buf.extend_from_slice(&chunk[..n]);
            // serde_json writes the analysis compactly; a key inside a string would have its
            // quotes escaped, so the first `"body":` is the field.
            if let Some(at) = buf.windows(KEY.len()).position(|w| w == KEY) {
                let mut de = serde_json::Deserializer::from_slice(&buf[at + KEY.len()..]);
                match <String as serde::Deserialize>::deserialize(&mut de) {
                    Ok(body) => return Ok(body),
                    Err(e) if e.is_eof() && n > 0 => continue,
                    Err(e) => return Err(e.into()),
                }
            }
            if n == 0 {
                #[derive(serde::Deserialize)]
                struct Body {
                    body: String,
                }
                return Ok(serde_json::from_slice::<Body>(&buf)?.body);
            }
        }
    }
}

/// Trains a dictionary from decompressed contents.
pub(crate) fn train(samples: &[Vec<u8>]) -> Option<Vec<u8>> {
    zstd::dict::from_samples(samples, DICT_BYTES).ok()
}

/// A document's stored content, decompressed: its raw record and its analysis JSON.
pub(crate) struct Content(Vec<u8>);

impl Content {
    /// Packs a raw record and an analysis into one compressed frame (see the schema).
    pub(crate) fn pack(codec: &Codec, raw: &[u8], analysis: &[u8]) -> Result<Vec<u8>, Error> {
        let len = u32::try_from(raw.len()).map_err(|_| Error::TooLarge(raw.len()))?;
        let mut buf = Vec::with_capacity(4 + raw.len() + analysis.len());
        buf.extend_from_slice(&len.to_le_bytes());
        buf.extend_from_slice(raw);
        buf.extend_from_slice(analysis);
        codec.compress(&buf)
    }

    pub(crate) fn unpack(dicts: &Dictionaries, z: &[u8]) -> Result<Content, Error> {
        let c = Content(dicts.decompress(z)?);
        if c.0.len() < 4 || c.0.len() < 4 + c.raw_len() {
            return Err(Error::Io("stored content".into(), std::io::ErrorKind::InvalidData.into()));
        }
        Ok(c)
    }

    /// The decompressed bytes (a training sample).
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    fn raw_len(&self) -> usize {
        u32::from_le_bytes([self.0[0], self.0[1], self.0[2], self.0[3]]) as usize
    }

    pub(crate) fn raw(&self) -> &[u8] {
        &self.0[4..4 + self.raw_len()]
    }

    pub(crate) fn analysis(&self) -> &[u8] {
        &self.0[4 + self.raw_len()..]
    }

    pub(crate) fn document(&self) -> Result<Document, Error> {
        Ok(serde_json::from_slice(self.analysis())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(i: usize) -> Vec<u8> {
        format!(
            "{{\"id\":\"doc-{i}\",\"outlet\":\"وكالة\",\"places\":[{{\"text\":\"دمشق\",\"geonames_id\":\"{}\",\"country\":\"SY\",\"lat\":33.5,\"lon\":36.3,\"via\":\"name\"}}],\"body\":\"قال مصدر إن {} شخصا أصيبوا.\"}}",
            170_654 + i % 7,
            i % 50
        )
        .into_bytes()
    }

    #[test]
    fn content_round_trips_with_and_without_a_dictionary() {
        let samples: Vec<Vec<u8>> = (0..400).map(sample).collect();
        let bytes = train(&samples).expect("trained");
        let mut dicts = Dictionaries::default();
        let plain = Content::pack(&Codec::default(), b"raw", &sample(1)).expect("pack");
        let (id, codec) = dicts.add(&bytes).expect("dictionary");
        assert_eq!(codec.dictionary_id(), id);
        let packed = Content::pack(&codec, b"raw record", &sample(999)).expect("pack");
        assert!(packed.len() < plain.len(), "{} vs {}", packed.len(), plain.len());
        let c = Content::unpack(&dicts, &packed).expect("unpack");
        assert_eq!((c.raw(), c.analysis()), (&b"raw record"[..], &sample(999)[..]));
        // Frames written before the dictionary still read; a frame naming an unknown one is an
        // error, not garbage.
        assert_eq!(Content::unpack(&dicts, &plain).expect("unpack").raw(), b"raw");
        let err = Content::unpack(&Dictionaries::default(), &packed).err().expect("missing dictionary");
        assert!(err.to_string().contains("missing"), "{err}");
        assert!(Content::unpack(&dicts, b"not zstd").is_err());
    }

    #[test]
    fn the_body_is_read_from_the_beginning_of_the_content() {
        let dicts = Dictionaries::default();
        // A long body after a title that quotes the key itself, and a long tail after it.
        let body = "نص ".repeat(20_000);
        let analysis =
            serde_json::json!({"title": "\"body\": يبدو مفتاحا", "body": body, "sentences": vec![1; 50_000]});
        let analysis = serde_json::to_vec(&analysis).expect("json");
        let packed = Content::pack(&Codec::default(), "سجل خام".as_bytes(), &analysis).expect("pack");
        assert_eq!(dicts.body(&packed).expect("body"), body);
        let packed = Content::pack(&Codec::default(), b"raw", br#"{"id":"x","body":"short"}"#).expect("pack");
        assert_eq!(dicts.body(&packed).expect("body"), "short");
        let packed = Content::pack(&Codec::default(), b"raw", br#"{"id":"x"}"#).expect("pack");
        assert!(dicts.body(&packed).is_err());
    }
}
