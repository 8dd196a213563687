//! The plan of one image: its geometry, where mke2fs would put the root
//! and lost+found directories, the resize inode's block and the journal,
//! and the per-group counts and flags that follow from them.
//!
//! mke2fs allocates these blocks in a fixed order after the group tables
//! (`create_root_dir`, `create_lost_and_found`,
//! `ext2fs_create_resize_inode`, `ext2fs_add_journal_inode3`). The plan
//! replays that order on windows of the block bitmap (see
//! [`crate::bitmap`]), so the result matches mke2fs block for block.

use crate::arith::{add, mul, sub, to_u32};
use crate::bitmap::BlockWindow;
use crate::constants::{
    ADDR_PER_BLOCK, BLOCK_SIZE_U64, BLOCK_SIZE_USIZE, EXT2_BG_BLOCK_UNINIT,
    EXT2_BG_INODE_UNINIT, EXT2_BG_INODE_ZEROED, FIRST_INO, GROUPS_PER_FLEX,
    LOST_FOUND_BLOCKS,
};
use crate::crc32c::crc32c_update;
use crate::error::{FormatError, Result};
use crate::geometry::{BackupGroups, Geometry};
use crate::journal::{self, FileExtent, JournalLayout};
use crate::ondisk::GroupDesc;
use crate::options::FormatOptions;

/// Groups that one bitmap window may cover: 64 groups take 256 KiB.
const WINDOW_GROUPS: u32 = 64;
/// Groups after the journal's goal group that its window covers. The
/// largest journal (262144 blocks) spans 8 groups, plus backup
/// descriptors and the next flex group's tables in between.
const JOURNAL_WINDOW_GROUPS: u32 = 24;

/// A run of allocated blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockRange {
    /// First block.
    pub start: u64,
    /// Number of blocks.
    pub len: u64,
}

/// Working space of [`Plan::group_desc`]: a block to render bitmaps in
/// and the checksum of the last block bitmap that held only group tables.
#[derive(Debug, Clone)]
pub struct Scratch {
    block: Vec<u8>,
    last_bitmap: Option<(BitmapShape, u32)>,
}

impl Scratch {
    /// Allocates the working space.
    pub fn new() -> Self {
        Scratch {
            block: vec![0; BLOCK_SIZE_USIZE],
            last_bitmap: None,
        }
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch::new()
    }
}

/// The used ranges of a block bitmap that holds only its group's
/// superblock and descriptors (the first `super_and_gdt` blocks) and group
/// tables (offsets and lengths within the group). Equal shapes give equal
/// bitmap bytes in any group but the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BitmapShape {
    super_and_gdt: u64,
    tables: [(u64, u64); 3],
}

/// Everything needed to write one image.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Validated options.
    pub options: FormatOptions,
    /// File system geometry.
    pub geometry: Geometry,
    /// Seed of every metadata checksum: CRC32C(!0, UUID)
    /// (`ext2fs_init_csum_seed` without metadata_csum_seed).
    pub csum_seed: u32,
    /// Groups after group 0 with superblock and descriptor backups.
    pub backup_groups: Vec<u32>,
    /// The root directory's only block.
    pub root_dir_block: u64,
    /// The blocks of /lost+found, in logical order.
    pub lost_found_blocks: [u64; LOST_FOUND_BLOCKS],
    /// The double-indirect block of the resize inode.
    pub resize_dind_block: u64,
    /// The journal's blocks.
    pub journal: JournalLayout,
    /// Blocks allocated outside the group tables: directories, resize
    /// inode, journal and its extent leaf.
    pub allocated: Vec<BlockRange>,
    /// `s_free_blocks_count`.
    pub free_blocks: u64,
    /// `s_overhead_clusters`: superblocks, descriptors, reserved GDT
    /// blocks, bitmaps, inode tables and journal (mke2fs counts the used
    /// blocks after allocating the tables, then adds the journal).
    pub overhead_blocks: u64,
}

/// Returns the number of blocks of `start..start + len` that fall in
/// `lo..hi`.
fn overlap(start: u64, len: u64, lo: u64, hi: u64) -> Result<u64> {
    let end = add(start, len)?;
    let from = start.max(lo);
    let to = end.min(hi);
    Ok(if to > from { sub(to, from)? } else { 0 })
}

