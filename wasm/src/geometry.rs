//! Layout math: the geometry that `mkfs.ext4 -b 4096` of e2fsprogs 1.47.0
//! chooses for a device size, the sparse_super backup groups, and where
//! the flex_bg allocator puts each group's bitmaps and inode table.
//!
//! The functions follow mke2fs's `PRS` and libext2fs's
//! `ext2fs_initialize`, `calc_reserved_gdt_blocks`,
//! `ext2fs_reserve_super_and_bgd` and `ext2fs_allocate_group_table`,
//! including their quirks, because matching mke2fs block for block is
//! what lets the tests compare images with `mkfs.ext4` output.

use crate::arith::{
    add, div, div_ceil, f64_to_u64_truncate, mul, rem, sub, to_u32, u64_to_f64,
};
use crate::constants::{
    ADDR_PER_BLOCK, BLOCKS_PER_GROUP, BLOCK_SIZE_U64, DESCS_PER_BLOCK,
    FIRST_INO, GROUPS_PER_FLEX, INODES_PER_BLOCK, INODE_SIZE, RESERVED_RATIO,
};
use crate::error::{FormatError, Result};
use crate::journal::default_journal_blocks;

/// Blocks in one MiB.
const BLOCKS_PER_MIB: u64 = 1024 * 1024 / BLOCK_SIZE_U64;

/// Geometry of the file system for one device size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// `s_blocks_count`: blocks in the file system. mke2fs drops a last
    /// group too small for its own metadata, so this can be less than the
    /// device size in blocks.
    pub blocks_count: u64,
    /// `s_r_blocks_count`: blocks reserved for root (about 5 %).
    pub reserved_blocks: u64,
    /// `s_blocks_per_group`: 32768, less for a few small sizes where
    /// mke2fs shrinks groups to fit the inodes.
    pub blocks_per_group: u32,
    /// Number of block groups.
    pub group_count: u32,
    /// Blocks of group descriptors (64 per block).
    pub desc_blocks: u32,
    /// `s_reserved_gdt_blocks`: descriptor blocks kept free for online
    /// growth, up to 1024 times the size or 2^32 blocks.
    pub reserved_gdt_blocks: u32,
    /// `s_inodes_per_group`.
    pub inodes_per_group: u32,
    /// Inode table blocks per group.
    pub inode_blocks_per_group: u32,
    /// `s_inodes_count`.
    pub inodes_count: u32,
    /// Journal length in blocks (`ext2fs_default_journal_size`).
    pub journal_blocks: u32,
}

/// Placement of the bitmaps and inode tables of one flex group by the
/// flex_bg allocator: all in its first group, one after another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlexTables {
    /// First group of the flex group.
    pub first_group: u32,
    /// Groups in the flex group (16, fewer for the last one).
    pub groups: u32,
    /// Block of the first group's block bitmap; the block bitmaps of the
    /// other groups follow.
    pub start: u64,
    /// Distance from the block bitmaps to the inode bitmaps and from the
    /// inode bitmaps to the inode tables: the flex size, or for the last
    /// flex group its number of groups (16 when it has only one).
    pub table_offset: u64,
}

/// Bitmap and inode table locations of one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupTables {
    /// `bg_block_bitmap`.
    pub block_bitmap: u64,
    /// `bg_inode_bitmap`.
    pub inode_bitmap: u64,
    /// `bg_inode_table`.
    pub inode_table: u64,
}

/// Returns the inode ratio (bytes per inode) of the mke2fs.conf usage
/// type that mke2fs picks for a device of `blocks` 4 KiB blocks: "small"
/// below 512 MiB, the default up to 4 TiB, "big" up to 16 TiB, "huge"
/// beyond. With `-b 4096` the "small" type keeps 4 KiB blocks but still
/// sets its inode ratio of 4096. ("floppy", below 3 MiB, is below the
/// minimum size.)
fn inode_ratio(blocks: u64) -> u64 {
    if blocks < 512 * BLOCKS_PER_MIB {
        4096
    } else if blocks < 4 * 1024 * 1024 * BLOCKS_PER_MIB {
        16384
    } else if blocks < 16 * 1024 * 1024 * BLOCKS_PER_MIB {
        32768
    } else {
        65536
    }
}

