//! The zip container: `meta`, the collection, the media map and the media
//! files, all read within [`Limits`].

use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read};

use zip::ZipArchive;
use zip::result::ZipError;

use super::sqlite::read_collection;
use super::{AnkiError, AnkiPackage, LimitKind, Limits, PackageFormat, proto};

/// Reads an Anki package (`.apkg` or `.colpkg`, current or legacy format).
///
/// Everything is checked before anything is returned: a package that is
/// truncated, corrupt, too large once decompressed, of an unknown version,
/// or that names a media file with a path in it gives an [`AnkiError`].
pub fn read_package(bytes: &[u8], limits: &Limits) -> Result<AnkiPackage, AnkiError> {
    if bytes.len() as u64 > limits.max_package_bytes {
        return Err(AnkiError::TooLarge {
            what: "the package".into(),
            limit: limits.max_package_bytes,
            kind: LimitKind::Package,
        });
    }
    let mut zip = Entries::open(bytes, limits)?;

    let format = match zip.read("meta")? {
        Some(meta) => parse_meta(&meta)?,
        None if zip.has("collection.anki21") => PackageFormat::Legacy2,
        None => PackageFormat::Legacy1,
    };
    let name = match format {
        PackageFormat::Latest => "collection.anki21b",
        PackageFormat::Legacy2 => "collection.anki21",
        PackageFormat::Legacy1 => "collection.anki2",
    };
    let mut db = zip
        .read(name)?
        .ok_or_else(|| AnkiError::Missing(format!("`{name}` entry (the collection)")))?;
    if format == PackageFormat::Latest {
        db = zip.unzstd(&db, name)?;
    }

    let media_names = match zip.read("media")? {
        None => Vec::new(),
        Some(raw) if format == PackageFormat::Latest => {
            let raw = zip.unzstd(&raw, "media")?;
            parse_media_entries(&raw)?
        }
        Some(raw) => parse_legacy_media_map(&raw)?,
    };
    let mut media = BTreeMap::new();
    for entry in media_names {
        check_media_name(&entry.name)?;
        let what = format!("media file {:?} (entry `{}`)", entry.name, entry.zip_name);
        let mut data = zip
            .read(&entry.zip_name)?
            .ok_or_else(|| AnkiError::Missing(what.clone()))?;
        if format == PackageFormat::Latest {
            data = zip.unzstd(&data, &entry.zip_name)?;
        }
        if let Some(size) = entry.size
            && size != data.len() as u64
        {
            return Err(corrupt(
                &what,
                format!("{} bytes where the media map says {size}", data.len()),
            ));
        }
        if let Some(expected) = entry.sha1
            && sha1_smol::Sha1::from(&data).digest().bytes() != expected
        {
            return Err(corrupt(&what, "its checksum does not match".into()));
        }
        if media.insert(entry.name.clone(), data).is_some() {
            return Err(corrupt(
                "the media map",
                format!("{:?} is listed twice", entry.name),
            ));
        }
    }

    let collection = read_collection(&db)?;
    collection.into_package(format, media)
}

fn corrupt(what: &str, message: String) -> AnkiError {
    AnkiError::Corrupt {
        what: what.to_string(),
        message,
    }
}

/// The zip, with a running total of what has been decompressed.
struct Entries<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    limits: Limits,
    /// The cap on all decompressed data for this package, and which limit
    /// sets it.
    total: (u64, LimitKind),
    used: u64,
}

/// Read size while counting: small enough that the count is never far past
/// a limit before it is noticed.
const CHUNK: usize = 64 << 10;

impl<'a> Entries<'a> {
    fn open(bytes: &'a [u8], limits: &Limits) -> Result<Self, AnkiError> {
        let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| AnkiError::Zip(e.to_string()))?;
        if zip.len() > limits.max_entries {
            return Err(AnkiError::TooManyEntries {
                count: zip.len(),
                limit: limits.max_entries,
            });
        }
        let expansion = (bytes.len() as u64)
            .saturating_mul(limits.max_expansion)
            .max(limits.min_expansion_bytes);
        let total = if expansion < limits.max_total_bytes {
            (expansion, LimitKind::Expansion)
        } else {
            (limits.max_total_bytes, LimitKind::Total)
        };
        Ok(Self {
            zip,
            limits: *limits,
            total,
            used: 0,
        })
    }

    fn has(&self, name: &str) -> bool {
        self.zip.index_for_name(name).is_some()
    }

    /// The room left for one more decompressed entry, and the limit that sets it.
    fn room(&self) -> (u64, u64, LimitKind) {
        let total_left = self.total.0.saturating_sub(self.used);
        if total_left < self.limits.max_entry_bytes {
            (total_left, self.total.0, self.total.1)
        } else {
            (
                self.limits.max_entry_bytes,
                self.limits.max_entry_bytes,
                LimitKind::Entry,
            )
        }
    }

    /// Reads everything from `reader`, refusing once it gives more than the
    /// room left.
    fn read_limited(&mut self, reader: impl Read, what: &str) -> Result<Vec<u8>, AnkiError> {
        let (room, limit, kind) = self.room();
        match drain(reader, room, 0, what)? {
            Some(out) => {
                self.used += out.len() as u64;
                Ok(out)
            }
            None => Err(AnkiError::TooLarge {
                what: what.to_string(),
                limit,
                kind,
            }),
        }
    }

    /// The decompressed contents of entry `name`, or `None` when there is none.
    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, AnkiError> {
        let what = format!("entry `{name}`");
        let (room, limit, kind) = self.room();
        let file = match self.zip.by_name(name) {
            Ok(file) => file,
            Err(ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(AnkiError::Zip(format!("{what}: {e}"))),
        };
        // Refused on the declared size before decompressing anything; the
        // count while reading catches a size that lies.
        if file.size() > room {
            return Err(AnkiError::TooLarge { what, limit, kind });
        }
        if file.is_dir() {
            return Err(corrupt(&what, "it is a directory".into()));
        }
        let declared = file.size();
        match drain(file, room, declared, &what)? {
            Some(out) => {
                self.used += out.len() as u64;
                Ok(Some(out))
            }
            None => Err(AnkiError::TooLarge { what, limit, kind }),
        }
    }

    /// Decompresses zstd data from entry `name`.
    fn unzstd(&mut self, data: &[u8], name: &str) -> Result<Vec<u8>, AnkiError> {
        let what = format!("entry `{name}` (zstd)");
        let decoder =
            zstd::stream::read::Decoder::new(data).map_err(|e| corrupt(&what, e.to_string()))?;
        self.read_limited(decoder, &what)
    }
}