impl Plan {
    /// Plans the image for `options`.
    ///
    /// # Errors
    /// Returns [`FormatError::LayoutInvariant`] or
    /// [`FormatError::Overflow`] if an internal invariant fails.
    pub fn new(options: FormatOptions) -> Result<Self> {
        let geometry = Geometry::new(options.size_bytes)?;
        let csum_seed = crc32c_update(!0, &options.uuid);
        let backup_groups: Vec<u32> =
            BackupGroups::new(geometry.group_count).collect();
        let mut allocated: Vec<BlockRange> = Vec::new();

        // create_root_dir and create_lost_and_found: ext2fs_mkdir takes
        // the first free block of the directory's flex group (group 0),
        // ext2fs_expand_dir the first free block after the previous one.
        let flex0_end = geometry.group_count.min(WINDOW_GROUPS);
        let mut window = fill_window(&geometry, 0, flex0_end, &allocated)?;
        let root_dir_block = window.allocate_block(0)?;
        let mut lost_found_blocks = [0u64; LOST_FOUND_BLOCKS];
        let mut goal = 0;
        for block in lost_found_blocks.iter_mut() {
            *block = window.allocate_block(goal)?;
            goal = *block;
        }
        // ext2fs_create_resize_inode aims its double-indirect block past
        // group 0's descriptors, reserved GDT blocks, bitmaps and table.
        let dind_goal = add(
            add(
                u64::from(geometry.desc_blocks),
                u64::from(geometry.reserved_gdt_blocks),
            )?,
            add(2, u64::from(geometry.inode_blocks_per_group))?,
        )?;
        let resize_dind_block = window.allocate_block(dind_goal)?;
        allocated.push(BlockRange {
            start: root_dir_block,
            len: 1,
        });
        for &block in lost_found_blocks.iter() {
            allocated.push(BlockRange {
                start: block,
                len: 1,
            });
        }
        allocated.push(BlockRange {
            start: resize_dind_block,
            len: 1,
        });

        // ext2fs_add_journal_inode3: goal group near the middle.
        let free_so_far = |group: u32| -> Result<u64> {
            let used = group_used_blocks(&geometry, &allocated, group)?;
            sub(geometry.group_block_count(group)?, used)
        };
        let goal_group = journal::midpoint_group(&geometry, &free_so_far)?;
        let (first_group, end_group) = if geometry.group_count <= WINDOW_GROUPS
        {
            (0, geometry.group_count)
        } else {
            let first = goal_group.saturating_sub(1);
            let end =
                add(u64::from(goal_group), u64::from(JOURNAL_WINDOW_GROUPS))?;
            (first, to_u32(end.min(u64::from(geometry.group_count)))?)
        };
        let mut window =
            fill_window(&geometry, first_group, end_group, &allocated)?;
        let journal = journal::allocate(
            &mut window,
            geometry.blocks_count,
            geometry.group_first_block(goal_group)?,
            geometry.journal_blocks,
        )?;
        for extent in journal.extents.iter() {
            allocated.push(BlockRange {
                start: extent.start,
                len: u64::from(extent.len),
            });
        }
        if let Some(leaf) = journal.leaf_block {
            allocated.push(BlockRange {
                start: leaf,
                len: 1,
            });
        }

        // Totals: every superblock copy, the descriptors and reserved GDT
        // blocks after it, and the tables of every group.
        let mut super_and_gdt = geometry.super_and_gdt_blocks(0)?;
        for &group in backup_groups.iter() {
            super_and_gdt =
                add(super_and_gdt, geometry.super_and_gdt_blocks(group)?)?;
        }
        let tables = mul(
            u64::from(geometry.group_count),
            add(2, u64::from(geometry.inode_blocks_per_group))?,
        )?;
        let mut allocated_total = 0u64;
        for range in allocated.iter() {
            allocated_total = add(allocated_total, range.len)?;
        }
        let used = add(add(super_and_gdt, tables)?, allocated_total)?;
        let free_blocks = sub(geometry.blocks_count, used)?;
        let overhead_blocks = add(
            add(super_and_gdt, tables)?,
            u64::from(geometry.journal_blocks),
        )?;

        Ok(Plan {
            options,
            geometry,
            csum_seed,
            backup_groups,
            root_dir_block,
            lost_found_blocks,
            resize_dind_block,
            journal,
            allocated,
            free_blocks,
            overhead_blocks,
        })
    }

