//! The few protobuf messages a package holds, decoded by hand: a message is a
//! sequence of (field number, wire type) keys, each followed by a varint, a
//! fixed 32/64-bit value or a length-delimited byte string.

/// One field value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Value<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1.
    Fixed64(u64),
    /// Wire type 2: bytes, a string or an embedded message.
    Bytes(&'a [u8]),
    /// Wire type 5.
    Fixed32(u32),
}

impl Value<'_> {
    /// The value as an unsigned number, for varint fields.
    pub(super) fn varint(self) -> Option<u64> {
        match self {
            Value::Varint(v) => Some(v),
            _ => None,
        }
    }
}

/// Iterates over the fields of a message; an error ends the iteration.
pub(super) struct Fields<'a> {
    buf: &'a [u8],
    failed: bool,
}

/// Decodes the fields of `buf`, in order.
pub(super) fn fields(buf: &[u8]) -> Fields<'_> {
    Fields { buf, failed: false }
}

fn varint(buf: &mut &[u8]) -> Result<u64, String> {
    let mut value: u64 = 0;
    for shift in (0..70).step_by(7) {
        let Some((&byte, rest)) = buf.split_first() else {
            return Err("truncated varint".into());
        };
        *buf = rest;
        if shift == 63 && byte > 1 {
            return Err("varint overflows 64 bits".into());
        }
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint longer than 10 bytes".into())
}

fn take<'a>(buf: &mut &'a [u8], n: u64) -> Result<&'a [u8], String> {
    let n = usize::try_from(n).map_err(|_| "length out of range".to_string())?;
    if n > buf.len() {
        return Err(format!("field of {n} bytes where {} remain", buf.len()));
    }
    let (head, rest) = buf.split_at(n);
    *buf = rest;
    Ok(head)
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u32, Value<'a>), String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.buf.is_empty() {
            return None;
        }
        let result = (|| {
            let key = varint(&mut self.buf)?;
            let number = u32::try_from(key >> 3).map_err(|_| "field number out of range")?;
            if number == 0 {
                return Err("field number 0".to_string());
            }
            let value = match key & 7 {
                0 => Value::Varint(varint(&mut self.buf)?),
                1 => {
                    let b = take(&mut self.buf, 8)?;
                    // `take` gave exactly 8 bytes, so the conversion holds.
                    Value::Fixed64(u64::from_le_bytes(b.try_into().unwrap_or_default()))
                }
                2 => {
                    let len = varint(&mut self.buf)?;
                    Value::Bytes(take(&mut self.buf, len)?)
                }
                5 => {
                    let b = take(&mut self.buf, 4)?;
                    // `take` gave exactly 4 bytes, so the conversion holds.
                    Value::Fixed32(u32::from_le_bytes(b.try_into().unwrap_or_default()))
                }
                wire => return Err(format!("unsupported wire type {wire}")),
            };
            Ok((number, value))
        })();
        self.failed = result.is_err();
        Some(result)
    }
}

/// Appends a varint.
#[cfg(test)]
pub(super) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends a varint field.
#[cfg(test)]
pub(super) fn put_varint_field(out: &mut Vec<u8>, number: u32, v: u64) {
    put_varint(out, u64::from(number) << 3);
    put_varint(out, v);
}

/// Appends a length-delimited field.
#[cfg(test)]
pub(super) fn put_bytes_field(out: &mut Vec<u8>, number: u32, bytes: &[u8]) {
    put_varint(out, (u64::from(number) << 3) | 2);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut out = Vec::new();
        put_varint_field(&mut out, 1, 3);
        put_bytes_field(&mut out, 2, b"hi");
        put_varint_field(&mut out, 9, 300);
        assert_eq!(&out[..2], &[0x08, 0x03]);
        let got: Vec<_> = fields(&out).collect::<Result<_, _>>().unwrap();
        assert_eq!(
            got,
            [
                (1, Value::Varint(3)),
                (2, Value::Bytes(b"hi")),
                (9, Value::Varint(300))
            ]
        );
    }

    #[test]
    fn errors_instead_of_panics() {
        for bad in [
            &[0x0a, 0x05, 0x01][..],
            &[0x08],
            &[
                0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
            ],
            &[0x0b],
            &[0x00, 0x00],
        ] {
            assert!(fields(bad).any(|f| f.is_err()), "{bad:?}");
        }
        let max = [
            0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
        ];
        assert_eq!(fields(&max).next(), Some(Ok((1, Value::Varint(u64::MAX)))));
    }
}
