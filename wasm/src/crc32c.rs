//! CRC32C (Castagnoli), the checksum of ext4's `metadata_csum` feature
//! and of jbd2's checksum v3.
//!
//! ext4 stores raw register values: [`crc32c_update`] neither inverts
//! the seed nor the result, like `ext2fs_crc32c_le` in e2fsprogs and
//! `crc32c_le` in Linux. ext4 starts from `!0` and chains seeds, so a
//! field's checksum is `crc32c_update(seed, bytes)`. [`crc32c`] is the
//! standard CRC-32C with both inversions, as used for known test vectors.

/// Reflected form of the Castagnoli polynomial 0x1EDC6F41.
const POLYNOMIAL: u32 = 0x82F6_3B78;

/// Lookup tables for slice-by-8: `TABLES[0]` is the byte-wise table and
/// `TABLES[k]` advances a byte through `k` further zero bytes.
static TABLES: [[u32; 256]; 8] = make_tables();

// Loop counters stay below 256 and 8, and `u8 as usize` is lossless; a
// const fn in Rust 1.63 cannot call `usize::from`.
#[allow(clippy::arithmetic_side_effects, clippy::as_conversions)]
const fn make_tables() -> [[u32; 256]; 8] {
    let mut tables = [[0u32; 256]; 8];
    let mut index: usize = 0;
    let mut byte: u32 = 0;
    while index < 256 {
        let mut crc = byte;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLYNOMIAL
            } else {
                crc >> 1
            };
            bit += 1;
        }
        tables[0][index] = crc;
        index += 1;
        byte += 1;
    }
    let mut table = 1;
    while table < 8 {
        let mut index = 0;
        while index < 256 {
            let previous = tables[table - 1][index];
            let low_byte = previous.to_le_bytes()[0];
            tables[table][index] =
                (previous >> 8) ^ tables[0][low_byte as usize];
            index += 1;
        }
        table += 1;
    }
    tables
}

/// Feeds `data` into the CRC32C register `crc` and returns the new
/// register value, without the initial or final inversion.
pub fn crc32c_update(crc: u32, data: &[u8]) -> u32 {
    let mut crc = crc;
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let low =
            u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]) ^ crc;
        let low = low.to_le_bytes();
        crc = TABLES[7][usize::from(low[0])]
            ^ TABLES[6][usize::from(low[1])]
            ^ TABLES[5][usize::from(low[2])]
            ^ TABLES[4][usize::from(low[3])]
            ^ TABLES[3][usize::from(chunk[4])]
            ^ TABLES[2][usize::from(chunk[5])]
            ^ TABLES[1][usize::from(chunk[6])]
            ^ TABLES[0][usize::from(chunk[7])];
    }
    for &byte in chunks.remainder() {
        let index = crc.to_le_bytes()[0] ^ byte;
        crc = TABLES[0][usize::from(index)] ^ (crc >> 8);
    }
    crc
}

/// Returns the standard CRC-32C of `data` (seed `!0`, result inverted).
pub fn crc32c(data: &[u8]) -> u32 {
    !crc32c_update(!0, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-by-bit reference, independent of the tables.
    fn crc32c_bitwise(mut crc: u32, data: &[u8]) -> u32 {
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ POLYNOMIAL
                } else {
                    crc >> 1
                };
            }
        }
        crc
    }

    #[test]
    fn known_vector() {
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn empty_input_keeps_register() {
        assert_eq!(crc32c_update(0x1234_5678, &[]), 0x1234_5678);
        assert_eq!(crc32c(&[]), 0);
    }

    #[test]
    fn rfc3720_vectors() {
        // iSCSI (RFC 3720, appendix B.4) test patterns.
        assert_eq!(crc32c(&[0u8; 32]), 0x8A91_36AA);
        assert_eq!(crc32c(&[0xFFu8; 32]), 0x62A8_AB43);
        let ascending: Vec<u8> = (0u8..32).collect();
        assert_eq!(crc32c(&ascending), 0x46DD_794E);
    }

    #[test]
    fn slice_by_8_matches_bitwise_for_all_lengths() {
        let data: Vec<u8> = (0u32..300)
            .map(|i| i.wrapping_mul(2_654_435_761).to_le_bytes()[3])
            .collect();
        for len in 0..data.len() {
            for seed in [0u32, !0, 0xDEAD_BEEF] {
                assert_eq!(
                    crc32c_update(seed, &data[..len]),
                    crc32c_bitwise(seed, &data[..len]),
                    "length {len}, seed {seed:#x}"
                );
            }
        }
    }

    #[test]
    fn chained_updates_equal_one_update() {
        let data = b"ext4 metadata checksum chaining";
        let whole = crc32c_update(!0, data);
        let (head, tail) = data.split_at(11);
        assert_eq!(crc32c_update(crc32c_update(!0, head), tail), whole);
    }
}