    /// Returns the extents of /lost+found, merging physically contiguous
    /// blocks as `ext2fs_extent_set_bmap` does when the directory grows.
    pub fn lost_found_extents(&self) -> Result<Vec<FileExtent>> {
        let mut extents: Vec<FileExtent> = Vec::new();
        let mut logical: u32 = 0;
        for &block in self.lost_found_blocks.iter() {
            match extents.last_mut() {
                Some(last)
                    if add(last.start, u64::from(last.len))? == block =>
                {
                    last.len = to_u32(add(u64::from(last.len), 1)?)?;
                }
                _ => extents.push(FileExtent {
                    logical,
                    start: block,
                    len: 1,
                }),
            }
            logical = to_u32(add(u64::from(logical), 1)?)?;
        }
        Ok(extents)
    }

    /// Returns the number of blocks of `group` taken by its own
    /// superblock and descriptors, by group tables, and by the other
    /// allocations, in that order.
    pub fn group_usage(&self, group: u32) -> Result<(u64, u64, u64)> {
        let first = self.geometry.group_first_block(group)?;
        let end = add(first, self.geometry.group_block_count(group)?)?;
        let super_and_gdt = self.geometry.super_and_gdt_blocks(group)?;
        let tables = tables_in(&self.geometry, group, first, end)?;
        let mut allocated = 0u64;
        for range in self.allocated.iter() {
            allocated =
                add(allocated, overlap(range.start, range.len, first, end)?)?;
        }
        Ok((super_and_gdt, tables, allocated))
    }

    /// Returns whether `group`'s block bitmap stays uninitialised
    /// (`EXT2_BG_BLOCK_UNINIT`): nothing but its own superblock and
    /// descriptors is allocated in it, and it is not the last group, whose
    /// bitmap mke2fs always writes because of its padding bits.
    pub fn block_bitmap_uninit(&self, group: u32) -> Result<bool> {
        let last = sub(u64::from(self.geometry.group_count), 1)?;
        if u64::from(group) == last {
            return Ok(false);
        }
        let (_, tables, allocated) = self.group_usage(group)?;
        Ok(tables == 0 && allocated == 0)
    }

    /// Fills `bitmap` (one block) with the block bitmap of `group`: its
    /// superblock and descriptors, the tables and other allocations in
    /// it, and set padding bits past the group's end and past the
    /// bitmap's `blocks_per_group / 8` bytes, as `write_bitmaps` pads
    /// them.
    pub fn write_block_bitmap(
        &self,
        group: u32,
        bitmap: &mut [u8],
    ) -> Result<()> {
        let geometry = &self.geometry;
        let first = geometry.group_first_block(group)?;
        let count = geometry.group_block_count(group)?;
        let end = add(first, count)?;
        let bytes =
            crate::arith::to_usize(u64::from(geometry.blocks_per_group) / 8)?;
        bitmap.fill(0xFF);
        bitmap[..bytes].fill(0);
        let mut mark = |start: u64, len: u64| -> Result<()> {
            let from = start.max(first);
            let to = add(start, len)?.min(end);
            if to > from {
                set_bits(bitmap, sub(from, first)?, sub(to, first)?)?;
            }
            Ok(())
        };
        mark(first, geometry.super_and_gdt_blocks(group)?)?;
        let flex = geometry.flex_tables(group / GROUPS_PER_FLEX)?;
        for (start, len) in flex.ranges(geometry.inode_blocks_per_group)? {
            mark(start, len)?;
        }
        for range in self.allocated.iter() {
            mark(range.start, range.len)?;
        }
        if count < u64::from(geometry.blocks_per_group) {
            let bits = mul(crate::arith::from_usize(bitmap.len())?, 8)?;
            set_bits(bitmap, count, bits)?;
        }
        Ok(())
    }

    /// Fills `bitmap` (one block) with group 0's inode bitmap: inodes 1
    /// to 11 in use, padding past `inodes_per_group` bits set.
    pub fn write_inode_bitmap(&self, bitmap: &mut [u8]) -> Result<()> {
        let bytes = crate::arith::to_usize(
            u64::from(self.geometry.inodes_per_group) / 8,
        )?;
        bitmap.fill(0xFF);
        bitmap[..bytes].fill(0);
        set_bits(bitmap, 0, u64::from(FIRST_INO))
    }