/// Returns `ratio * blocks / 100.0` truncated, computed in `double` as
/// mke2fs does (`ext2fs_r_blocks_count_set` of a `double`).
fn ratio_of(ratio: f64, blocks: u64) -> Result<u64> {
    f64_to_u64_truncate(ratio * u64_to_f64(blocks)? / 100.0)
}

/// Returns whether `group` is a power of `base` (`test_root`).
fn is_power_of(group: u32, base: u32) -> bool {
    let mut power = u64::from(base);
    while u64::from(group) > power {
        power = power.saturating_mul(u64::from(base));
    }
    u64::from(group) == power
}

/// Returns whether `group` holds a superblock backup under sparse_super:
/// groups 0 and 1 and the powers of 3, 5 and 7 (`ext2fs_bg_has_super`).
pub fn group_has_super(group: u32) -> bool {
    if group <= 1 {
        return true;
    }
    if group % 2 == 0 {
        return false;
    }
    is_power_of(group, 3) || is_power_of(group, 5) || is_power_of(group, 7)
}

/// Iterator over the groups after group 0 that hold superblock and
/// descriptor backups, in ascending order, as `list_backups` in
/// libext2fs's res_gdt.c lists them: 1, 3, 5, 7, 9, 25, 27, 49, ...
#[derive(Debug, Clone)]
pub struct BackupGroups {
    three: u64,
    five: u64,
    seven: u64,
    group_count: u32,
}

impl BackupGroups {
    /// Lists the backup groups below `group_count`.
    pub fn new(group_count: u32) -> Self {
        BackupGroups {
            three: 1,
            five: 5,
            seven: 7,
            group_count,
        }
    }
}

impl Iterator for BackupGroups {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let (next, base) = if self.five < self.three && self.five < self.seven {
            (&mut self.five, 5)
        } else if self.seven < self.three {
            (&mut self.seven, 7)
        } else {
            (&mut self.three, 3)
        };
        let group = *next;
        *next = next.saturating_mul(base);
        match u32::try_from(group) {
            Ok(group) if group < self.group_count => Some(group),
            _ => None,
        }
    }
}

