//! Validated inputs of a format request and the derived values that only
//! depend on them (hash seed, timestamps).

use crate::crc32c::crc32c;
use crate::error::{FormatError, Result};

/// Smallest image size: 8 MiB.
pub const MIN_SIZE_BYTES: u64 = 8 * 1024 * 1024;
/// Largest image size: 16 TiB minus 1 MiB. Up to here the block count
/// stays below 2^32, so the resize inode (which uses 32-bit block
/// pointers) exists, as in mke2fs.
pub const MAX_SIZE_BYTES: u64 = 16 * 1024 * 1024 * 1024 * 1024 - 1024 * 1024;
/// Latest timestamp that an inode can hold with ext4's extra time fields:
/// 2^31 - 1 + 3 * 2^32 seconds, 2446-05-10T22:38:55Z.
pub const MAX_TIMESTAMP: u64 = 15_032_385_535;
/// Length of `s_volume_name`.
pub const LABEL_MAX_BYTES: usize = 16;

/// Validated options of one format request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatOptions {
    /// Image size in bytes; whole 4 KiB blocks are used.
    pub size_bytes: u64,
    /// File system UUID (`s_uuid`), also the journal's UUID and the
    /// checksum seed's input.
    pub uuid: [u8; 16],
    /// Volume label padded with NUL bytes (`s_volume_name`).
    pub label: [u8; LABEL_MAX_BYTES],
    /// Creation time in seconds since the Unix epoch.
    pub timestamp: u64,
    /// Directory hash seed (`s_hash_seed`).
    pub hash_seed: [u8; 16],
}

impl FormatOptions {
    /// Validates the inputs and derives the hash seed from the UUID when
    /// `hash_seed` is `None`.
    ///
    /// # Errors
    /// Returns the `FormatError` variant naming the first invalid input.
    pub fn new(
        size_bytes: u64,
        uuid: [u8; 16],
        label: &[u8],
        timestamp: u64,
        hash_seed: Option<[u8; 16]>,
    ) -> Result<Self> {
        if size_bytes < MIN_SIZE_BYTES {
            return Err(FormatError::SizeTooSmall { size_bytes });
        }
        if size_bytes > MAX_SIZE_BYTES {
            return Err(FormatError::SizeTooLarge { size_bytes });
        }
        if label.len() > LABEL_MAX_BYTES {
            return Err(FormatError::LabelTooLong { len: label.len() });
        }
        if core::str::from_utf8(label).is_err() || label.contains(&0) {
            return Err(FormatError::LabelInvalid);
        }
        if timestamp == 0 || timestamp > MAX_TIMESTAMP {
            return Err(FormatError::TimestampOutOfRange {
                seconds: timestamp,
            });
        }
        let mut padded_label = [0u8; LABEL_MAX_BYTES];
        padded_label[..label.len()].copy_from_slice(label);
        Ok(FormatOptions {
            size_bytes,
            uuid,
            label: padded_label,
            timestamp,
            hash_seed: hash_seed.unwrap_or_else(|| derive_hash_seed(&uuid)),
        })
    }
}

/// Derives the directory hash seed from the UUID, so that one UUID and
/// one timestamp give a byte-identical image. Word `i` (little-endian) is
/// the CRC-32C of the 16 UUID bytes followed by the byte `i`. mke2fs
/// draws a random seed instead. Any value works for the kernel, because
/// it only needs the seed to stay fixed for the life of the file system.
pub fn derive_hash_seed(uuid: &[u8; 16]) -> [u8; 16] {
    let mut seed = [0u8; 16];
    let mut input = [0u8; 17];
    input[..16].copy_from_slice(uuid);
    for (word, chunk) in seed.chunks_exact_mut(4).enumerate() {
        input[16] = word.to_le_bytes()[0];
        chunk.copy_from_slice(&crc32c(&input).to_le_bytes());
    }
    seed
}

/// Splits a timestamp into an inode's 32-bit seconds field and its
/// `_extra` field (epoch bits 0-1, nanoseconds 0), as the kernel's
/// `ext4_encode_extra_time` does. Readers take the seconds field as
/// signed and add 2^32 seconds for each epoch count.
///
/// NOTE: mke2fs 1.47.0 writes only the low 32 bits and leaves `_extra`
/// at 0, so for times from 2038-01-19 on its inodes read back as 1901.
/// This crate writes the epoch bits; before 2038 both agree.
pub fn inode_time(timestamp: u64) -> Result<(u32, u32)> {
    let bytes = timestamp.to_le_bytes();
    let low = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let low_signed = i64::from(i32::from_le_bytes(low.to_le_bytes()));
    let seconds =
        i64::try_from(timestamp).map_err(|_| FormatError::Overflow)?;
    let eras = seconds
        .checked_sub(low_signed)
        .ok_or(FormatError::Overflow)?
        >> 32;
    let epoch = u32::try_from(eras).map_err(|_| FormatError::Overflow)?;
    if epoch > 3 {
        return Err(FormatError::TimestampOutOfRange { seconds: timestamp });
    }
    Ok((low, epoch))
}