    /// Returns the descriptor of `group`, using `scratch` to compute the
    /// bitmap checksums.
    pub fn group_desc(
        &self,
        group: u32,
        scratch: &mut Scratch,
    ) -> Result<GroupDesc> {
        let geometry = &self.geometry;
        let tables = geometry.group_tables(group)?;
        let (super_and_gdt, in_tables, allocated) = self.group_usage(group)?;
        let used = add(add(super_and_gdt, in_tables)?, allocated)?;
        let free_blocks =
            to_u32(sub(geometry.group_block_count(group)?, used)?)?;
        // Every group is flagged ITABLE_ZEROED, as mke2fs flags them when
        // discarding the device zeroes it (true for a regular file). The
        // image is a fresh sparse file, so unwritten inode table blocks
        // read as zeros. Without the flag Linux's lazyinit thread writes
        // zeros over every inode table after the first mount, which
        // allocates host disk: 16 GiB for a 1 TiB image. A 20 GiB image
        // mounted by Linux 6.18 kept its allocated size.
        let mut flags = EXT2_BG_INODE_ZEROED;
        let last = sub(u64::from(geometry.group_count), 1)?;
        let bitmap_bytes =
            crate::arith::to_usize(u64::from(geometry.blocks_per_group) / 8)?;

        let block_bitmap_csum = if u64::from(group) == last || allocated > 0 {
            self.write_block_bitmap(group, &mut scratch.block)?;
            crc32c_update(self.csum_seed, &scratch.block[..bitmap_bytes])
        } else if in_tables == 0 {
            flags |= EXT2_BG_BLOCK_UNINIT;
            0
        } else {
            // Most flex groups lay out their first group alike, so the
            // checksum of the previous such bitmap usually applies.
            let shape = self.bitmap_shape(group, super_and_gdt)?;
            match scratch.last_bitmap {
                Some((cached, csum)) if cached == shape => csum,
                _ => {
                    self.write_block_bitmap(group, &mut scratch.block)?;
                    let csum = crc32c_update(
                        self.csum_seed,
                        &scratch.block[..bitmap_bytes],
                    );
                    scratch.last_bitmap = Some((shape, csum));
                    csum
                }
            }
        };

        let ipg = geometry.inodes_per_group;
        let (free_inodes, used_dirs, inode_bitmap_csum) = if group == 0 {
            self.write_inode_bitmap(&mut scratch.block)?;
            let bytes = crate::arith::to_usize(u64::from(ipg) / 8)?;
            let free = ipg.checked_sub(FIRST_INO).ok_or(
                FormatError::LayoutInvariant("group 0 too few inodes"),
            )?;
            let csum = crc32c_update(self.csum_seed, &scratch.block[..bytes]);
            (free, 2, csum)
        } else {
            flags |= EXT2_BG_INODE_UNINIT;
            (ipg, 0, 0)
        };
        Ok(GroupDesc {
            block_bitmap: tables.block_bitmap,
            inode_bitmap: tables.inode_bitmap,
            inode_table: tables.inode_table,
            free_blocks,
            free_inodes,
            used_dirs,
            flags,
            block_bitmap_csum,
            inode_bitmap_csum,
            itable_unused: free_inodes,
        })
    }

    /// Returns the layout of a block bitmap that holds only the group's
    /// superblock and descriptors and group tables.
    fn bitmap_shape(
        &self,
        group: u32,
        super_and_gdt: u64,
    ) -> Result<BitmapShape> {
        let geometry = &self.geometry;
        let first = geometry.group_first_block(group)?;
        let end = add(first, geometry.group_block_count(group)?)?;
        let flex = geometry.flex_tables(group / GROUPS_PER_FLEX)?;
        let mut tables = [(0u64, 0u64); 3];
        for (slot, (start, len)) in tables
            .iter_mut()
            .zip(flex.ranges(geometry.inode_blocks_per_group)?)
        {
            let from = start.max(first);
            let count = overlap(start, len, first, end)?;
            *slot = if count > 0 {
                (sub(from, first)?, count)
            } else {
                (0, 0)
            };
        }
        Ok(BitmapShape {
            super_and_gdt,
            tables,
        })
    }