impl Geometry {
    /// Computes the geometry for an image of `size_bytes` bytes (already
    /// checked against the size limits).
    ///
    /// # Errors
    /// Returns [`FormatError::LayoutInvariant`] for a geometry that
    /// mke2fs would reject or lay out with meta_bg; neither happens for
    /// sizes within the limits.
    pub fn new(size_bytes: u64) -> Result<Self> {
        // mke2fs PRS: the device size in whole blocks, the usage type's
        // inode ratio, the reserved blocks and the requested inode count.
        let device_blocks = div(size_bytes, BLOCK_SIZE_U64)?;
        let ratio = inode_ratio(device_blocks);
        let requested_reserved = ratio_of(RESERVED_RATIO, device_blocks)?;
        let requested_inodes =
            to_u32(div(mul(device_blocks, BLOCK_SIZE_U64)?, ratio)?)?;
        if mul(u64::from(requested_inodes), u64::from(INODE_SIZE))?
            >= mul(device_blocks, BLOCK_SIZE_U64)?
        {
            return Err(FormatError::LayoutInvariant("inode tables too big"));
        }
        if requested_reserved >= device_blocks {
            return Err(FormatError::LayoutInvariant("too many reserved"));
        }

        // ext2fs_initialize, with its two retry loops: a group with more
        // inodes than fit one inode bitmap shrinks the groups by 8 blocks,
        // and a last group too small for its metadata (plus 50 blocks) is
        // dropped.
        let mut blocks_per_group = BLOCKS_PER_GROUP;
        let mut blocks_count = device_blocks;
        let mut reserved_blocks = requested_reserved;
        loop {
            let bpg = u64::from(blocks_per_group);
            let group_count = to_u32(div_ceil(blocks_count, bpg)?)?;
            if group_count == 0 {
                return Err(FormatError::LayoutInvariant("no groups"));
            }
            let desc_blocks = to_u32(div_ceil(
                u64::from(group_count),
                u64::from(DESCS_PER_BLOCK),
            )?)?;
            let inodes = requested_inodes.max(FIRST_INO + 1);
            let first_ipg =
                div_ceil(u64::from(inodes), u64::from(group_count))?;
            if first_ipg > mul(BLOCK_SIZE_U64, 8)? {
                if blocks_per_group < 256 {
                    return Err(FormatError::LayoutInvariant(
                        "too many inodes",
                    ));
                }
                blocks_per_group = to_u32(sub(bpg, 8)?)?;
                blocks_count = device_blocks;
                continue;
            }
            let (inodes_per_group, inode_blocks_per_group) =
                round_inodes_per_group(first_ipg, group_count)?;
            let reserved_gdt_blocks =
                reserved_gdt_blocks(blocks_count, bpg, desc_blocks)?;
            // ext2fs_initialize turns on meta_bg (which this crate does
            // not write) when the descriptors take 3/4 of a group.
            if add(u64::from(reserved_gdt_blocks), u64::from(desc_blocks))?
                > div(mul(bpg, 3)?, 4)?
            {
                return Err(FormatError::LayoutInvariant("needs meta_bg"));
            }
            let full_overhead = add(
                add(3, u64::from(inode_blocks_per_group))?,
                add(u64::from(reserved_gdt_blocks), u64::from(desc_blocks))?,
            )?;
            if full_overhead > bpg {
                return Err(FormatError::LayoutInvariant("too many inodes"));
            }
            let last_group = sub(u64::from(group_count), 1)?;
            let mut last_overhead = add(2, u64::from(inode_blocks_per_group))?;
            if group_has_super(to_u32(last_group)?) {
                last_overhead = add(
                    last_overhead,
                    add(
                        1,
                        add(
                            u64::from(desc_blocks),
                            u64::from(reserved_gdt_blocks),
                        )?,
                    )?,
                )?;
            }
            let remainder = rem(blocks_count, bpg)?;
            if group_count == 1 && remainder != 0 && remainder < last_overhead {
                return Err(FormatError::LayoutInvariant("too small"));
            }
            if remainder != 0 && remainder < add(last_overhead, 50)? {
                blocks_count = sub(blocks_count, remainder)?;
                // mke2fs recomputes the reserved count from the ratio of
                // the original request, again in double.
                let ratio = 100.0 * u64_to_f64(requested_reserved)?
                    / u64_to_f64(device_blocks)?;
                reserved_blocks = ratio_of(ratio, blocks_count)?;
                continue;
            }
            return Ok(Geometry {
                blocks_count,
                reserved_blocks,
                blocks_per_group,
                group_count,
                desc_blocks,
                reserved_gdt_blocks,
                inodes_per_group,
                inode_blocks_per_group,
                inodes_count: to_u32(mul(
                    u64::from(inodes_per_group),
                    u64::from(group_count),
                )?)?,
                journal_blocks: default_journal_blocks(blocks_count)?,
            });
        }
    }

    /// Returns the first block of `group`.
    pub fn group_first_block(&self, group: u32) -> Result<u64> {
        mul(u64::from(group), u64::from(self.blocks_per_group))
    }

    /// Returns the number of blocks in `group`; the last group can be
    /// shorter.
    pub fn group_block_count(&self, group: u32) -> Result<u64> {
        let first = self.group_first_block(group)?;
        Ok(
            sub(self.blocks_count, first)?
                .min(u64::from(self.blocks_per_group)),
        )
    }

    /// Returns the group that contains `block`.
    pub fn group_of_block(&self, block: u64) -> Result<u32> {
        to_u32(div(block, u64::from(self.blocks_per_group))?)
    }

    /// Returns the number of blocks at the start of `group` taken by the
    /// superblock, the group descriptors and the reserved GDT blocks: 0
    /// for groups without a backup.
    pub fn super_and_gdt_blocks(&self, group: u32) -> Result<u64> {
        if !group_has_super(group) {
            return Ok(0);
        }
        // ext2fs_reserve_super_and_bgd clips the descriptor range at the
        // end of the file system.
        let descriptors = add(
            u64::from(self.desc_blocks),
            u64::from(self.reserved_gdt_blocks),
        )?;
        let after_super = add(self.group_first_block(group)?, 1)?;
        let room = sub(self.blocks_count, after_super)?;
        add(1, descriptors.min(room))
    }

