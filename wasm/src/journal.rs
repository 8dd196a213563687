//! The journal: its size and place as mke2fs chooses them, the extent
//! tree of the journal inode, and the jbd2 superblock.

use crate::arith::{add, sub, to_u32};
use crate::bitmap::BlockWindow;
use crate::constants::{
    BLOCK_SIZE, EXTENTS_IN_BLOCK, EXT_INIT_MAX_LEN, GROUPS_PER_FLEX,
    JBD2_MAGIC_NUMBER, JBD2_SUPERBLOCK_V2,
};
use crate::error::{FormatError, Result};
use crate::geometry::Geometry;

/// Returns the journal size in blocks that mke2fs picks for a file system
/// of `blocks` 4 KiB blocks (`ext2fs_default_journal_size` in e2fsprogs
/// 1.47.0's lib/ext2fs/mkjournal.c). The journal takes 4 MiB below
/// 128 MiB, 16 MiB below 1 GiB, 32 MiB below 2 GiB and 64 MiB below
/// 16 GiB. Above that it takes 128 MiB below 32 GiB, 256 MiB below 64 GiB,
/// 512 MiB below 128 GiB and 1 GiB from there on.
pub fn default_journal_blocks(blocks: u64) -> Result<u32> {
    const BANDS: [(u64, u32); 8] = [
        (2048, 0),
        (32768, 1024),
        (256 * 1024, 4096),
        (512 * 1024, 8192),
        (4096 * 1024, 16384),
        (8192 * 1024, 32768),
        (16384 * 1024, 65536),
        (32768 * 1024, 131_072),
    ];
    for &(below, journal) in BANDS.iter() {
        if blocks < below {
            if journal == 0 {
                // mke2fs makes no journal below 2048 blocks; the minimum
                // size keeps every image above that.
                return Err(FormatError::LayoutInvariant(
                    "no room for journal",
                ));
            }
            return Ok(journal);
        }
    }
    Ok(262_144)
}

/// One extent of a file: `len` blocks from logical block `logical` are
/// stored from physical block `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileExtent {
    /// First logical block (`ee_block`).
    pub logical: u32,
    /// First physical block (`ee_start_hi:ee_start_lo`).
    pub start: u64,
    /// Length in blocks (`ee_len`), at most 32768.
    pub len: u32,
}

/// Placement of the journal's blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalLayout {
    /// The journal's extents in logical order.
    pub extents: Vec<FileExtent>,
    /// The extent tree leaf block, present when the extents do not fit
    /// the four slots in the inode.
    pub leaf_block: Option<u64>,
}

impl JournalLayout {
    /// Returns the block that holds the jbd2 superblock: the journal's
    /// logical block 0.
    pub fn superblock_block(&self) -> Result<u64> {
        self.extents
            .first()
            .map(|extent| extent.start)
            .ok_or(FormatError::LayoutInvariant("journal has no blocks"))
    }
}

/// Returns the group whose first block mke2fs uses as the journal's
/// allocation goal (`get_midpoint_journal_block`). It is the group with
/// the most free blocks among the middle group and its neighbours, or
/// among the first two groups of the middle flex group. `free_blocks`
/// returns a group's free blocks at that point of mke2fs's run, after the
/// root and lost+found directories and the resize inode.
pub fn midpoint_group(
    geometry: &Geometry,
    free_blocks: &dyn Fn(u32) -> Result<u64>,
) -> Result<u32> {
    let count = geometry.group_count;
    let mut group = geometry.group_of_block(geometry.blocks_count / 2)?;
    let start = if group > GROUPS_PER_FLEX {
        group &= !(GROUPS_PER_FLEX - 1);
        while group < count && free_blocks(group)? == 0 {
            group = to_u32(add(u64::from(group), 1)?)?;
        }
        if group == count {
            group = 0;
        }
        group
    } else {
        group.saturating_sub(1)
    };
    let end = if add(u64::from(group), 1)? < u64::from(count) {
        to_u32(add(u64::from(group), 1)?)?
    } else {
        group
    };
    let mut best = start;
    let mut candidate = start;
    while candidate < end {
        candidate = to_u32(add(u64::from(candidate), 1)?)?;
        if free_blocks(candidate)? > free_blocks(best)? {
            best = candidate;
        }
    }
    Ok(best)
}