/// Reads `reader` to its end in chunks, counting as it goes: `None` as soon
/// as it has given more than `room` bytes, so memory never grows past the
/// limit, whatever the data claims about its own size.
fn drain(
    mut reader: impl Read,
    room: u64,
    declared: u64,
    what: &str,
) -> Result<Option<Vec<u8>>, AnkiError> {
    let mut out = Vec::with_capacity(declared.min(room).min(1 << 20) as usize);
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok(Some(out)),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(corrupt(what, e.to_string())),
        };
        if (out.len() + n) as u64 > room {
            return Ok(None);
        }
        out.extend_from_slice(&chunk[..n]);
    }
}

/// `PackageMetadata { Version version = 1; }`.
fn parse_meta(meta: &[u8]) -> Result<PackageFormat, AnkiError> {
    let meta: proto::PackageMetadata =
        proto::decode(meta).map_err(|e| corrupt("entry `meta`", e))?;
    match meta.version {
        1 => Ok(PackageFormat::Legacy1),
        2 => Ok(PackageFormat::Legacy2),
        3 => Ok(PackageFormat::Latest),
        v => Err(AnkiError::UnsupportedVersion(i64::from(v))),
    }
}

/// One media file as the media map lists it.
struct MediaEntry {
    name: String,
    zip_name: String,
    size: Option<u64>,
    sha1: Option<[u8; 20]>,
}

/// `MediaEntries { repeated MediaEntry entries = 1; }` with
/// `MediaEntry { string name = 1; uint32 size = 2; bytes sha1 = 3; }`;
/// entry `i` is in zip entry `"i"`.
fn parse_media_entries(raw: &[u8]) -> Result<Vec<MediaEntry>, AnkiError> {
    let what = "the media map";
    let map: proto::MediaEntries = proto::decode(raw).map_err(|e| corrupt(what, e))?;
    Ok(map
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, entry)| MediaEntry {
            name: entry.name,
            zip_name: i.to_string(),
            size: Some(u64::from(entry.size)),
            sha1: entry.sha1.try_into().ok(),
        })
        .collect())
}

/// `{"0": "file.png", ...}`.
fn parse_legacy_media_map(raw: &[u8]) -> Result<Vec<MediaEntry>, AnkiError> {
    let map: HashMap<String, String> =
        serde_json::from_slice(raw).map_err(|e| corrupt("the media map", e.to_string()))?;
    let mut entries: Vec<MediaEntry> = map
        .into_iter()
        .map(|(zip_name, name)| MediaEntry {
            name,
            zip_name,
            size: None,
            sha1: None,
        })
        .collect();
    entries.sort_by(|a, b| a.zip_name.cmp(&b.zip_name));
    Ok(entries)
}

/// Refuses media names that are not a plain file name: empty, `.` or `..`,
/// with a path separator, a drive or stream colon, a control character, or
/// longer than 255 bytes. (Anki itself never writes such names.)
pub(super) fn check_media_name(name: &str) -> Result<(), AnkiError> {
    let reason = if name.is_empty() {
        Some("it is empty")
    } else if name == "." || name == ".." {
        Some("it names a directory")
    } else if name.starts_with('/') || name.starts_with('\\') {
        Some("it is an absolute path")
    } else if name.contains(['/', '\\']) {
        Some("it contains a path separator")
    } else if name.contains(':') {
        Some("it contains `:` (a drive or stream name)")
    } else if name.chars().any(char::is_control) {
        Some("it contains a control character")
    } else if name.len() > 255 {
        Some("it is longer than 255 bytes")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(AnkiError::MediaName {
            name: name.to_string(),
            reason: reason.to_string(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_names() {
        for good in ["a.png", "ferris 2.png", "über.jpg", "..hidden", "a..b"] {
            assert!(check_media_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            "../evil.png",
            "/etc/passwd",
            "a/b",
            "a\\b",
            "C:x",
            "\\\\srv",
            "a\0b",
        ] {
            assert!(check_media_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn meta_versions() {
        assert_eq!(parse_meta(&[0x08, 0x03]), Ok(PackageFormat::Latest));
        assert_eq!(parse_meta(&[0x08, 0x02]), Ok(PackageFormat::Legacy2));
        assert_eq!(
            parse_meta(&[0x08, 0x07]),
            Err(AnkiError::UnsupportedVersion(7))
        );
        assert_eq!(parse_meta(&[]), Err(AnkiError::UnsupportedVersion(0)));
        assert!(matches!(
            parse_meta(&[0x08]),
            Err(AnkiError::Corrupt { .. })
        ));
    }
}