/// Splits a timestamp into a superblock's 32-bit seconds field and its
/// 8-bit `_hi` field (`s_mkfs_time_hi` and friends), both unsigned.
pub fn superblock_time(timestamp: u64) -> Result<(u32, u8)> {
    let bytes = timestamp.to_le_bytes();
    let low = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    if bytes[5..].iter().any(|&byte| byte != 0) {
        return Err(FormatError::TimestampOutOfRange { seconds: timestamp });
    }
    Ok((low, bytes[4]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(size: u64, label: &[u8], time: u64) -> Result<FormatOptions> {
        FormatOptions::new(size, [7; 16], label, time, None)
    }

    #[test]
    fn size_limits_are_inclusive() {
        assert!(options(MIN_SIZE_BYTES, b"", 1).is_ok());
        assert!(options(MAX_SIZE_BYTES, b"", 1).is_ok());
        assert_eq!(
            options(MIN_SIZE_BYTES - 1, b"", 1),
            Err(FormatError::SizeTooSmall {
                size_bytes: MIN_SIZE_BYTES - 1
            })
        );
        assert_eq!(
            options(MAX_SIZE_BYTES + 1, b"", 1),
            Err(FormatError::SizeTooLarge {
                size_bytes: MAX_SIZE_BYTES + 1
            })
        );
        assert_eq!(MAX_SIZE_BYTES, 17_592_184_995_840);
    }

    #[test]
    fn label_rules() {
        let label =
            options(MIN_SIZE_BYTES, "données-é".as_bytes(), 1).map(|o| o.label);
        let mut expected = [0u8; 16];
        expected[..11].copy_from_slice("données-é".as_bytes());
        assert_eq!(label, Ok(expected));
        assert!(options(MIN_SIZE_BYTES, &[b'a'; 16], 1).is_ok());
        assert_eq!(
            options(MIN_SIZE_BYTES, &[b'a'; 17], 1),
            Err(FormatError::LabelTooLong { len: 17 })
        );
        assert_eq!(
            options(MIN_SIZE_BYTES, b"a\0b", 1),
            Err(FormatError::LabelInvalid)
        );
        assert_eq!(
            options(MIN_SIZE_BYTES, &[0xC3], 1),
            Err(FormatError::LabelInvalid)
        );
    }

    #[test]
    fn timestamp_limits() {
        assert!(options(MIN_SIZE_BYTES, b"", MAX_TIMESTAMP).is_ok());
        assert_eq!(
            options(MIN_SIZE_BYTES, b"", 0),
            Err(FormatError::TimestampOutOfRange { seconds: 0 })
        );
        assert_eq!(
            options(MIN_SIZE_BYTES, b"", MAX_TIMESTAMP + 1),
            Err(FormatError::TimestampOutOfRange {
                seconds: MAX_TIMESTAMP + 1
            })
        );
    }

    #[test]
    fn inode_time_epochs() {
        assert_eq!(inode_time(1_700_000_000), Ok((1_700_000_000, 0)));
        assert_eq!(inode_time(0x7FFF_FFFF), Ok((0x7FFF_FFFF, 0)));
        // 2038-01-19T03:14:08Z reads as -2^31 plus one era.
        assert_eq!(inode_time(0x8000_0000), Ok((0x8000_0000, 1)));
        assert_eq!(inode_time(0x1_0000_0000), Ok((0, 1)));
        assert_eq!(inode_time(MAX_TIMESTAMP), Ok((0x7FFF_FFFF, 3)));
    }

    #[test]
    fn superblock_time_high_byte() {
        assert_eq!(superblock_time(1_700_000_000), Ok((1_700_000_000, 0)));
        assert_eq!(superblock_time(MAX_TIMESTAMP), Ok((0x7FFF_FFFF, 3)));
    }

    #[test]
    fn hash_seed_is_derived_from_uuid() {
        let a = derive_hash_seed(&[1; 16]);
        assert_eq!(a, derive_hash_seed(&[1; 16]));
        assert_ne!(a, derive_hash_seed(&[2; 16]));
        assert_ne!(a, [0; 16]);
        let given =
            FormatOptions::new(MIN_SIZE_BYTES, [1; 16], b"", 1, Some([9; 16]));
        assert_eq!(given.map(|o| o.hash_seed), Ok([9; 16]));
    }
}