/// Allocates `blocks` journal blocks from `goal` on as mke2fs does with
/// lazy journal init (`ext2fs_fallocate` with `EXT2_FALLOCATE_FORCE_INIT`):
/// repeatedly take the next free run of at most 32768 blocks. When the
/// fifth extent overflows the inode, libext2fs moves the extents into a
/// leaf block (`extent_node_split`). It allocates that block at the first
/// free block from one before the first extent. This function takes the
/// block at the same point, so the extents after it skip it.
pub fn allocate(
    window: &mut BlockWindow,
    blocks_count: u64,
    goal: u64,
    blocks: u32,
) -> Result<JournalLayout> {
    let last = sub(blocks_count, 1)?;
    // extent_fallocate starts at the first free block at or after the goal.
    let mut next = window.find_first_zero(goal, last)?.unwrap_or(goal);
    let mut extents: Vec<FileExtent> = Vec::new();
    let mut leaf_block = None;
    let mut logical: u32 = 0;
    let mut remaining = u64::from(blocks);
    while remaining > 0 {
        let want = remaining.min(u64::from(EXT_INIT_MAX_LEN));
        let (start, len) = window.allocate_range(next, want)?;
        extents.push(FileExtent {
            logical,
            start,
            len: to_u32(len)?,
        });
        if extents.len() == 5 && leaf_block.is_none() {
            let first = extents[0].start;
            let leaf_goal = if first > 0 { sub(first, 1)? } else { first };
            leaf_block = Some(window.allocate_block(leaf_goal)?);
        }
        logical = to_u32(add(u64::from(logical), len)?)?;
        remaining = sub(remaining, len)?;
        next = add(start, len)?;
        if next >= blocks_count {
            next = 0;
        }
    }
    if extents.len() > usize::from(EXTENTS_IN_BLOCK) {
        return Err(FormatError::LayoutInvariant("journal too fragmented"));
    }
    Ok(JournalLayout {
        extents,
        leaf_block,
    })
}

/// Writes the jbd2 superblock (big-endian, version 2) of an internal
/// journal of `blocks` blocks into the first 1024 bytes of `block`, as
/// `ext2fs_create_journal_superblock2` does: one user, log starting at
/// block 1, sequence 1, empty (`s_start` 0).
///
/// mke2fs 1.47.0 sets no journal features, so there is no checksum here
/// either: Linux turns on checksum v3 (and fills `s_checksum`) when it
/// first mounts a metadata_csum file system.
pub fn write_superblock(block: &mut [u8], uuid: &[u8; 16], blocks: u32) {
    let put = |block: &mut [u8], offset: usize, value: u32| {
        block[offset..][..4].copy_from_slice(&value.to_be_bytes());
    };
    put(block, 0x00, JBD2_MAGIC_NUMBER); // s_header.h_magic
    put(block, 0x04, JBD2_SUPERBLOCK_V2); // s_header.h_blocktype
    put(block, 0x0C, BLOCK_SIZE); // s_blocksize
    put(block, 0x10, blocks); // s_maxlen
    put(block, 0x14, 1); // s_first
    put(block, 0x18, 1); // s_sequence
    block[0x30..0x40].copy_from_slice(uuid); // s_uuid
    put(block, 0x40, 1); // s_nr_users
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_size_bands() {
        let cases = [
            (2048u64, 1024u32),
            (32767, 1024),
            (32768, 4096),
            (262_143, 4096),
            (262_144, 8192),
            (524_288, 16384),
            (4_194_304, 32768),
            (8_388_608, 65536),
            (16_777_216, 131_072),
            (33_554_432, 262_144),
            (4_294_967_040, 262_144),
        ];
        for (blocks, journal) in cases {
            assert_eq!(default_journal_blocks(blocks), Ok(journal), "{blocks}");
        }
        assert!(default_journal_blocks(2047).is_err());
    }

    #[test]
    fn leaf_block_goes_before_first_extent() {
        let blocks_count = 400_000;
        let mut window =
            BlockWindow::new(0, blocks_count, blocks_count).unwrap();
        window.mark(0, 100_000).unwrap();
        let layout =
            allocate(&mut window, blocks_count, 100_000, 262_144).unwrap();
        assert_eq!(layout.extents.len(), 8);
        assert_eq!(layout.leaf_block, Some(100_000 + 5 * 32768));
        // Block 99_999 was in use, so the leaf went to the first free block
        // after the fifth extent and the sixth extent starts after it.
        assert_eq!(layout.extents[5].start, 100_000 + 5 * 32768 + 1);
        assert_eq!(layout.extents[7].logical, 7 * 32768);
    }

    #[test]
    fn superblock_fields_are_big_endian() {
        let mut block = [0u8; 4096];
        write_superblock(&mut block, &[0xAB; 16], 8192);
        assert_eq!(&block[0..4], &[0xC0, 0x3B, 0x39, 0x98]);
        assert_eq!(&block[0x10..0x14], &8192u32.to_be_bytes());
        assert_eq!(&block[0x30..0x40], &[0xAB; 16]);
        assert!(block[0x44..].iter().all(|&byte| byte == 0));
    }
}