    /// Returns the number of blocks held by the resize inode: its
    /// double-indirect block, plus each reserved GDT block in group 0 and
    /// in every backup group (`ext2fs_create_resize_inode`).
    pub fn resize_inode_blocks(&self) -> Result<u64> {
        let copies =
            add(crate::arith::from_usize(self.backup_groups.len())?, 1)?;
        add(
            1,
            mul(u64::from(self.geometry.reserved_gdt_blocks), copies)?,
        )
    }

    /// Returns the resize inode's `i_size`: every block reachable through
    /// direct, indirect and double-indirect pointers.
    pub fn resize_inode_size(&self) -> Result<u64> {
        let apb = u64::from(ADDR_PER_BLOCK);
        let blocks = add(
            add(mul(apb, apb)?, apb)?,
            crate::constants::EXT2_NDIR_BLOCKS,
        )?;
        mul(blocks, BLOCK_SIZE_U64)
    }
}

/// Returns the blocks of `first..end` (one group) taken by group tables.
/// Only the group's own flex group can place tables in it.
fn tables_in(
    geometry: &Geometry,
    group: u32,
    first: u64,
    end: u64,
) -> Result<u64> {
    let flex = geometry.flex_tables(group / GROUPS_PER_FLEX)?;
    let mut count = 0u64;
    for (start, len) in flex.ranges(geometry.inode_blocks_per_group)? {
        count = add(count, overlap(start, len, first, end)?)?;
    }
    Ok(count)
}

/// Returns the blocks of `group` in use, counting `allocated`.
fn group_used_blocks(
    geometry: &Geometry,
    allocated: &[BlockRange],
    group: u32,
) -> Result<u64> {
    let first = geometry.group_first_block(group)?;
    let end = add(first, geometry.group_block_count(group)?)?;
    let mut used = add(
        geometry.super_and_gdt_blocks(group)?,
        tables_in(geometry, group, first, end)?,
    )?;
    for range in allocated {
        used = add(used, overlap(range.start, range.len, first, end)?)?;
    }
    Ok(used)
}

/// Builds the block bitmap of groups `first_group..end_group` as it is
/// after mke2fs allocated the group tables and `allocated`.
fn fill_window(
    geometry: &Geometry,
    first_group: u32,
    end_group: u32,
    allocated: &[BlockRange],
) -> Result<BlockWindow> {
    let first = geometry.group_first_block(first_group)?;
    let end = if end_group >= geometry.group_count {
        geometry.blocks_count
    } else {
        geometry.group_first_block(end_group)?
    };
    let mut window = BlockWindow::new(first, end, geometry.blocks_count)?;
    for group in first_group..end_group {
        let start = geometry.group_first_block(group)?;
        window.mark_clipped(start, geometry.super_and_gdt_blocks(group)?)?;
    }
    let first_flex = first_group / GROUPS_PER_FLEX;
    let end_flex = to_u32(crate::arith::div_ceil(
        u64::from(end_group),
        u64::from(GROUPS_PER_FLEX),
    )?)?;
    for flex in first_flex..end_flex {
        let tables = geometry.flex_tables(flex)?;
        for (start, len) in tables.ranges(geometry.inode_blocks_per_group)? {
            window.mark_clipped(start, len)?;
        }
    }
    for range in allocated {
        window.mark_clipped(range.start, range.len)?;
    }
    Ok(window)
}

/// Sets bits `from..to` of a little-endian bitmap.
fn set_bits(bitmap: &mut [u8], from: u64, to: u64) -> Result<()> {
    let mut bit = from;
    while bit < to {
        let byte = crate::arith::to_usize(bit / 8)?;
        if bit % 8 == 0 && sub(to, bit)? >= 8 {
            let whole = crate::arith::to_usize(sub(to, bit)? / 8)?;
            bitmap[byte..][..whole].fill(0xFF);
            bit = add(bit, mul(crate::arith::from_usize(whole)?, 8)?)?;
        } else {
            let shift =
                u32::try_from(bit % 8).map_err(|_| FormatError::Overflow)?;
            bitmap[byte] |= 1u8 << shift;
            bit = add(bit, 1)?;
        }
    }
    Ok(())
}