    /// Returns the number of flex groups.
    pub fn flex_count(&self) -> Result<u32> {
        to_u32(div_ceil(
            u64::from(self.group_count),
            u64::from(GROUPS_PER_FLEX),
        )?)
    }

    /// Returns where `ext2fs_allocate_group_table` puts the tables of
    /// flex group `flex`.
    ///
    /// For the first group of a flex group, the allocator searches the flex
    /// group for `n` free blocks for the block bitmaps. It places the inode
    /// bitmaps `table_offset` blocks after the first block bitmap, and the
    /// inode tables `table_offset` blocks after the first inode bitmap. The
    /// other groups follow their predecessor. At that point nothing but
    /// the first group's superblock and descriptors is allocated, so the
    /// search lands right after them, provided the tables fit in the first
    /// group. That holds for every size within the limits. The check below
    /// returns an error otherwise, and a test compares this closed form
    /// with a block-by-block port of the allocator.
    pub fn flex_tables(&self, flex: u32) -> Result<FlexTables> {
        let first_group =
            to_u32(mul(u64::from(flex), u64::from(GROUPS_PER_FLEX))?)?;
        let remaining =
            sub(u64::from(self.group_count), u64::from(first_group))?;
        let groups = to_u32(remaining.min(u64::from(GROUPS_PER_FLEX)))?;
        if groups == 0 {
            return Err(FormatError::LayoutInvariant("flex group past end"));
        }

        let last_in_flex = add(u64::from(first_group), u64::from(groups))?;
        let table_offset = if last_in_flex == u64::from(self.group_count) {
            // The last flex group keeps its tables contiguous: the offset
            // is its group count, except that a single group uses the
            // full flex size.
            let last_group = sub(last_in_flex, 1)?;
            let position = rem(last_group, u64::from(GROUPS_PER_FLEX))?;
            if position == 0 {
                u64::from(GROUPS_PER_FLEX)
            } else {
                add(position, 1)?
            }
        } else {
            u64::from(GROUPS_PER_FLEX)
        };

        let group_start = self.group_first_block(first_group)?;
        let start = add(group_start, self.super_and_gdt_blocks(first_group)?)?;
        let tables_end = add(
            add(start, mul(table_offset, 2)?)?,
            mul(u64::from(groups), u64::from(self.inode_blocks_per_group))?,
        )?;
        let group_end = add(group_start, self.group_block_count(first_group)?)?;
        if tables_end > group_end {
            return Err(FormatError::LayoutInvariant(
                "flex tables do not fit the first group",
            ));
        }

        Ok(FlexTables {
            first_group,
            groups,
            start,
            table_offset,
        })
    }

    /// Returns the bitmap and inode table locations of `group`.
    pub fn group_tables(&self, group: u32) -> Result<GroupTables> {
        let flex = self.flex_tables(group / GROUPS_PER_FLEX)?;
        flex.group_tables(group, self.inode_blocks_per_group)
    }
}

impl FlexTables {
    /// Returns the table locations of `group`, a member of this flex
    /// group.
    pub fn group_tables(
        &self,
        group: u32,
        inode_blocks_per_group: u32,
    ) -> Result<GroupTables> {
        let index = u64::from(
            group
                .checked_sub(self.first_group)
                .filter(|&index| index < self.groups)
                .ok_or(FormatError::LayoutInvariant("group not in flex"))?,
        );
        let block_bitmap = add(self.start, index)?;
        let inode_bitmap = add(block_bitmap, self.table_offset)?;
        let inode_table = add(
            add(self.start, mul(self.table_offset, 2)?)?,
            mul(index, u64::from(inode_blocks_per_group))?,
        )?;
        Ok(GroupTables {
            block_bitmap,
            inode_bitmap,
            inode_table,
        })
    }

    /// Returns the block ranges `(start, length)` of all the tables of
    /// this flex group: block bitmaps, inode bitmaps, inode tables.
    pub fn ranges(
        &self,
        inode_blocks_per_group: u32,
    ) -> Result<[(u64, u64); 3]> {
        let groups = u64::from(self.groups);
        Ok([
            (self.start, groups),
            (add(self.start, self.table_offset)?, groups),
            (
                add(self.start, mul(self.table_offset, 2)?)?,
                mul(groups, u64::from(inode_blocks_per_group))?,
            ),
        ])
    }
}

