//! The few protobuf messages a package holds, as `prost` messages with only
//! the fields Rehearse reads (unknown fields are skipped). Field numbers and
//! types follow Anki's `proto/anki/*.proto`.

use prost::Message;

/// `PackageMetadata { Version version = 1; }` (the `meta` zip entry).
#[derive(Clone, PartialEq, Message)]
pub(super) struct PackageMetadata {
    /// 1: legacy `.anki2`, 2: legacy `.anki21`, 3: `.anki21b`.
    #[prost(int32, tag = "1")]
    pub version: i32,
}

/// `MediaEntries { repeated MediaEntry entries = 1; }` (the `media` entry
/// of a version 3 package); entry `i` is in zip entry `"i"`.
#[derive(Clone, PartialEq, Message)]
pub(super) struct MediaEntries {
    #[prost(message, repeated, tag = "1")]
    pub entries: Vec<MediaEntry>,
}

/// `MediaEntry { string name = 1; uint32 size = 2; bytes sha1 = 3; }`.
#[derive(Clone, PartialEq, Message)]
pub(super) struct MediaEntry {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(uint32, tag = "2")]
    pub size: u32,
    #[prost(bytes = "vec", tag = "3")]
    pub sha1: Vec<u8>,
}

/// `CardTemplate.Config { string q_format = 1; … }` (`templates.config`).
#[derive(Clone, PartialEq, Message)]
pub(super) struct TemplateConfig {
    #[prost(string, tag = "1")]
    pub q_format: String,
}

/// `Notetype.Config { Kind kind = 1; … StockKind original_stock_kind = 9; }`
/// (`notetypes.config`).
#[derive(Clone, PartialEq, Message)]
pub(super) struct NotetypeConfig {
    /// 0 normal, 1 cloze.
    #[prost(int32, tag = "1")]
    pub kind: i32,
    /// The stock note type it was made from (6: image occlusion).
    #[prost(int32, tag = "9")]
    pub original_stock_kind: i32,
}

/// `DeckKind { oneof kind { Normal normal = 1; Filtered filtered = 2; } }`
/// (`decks.kind`); the contents are not needed, only which one is set.
#[derive(Clone, PartialEq, Message)]
pub(super) struct DeckKind {
    #[prost(bytes = "vec", optional, tag = "1")]
    pub normal: Option<Vec<u8>>,
    #[prost(bytes = "vec", optional, tag = "2")]
    pub filtered: Option<Vec<u8>>,
}

/// Decodes a message, saying what was being read when it fails.
pub(super) fn decode<M: Message + Default>(bytes: &[u8]) -> Result<M, String> {
    M::decode(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_unknown_fields() {
        let entries = MediaEntries {
            entries: vec![MediaEntry {
                name: "a.png".into(),
                size: 300,
                sha1: vec![7; 20],
            }],
        };
        let bytes = entries.encode_to_vec();
        assert_eq!(decode::<MediaEntries>(&bytes), Ok(entries));
        // A notetype config with fields Rehearse does not read.
        let mut raw = NotetypeConfig {
            kind: 1,
            original_stock_kind: 6,
        }
        .encode_to_vec();
        raw.extend([0x2a, 2, b'h', b'i']); // field 5, a string
        let config: NotetypeConfig = decode(&raw).unwrap();
        assert_eq!((config.kind, config.original_stock_kind), (1, 6));
    }

    #[test]
    fn errors_instead_of_panics() {
        // A length past the end, and a truncated varint.
        assert!(decode::<MediaEntries>(&[0x0a, 0x05, 1]).is_err());
        assert!(decode::<PackageMetadata>(&[0x08, 0xff]).is_err());
        for bytes in [&[0xff_u8][..], &[0x0a], &[0x08, 0x80, 0x80]] {
            let _ = decode::<NotetypeConfig>(bytes);
            let _ = decode::<DeckKind>(bytes);
        }
    }
}