/// Rounds the inodes per group up to fill whole inode table blocks and
/// down to a multiple of 8, as `ext2fs_initialize` does. Returns the
/// inodes per group and the inode table blocks per group.
fn round_inodes_per_group(ipg: u64, group_count: u32) -> Result<(u32, u32)> {
    let mut ipg = ipg;
    loop {
        let table_blocks =
            div_ceil(mul(ipg, u64::from(INODE_SIZE))?, BLOCK_SIZE_U64)?;
        let mut rounded = mul(table_blocks, u64::from(INODES_PER_BLOCK))?;
        rounded = mul(div(rounded.max(8), 8)?, 8)?;
        let table_blocks =
            div_ceil(mul(rounded, u64::from(INODE_SIZE))?, BLOCK_SIZE_U64)?;
        if mul(rounded, u64::from(group_count))? > u64::from(u32::MAX) {
            ipg = sub(ipg, 1)?;
            continue;
        }
        return Ok((to_u32(rounded)?, to_u32(table_blocks)?));
    }
}

/// Returns the reserved GDT blocks (`calc_reserved_gdt_blocks`): enough
/// descriptor blocks for 1024 times the size, at most 2^32 - 1 blocks,
/// capped at one indirect block of pointers.
fn reserved_gdt_blocks(
    blocks_count: u64,
    blocks_per_group: u64,
    desc_blocks: u32,
) -> Result<u32> {
    let limit: u64 = 0xFFFF_FFFF;
    let max_blocks = if blocks_count < limit / 1024 {
        mul(blocks_count, 1024)?
    } else {
        limit
    };
    let groups = div_ceil(max_blocks, blocks_per_group)?;
    let blocks = sub(
        div_ceil(groups, u64::from(DESCS_PER_BLOCK))?,
        u64::from(desc_blocks),
    )?;
    to_u32(blocks.min(u64::from(ADDR_PER_BLOCK)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;
    const GIB: u64 = 1024 * MIB;
    const TIB: u64 = 1024 * GIB;

    /// Size, inodes, blocks, reserved blocks, reserved GDT blocks, blocks
    /// per group, inodes per group and journal blocks.
    type MkfsRow = (u64, u32, u64, u64, u32, u32, u32, u32);

    /// Geometry of the file systems that `mkfs.ext4 -b 4096` of e2fsprogs
    /// 1.47.0 created for these sizes, as dumpe2fs -h printed it.
    const MKFS: [MkfsRow; 12] = [
        (8 * MIB, 2048, 2048, 102, 0, 32768, 2048, 1024),
        (9 * MIB, 2304, 2304, 115, 1, 32768, 2304, 1024),
        (64 * MIB, 16384, 16384, 819, 7, 32768, 16384, 1024),
        (100 * MIB, 25600, 25600, 1280, 12, 32768, 25600, 1024),
        (129 * MIB, 33024, 33024, 1596, 16, 31920, 16512, 4096),
        (511 * MIB, 130_816, 130_816, 6540, 63, 32768, 32704, 4096),
        (512 * MIB, 32768, 131_072, 6553, 63, 32768, 8192, 4096),
        (GIB, 65536, 262_144, 13107, 127, 32768, 8192, 8192),
        (
            20 * GIB,
            1_310_720,
            5_242_880,
            262_144,
            1024,
            32768,
            8192,
            32768,
        ),
        (
            TIB,
            67_108_864,
            268_435_456,
            13_421_772,
            1024,
            32768,
            8192,
            262_144,
        ),
        (
            4 * TIB,
            134_217_728,
            1_073_741_824,
            53_687_091,
            1024,
            32768,
            4096,
            262_144,
        ),
        (
            16 * TIB - MIB,
            536_870_912,
            4_294_967_040,
            214_748_352,
            0,
            32768,
            4096,
            262_144,
        ),
    ];

    #[test]
    fn geometry_matches_mkfs() {
        for &(size, inodes, blocks, reserved, rsv_gdt, bpg, ipg, journal) in
            MKFS.iter()
        {
            let geometry = Geometry::new(size).unwrap();
            assert_eq!(geometry.inodes_count, inodes, "inodes, size {size}");
            assert_eq!(geometry.blocks_count, blocks, "blocks, size {size}");
            assert_eq!(
                geometry.reserved_blocks, reserved,
                "reserved, size {size}"
            );
            assert_eq!(
                geometry.reserved_gdt_blocks, rsv_gdt,
                "rsv gdt, size {size}"
            );
            assert_eq!(geometry.blocks_per_group, bpg, "bpg, size {size}");
            assert_eq!(geometry.inodes_per_group, ipg, "ipg, size {size}");
            assert_eq!(
                geometry.journal_blocks, journal,
                "journal, size {size}"
            );
        }
    }

    #[test]
    fn largest_size_geometry() {
        let geometry = Geometry::new(16 * TIB - MIB).unwrap();
        assert_eq!(geometry.group_count, 131_072);
        assert_eq!(geometry.desc_blocks, 2048);
        assert!(geometry.blocks_count < 1 << 32);
        // The last group is 256 blocks short.
        assert_eq!(geometry.group_block_count(131_071), Ok(32512));
    }

    #[test]
    fn backup_groups_in_ascending_order() {
        let groups: Vec<u32> = BackupGroups::new(1000).collect();
        assert_eq!(
            groups,
            [1, 3, 5, 7, 9, 25, 27, 49, 81, 125, 243, 343, 625, 729]
        );
        for group in 0..100_000 {
            let listed =
                group == 0 || BackupGroups::new(100_000).any(|g| g == group);
            assert_eq!(group_has_super(group), listed, "group {group}");
        }
    }

    #[test]
    fn too_small_last_group_is_dropped() {
        // mkfs.ext4 1.47.0 drops a 9th group of 507 blocks and keeps one
        // of 508: with 9 groups each inode table takes 456 blocks, and the
        // last group must hold its bitmaps and table plus 50 blocks
        // (2 + 456 + 50 = 508).
        let dropped = Geometry::new(GIB + 507 * 4096).unwrap();
        assert_eq!(dropped.blocks_count, 262_144);
        assert_eq!(dropped.group_count, 8);
        let kept = Geometry::new(GIB + 508 * 4096).unwrap();
        assert_eq!(kept.blocks_count, 262_144 + 508);
        assert_eq!(kept.group_count, 9);
    }

    #[test]
    fn partial_blocks_are_ignored() {
        let whole = Geometry::new(8 * MIB).unwrap();
        assert_eq!(Geometry::new(8 * MIB + 4095), Ok(whole));
    }

    /// Block-by-block port of libext2fs's `ext2fs_allocate_tables` with
    /// flex_bg (alloc_tables.c: `flexbg_offset` and
    /// `ext2fs_allocate_group_table`), on a whole block bitmap.
    struct ReferenceAllocator<'a> {
        geometry: &'a Geometry,
        used: Vec<bool>,
        tables: Vec<GroupTables>,
    }

    impl<'a> ReferenceAllocator<'a> {
        fn new(geometry: &'a Geometry) -> Self {
            let mut used = vec![false; geometry.blocks_count as usize];
            for group in 0..geometry.group_count {
                let first = geometry.group_first_block(group).unwrap() as usize;
                let count =
                    geometry.super_and_gdt_blocks(group).unwrap() as usize;
                for block in used.iter_mut().skip(first).take(count) {
                    *block = true;
                }
            }
            ReferenceAllocator {
                geometry,
                used,
                tables: Vec::new(),
            }
        }

        fn range_free(&self, start: u64, len: u64) -> bool {
            (start..start + len).all(|block| !self.used[block as usize])
        }

        /// `ext2fs_get_free_blocks2`.
        fn get_free_blocks(
            &self,
            start: u64,
            finish: u64,
            num: u64,
        ) -> Option<u64> {
            let blocks = self.geometry.blocks_count;
            let mut block = start;
            loop {
                if block + num > blocks {
                    if finish > start {
                        return None;
                    }
                    block = 0;
                }
                if self.range_free(block, num) {
                    return Some(block);
                }
                block += 1;
                if block == finish {
                    return None;
                }
            }
        }

        fn flexbg_offset(
            &self,
            group: u32,
            start: u64,
            remaining: u32,
            elem: u64,
        ) -> u64 {
            let geometry = self.geometry;
            let flexbg = group / GROUPS_PER_FLEX;
            let size = (u64::from(remaining) * elem)
                .min(u64::from(geometry.blocks_per_group) / 4);
            if start > 0 && start < geometry.blocks_count {
                if let Some(found) =
                    self.get_free_blocks(start, start + size, elem)
                {
                    return found;
                }
            }
            let start = geometry
                .group_first_block(flexbg * GROUPS_PER_FLEX)
                .unwrap();
            let last_group =
                (group | (GROUPS_PER_FLEX - 1)).min(geometry.group_count - 1);
            let last = geometry.group_first_block(last_group).unwrap()
                + geometry.group_block_count(last_group).unwrap()
                - 1;
            self.get_free_blocks(start, last, size)
                .or_else(|| self.get_free_blocks(start, last, elem))
                .or_else(|| self.get_free_blocks(0, last, elem))
                .expect("flexbg_offset found no room")
        }

        fn mark(&mut self, start: u64, len: u64) {
            for block in start..start + len {
                assert!(!self.used[block as usize], "block {block} twice");
                self.used[block as usize] = true;
            }
        }

        fn allocate_group(&mut self, group: u32) {
            let geometry = self.geometry;
            let ipb = u64::from(geometry.inode_blocks_per_group);
            let last_group =
                (group | (GROUPS_PER_FLEX - 1)).min(geometry.group_count - 1);
            let remaining = last_group - group + 1;
            let mut table_offset = u64::from(GROUPS_PER_FLEX);
            let mut previous = 0;
            if group % GROUPS_PER_FLEX != 0 {
                previous = self.tables[group as usize - 1].block_bitmap + 1;
            } else if last_group == geometry.group_count - 1 {
                table_offset = u64::from(last_group % GROUPS_PER_FLEX);
                table_offset = if table_offset == 0 {
                    u64::from(GROUPS_PER_FLEX)
                } else {
                    table_offset + 1
                };
            }
            let last = geometry.group_first_block(last_group).unwrap()
                + geometry.group_block_count(last_group).unwrap()
                - 1;
            let start = self.flexbg_offset(group, previous, remaining, 1);
            let block_bitmap = self.get_free_blocks(start, last, 1).unwrap();
            self.mark(block_bitmap, 1);
            let previous = if group % GROUPS_PER_FLEX != 0 {
                self.tables[group as usize - 1].inode_bitmap + 1
            } else {
                block_bitmap + table_offset
            };
            let start = self.flexbg_offset(group, previous, remaining, 1);
            let inode_bitmap = self.get_free_blocks(start, last, 1).unwrap();
            self.mark(inode_bitmap, 1);
            let previous = if group % GROUPS_PER_FLEX != 0 {
                self.tables[group as usize - 1].inode_table + ipb
            } else {
                inode_bitmap + table_offset
            };
            let start = self.flexbg_offset(group, previous, remaining, ipb);
            let inode_table = self.get_free_blocks(start, last, ipb).unwrap();
            self.mark(inode_table, ipb);
            self.tables.push(GroupTables {
                block_bitmap,
                inode_bitmap,
                inode_table,
            });
        }
    }

    #[test]
    fn flex_tables_match_block_by_block_allocator() {
        let mut sizes =
            vec![8 * MIB, 9 * MIB, 129 * MIB, 511 * MIB, GIB, 20 * GIB];
        // One to 40 groups, with full, short and single-group last flex
        // groups.
        for groups in 1..=40u64 {
            sizes.push(groups * 128 * MIB);
            sizes.push(groups * 128 * MIB + 3 * MIB);
            sizes.push(groups * 128 * MIB + 61 * MIB);
        }
        for size in sizes {
            let geometry = Geometry::new(size).unwrap();
            let mut reference = ReferenceAllocator::new(&geometry);
            for group in 0..geometry.group_count {
                reference.allocate_group(group);
            }
            for group in 0..geometry.group_count {
                assert_eq!(
                    geometry.group_tables(group).unwrap(),
                    reference.tables[group as usize],
                    "size {size}, group {group}"
                );
            }
        }
    }
}
