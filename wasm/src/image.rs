//! Renders the metadata blocks of a planned image: superblock copies,
//! group descriptor blocks, reserved GDT blocks, bitmaps, the first
//! inode table block, directories, the resize inode's block map and the
//! journal's first block and extent leaf.

use crate::arith::{
    add, div_ceil, from_usize, mul, rem, sub, to_u16, to_u32, to_usize,
};
use crate::constants::{
    ADDR_PER_BLOCK, BLOCK_SIZE_USIZE, DESCS_PER_BLOCK, DESC_SIZE,
    DIR_TAIL_SIZE, EXT2_BAD_INO, EXT2_DIND_BLOCK, EXT2_FT_DIR,
    EXT2_JOURNAL_INO, EXT2_RESIZE_INO, EXT2_ROOT_INO, EXT4_EXTENTS_FL,
    INODES_PER_BLOCK, INODE_SIZE_USIZE, LOST_FOUND_BLOCKS, LOST_FOUND_INO,
    S_IFDIR, S_IFREG,
};
use crate::error::{FormatError, Result};
use crate::journal::FileExtent;
use crate::ondisk::{
    extent_root, put_u32, write_dir_tail, write_dirent, write_extent_leaf,
    Inode, Superblock,
};
use crate::options::{inode_time, superblock_time};
use crate::plan::{Plan, Scratch};

/// Sectors (512 bytes) per block, the unit of `i_blocks`.
const SECTORS_PER_BLOCK: u64 = 8;

impl Plan {
    /// Returns the superblock values; `written_bytes` is the number of
    /// bytes the whole format writes, recorded in `s_kbytes_written`.
    pub fn superblock(&self, written_bytes: u64) -> Result<Superblock> {
        let geometry = &self.geometry;
        let journal_inode = self.journal_inode()?;
        let mut jnl_blocks = [0u8; 68];
        jnl_blocks[..60].copy_from_slice(&journal_inode.block);
        let size = journal_inode.size.to_le_bytes();
        jnl_blocks[60..64].copy_from_slice(&size[4..8]); // i_size_high
        jnl_blocks[64..68].copy_from_slice(&size[0..4]); // i_size
        let free_inodes = geometry
            .inodes_count
            .checked_sub(crate::constants::FIRST_INO)
            .ok_or(FormatError::LayoutInvariant("too few inodes"))?;
        Ok(Superblock {
            inodes_count: geometry.inodes_count,
            blocks_count: geometry.blocks_count,
            reserved_blocks: geometry.reserved_blocks,
            free_blocks: self.free_blocks,
            free_inodes,
            blocks_per_group: geometry.blocks_per_group,
            inodes_per_group: geometry.inodes_per_group,
            time: superblock_time(self.options.timestamp)?,
            uuid: self.options.uuid,
            volume_name: self.options.label,
            reserved_gdt_blocks: to_u16(u64::from(
                geometry.reserved_gdt_blocks,
            ))?,
            hash_seed: self.options.hash_seed,
            jnl_blocks,
            // mke2fs counts the bytes its I/O layer wrote; this crate
            // records its metadata bytes (Writer::total_bytes).
            kbytes_written: div_ceil(written_bytes, 1024)?,
            overhead_clusters: to_u32(self.overhead_blocks)?,
        })
    }

    /// Writes the descriptor blocks `first..first + out.len() / 4096` into
    /// `out`. Slots past the last group stay zero.
    pub fn write_gdt_blocks(
        &self,
        first: u32,
        out: &mut [u8],
        scratch: &mut Scratch,
    ) -> Result<()> {
        out.fill(0);
        let first_group = mul(u64::from(first), u64::from(DESCS_PER_BLOCK))?;
        for (index, slot) in out.chunks_exact_mut(DESC_SIZE).enumerate() {
            let group = add(first_group, from_usize(index)?)?;
            if group >= u64::from(self.geometry.group_count) {
                break;
            }
            let group = to_u32(group)?;
            self.group_desc(group, scratch)?.write(
                self.csum_seed,
                group,
                slot,
            )?;
        }
        Ok(())
    }

    /// Writes reserved GDT block `index` of group 0: the resize inode's
    /// indirect block listing the same reserved block in every backup
    /// group (`ext2fs_create_resize_inode`).
    pub fn write_reserved_gdt_block(
        &self,
        index: u32,
        out: &mut [u8],
    ) -> Result<()> {
        out.fill(0);
        let primary = self.reserved_gdt_block(index)?;
        for (slot, &group) in
            out.chunks_exact_mut(4).zip(self.backup_groups.iter())
        {
            let backup = add(
                primary,
                mul(
                    u64::from(group),
                    u64::from(self.geometry.blocks_per_group),
                )?,
            )?;
            slot.copy_from_slice(&to_u32(backup)?.to_le_bytes());
        }
        Ok(())
    }

    /// Returns the block number of reserved GDT block `index` in group 0.
    pub fn reserved_gdt_block(&self, index: u32) -> Result<u64> {
        add(
            add(1, u64::from(self.geometry.desc_blocks))?,
            u64::from(index),
        )
    }

    /// Writes the resize inode's double-indirect block: slot
    /// `(desc_blocks + i) % 1024` points at reserved GDT block `i`.
    pub fn write_resize_dind(&self, out: &mut [u8]) -> Result<()> {
        out.fill(0);
        for index in 0..self.geometry.reserved_gdt_blocks {
            let slot = rem(
                add(u64::from(self.geometry.desc_blocks), u64::from(index))?,
                u64::from(ADDR_PER_BLOCK),
            )?;
            let offset = to_usize(mul(slot, 4)?)?;
            put_u32(out, offset, to_u32(self.reserved_gdt_block(index)?)?);
        }
        Ok(())
    }

    fn timed_inode(&self) -> Result<Inode> {
        Ok(Inode {
            time: Some(inode_time(self.options.timestamp)?),
            extra: true,
            ..Inode::default()
        })
    }

    fn journal_inode(&self) -> Result<Inode> {
        let journal = &self.journal;
        let blocks = add(
            u64::from(self.geometry.journal_blocks),
            if journal.leaf_block.is_some() { 1 } else { 0 },
        )?;
        Ok(Inode {
            mode: S_IFREG | 0o600,
            links_count: 1,
            size: mul(u64::from(self.geometry.journal_blocks), 4096)?,
            sectors: mul(blocks, SECTORS_PER_BLOCK)?,
            flags: EXT4_EXTENTS_FL,
            block: extent_root(&journal.extents, journal.leaf_block)?,
            ..self.timed_inode()?
        })
    }

    /// Returns the inode `inum` (1 to 16) as mke2fs leaves it, or `None`
    /// for inodes it never writes (12 to 16, which read as zeros).
    fn inode(&self, inum: u32) -> Result<Option<Inode>> {
        let inode = match inum {
            EXT2_BAD_INO => Inode {
                // ext2fs_update_bb_inode sets the times of an empty list.
                // NOTE: this inode has no extra fields, so from 2038 on its
                // times cannot carry epoch bits and read back as earlier
                // dates. e2fsck 1.47.0 accepts them (checked up to 2446).
                time: Some(inode_time(self.options.timestamp)?),
                ..Inode::default()
            },
            EXT2_ROOT_INO => Inode {
                mode: S_IFDIR | 0o755,
                // ".", "..", and lost+found's "..".
                links_count: 3,
                size: 4096,
                sectors: SECTORS_PER_BLOCK,
                flags: EXT4_EXTENTS_FL,
                block: extent_root(
                    &[FileExtent {
                        logical: 0,
                        start: self.root_dir_block,
                        len: 1,
                    }],
                    None,
                )?,
                ..self.timed_inode()?
            },
            EXT2_RESIZE_INO => {
                let mut block = [0u8; 60];
                put_u32(
                    &mut block,
                    EXT2_DIND_BLOCK * 4,
                    to_u32(self.resize_dind_block)?,
                );
                Inode {
                    mode: S_IFREG | 0o600,
                    links_count: 1,
                    size: self.resize_inode_size()?,
                    sectors: mul(
                        self.resize_inode_blocks()?,
                        SECTORS_PER_BLOCK,
                    )?,
                    block,
                    ..self.timed_inode()?
                }
            }
            EXT2_JOURNAL_INO => self.journal_inode()?,
            LOST_FOUND_INO => Inode {
                mode: S_IFDIR | 0o700,
                links_count: 2,
                size: mul(from_usize(LOST_FOUND_BLOCKS)?, 4096)?,
                sectors: mul(
                    from_usize(LOST_FOUND_BLOCKS)?,
                    SECTORS_PER_BLOCK,
                )?,
                flags: EXT4_EXTENTS_FL,
                block: extent_root(&self.lost_found_extents()?, None)?,
                ..self.timed_inode()?
            },
            // The other reserved inodes: zeroed, with a valid checksum
            // (mke2fs's write_reserved_inodes).
            3..=10 => Inode::default(),
            _ => return Ok(None),
        };
        Ok(Some(inode))
    }

    /// Writes the first block of group 0's inode table (inodes 1 to 16).
    pub fn write_inode_table_block(&self, out: &mut [u8]) -> Result<()> {
        out.fill(0);
        let mut inum: u32 = 1;
        for slot in out.chunks_exact_mut(INODE_SIZE_USIZE) {
            if let Some(inode) = self.inode(inum)? {
                inode.write(self.csum_seed, inum, slot)?;
            }
            inum = to_u32(add(u64::from(inum), 1)?)?;
        }
        if sub(u64::from(inum), 1)? != u64::from(INODES_PER_BLOCK) {
            return Err(FormatError::LayoutInvariant("inode table block size"));
        }
        Ok(())
    }

    /// Writes the root directory block: ".", ".." and "lost+found".
    pub fn write_root_dir(&self, out: &mut [u8]) -> Result<()> {
        out.fill(0);
        write_dirent(out, 0, EXT2_ROOT_INO, 12, b".", EXT2_FT_DIR)?;
        write_dirent(out, 12, EXT2_ROOT_INO, 12, b"..", EXT2_FT_DIR)?;
        let rest = to_u16(from_usize(BLOCK_SIZE_USIZE - DIR_TAIL_SIZE - 24)?)?;
        write_dirent(
            out,
            24,
            LOST_FOUND_INO,
            rest,
            b"lost+found",
            EXT2_FT_DIR,
        )?;
        write_dir_tail(out, self.csum_seed, EXT2_ROOT_INO)
    }

    /// Writes block `index` of /lost+found: "." and ".." in the first,
    /// one empty entry spanning the others.
    pub fn write_lost_found_block(
        &self,
        index: usize,
        out: &mut [u8],
    ) -> Result<()> {
        out.fill(0);
        if index == 0 {
            write_dirent(out, 0, LOST_FOUND_INO, 12, b".", EXT2_FT_DIR)?;
            let rest =
                to_u16(from_usize(BLOCK_SIZE_USIZE - DIR_TAIL_SIZE - 12)?)?;
            write_dirent(out, 12, EXT2_ROOT_INO, rest, b"..", EXT2_FT_DIR)?;
        } else {
            let rest = to_u16(from_usize(BLOCK_SIZE_USIZE - DIR_TAIL_SIZE)?)?;
            write_dirent(out, 0, 0, rest, b"", 0)?;
        }
        write_dir_tail(out, self.csum_seed, LOST_FOUND_INO)
    }

    /// Writes the journal's extent leaf block.
    pub fn write_journal_leaf(&self, out: &mut [u8]) -> Result<()> {
        write_extent_leaf(
            out,
            &self.journal.extents,
            self.csum_seed,
            EXT2_JOURNAL_INO,
        )
    }

    /// Writes the journal's first block (the jbd2 superblock).
    pub fn write_journal_superblock(&self, out: &mut [u8]) -> Result<()> {
        out.fill(0);
        crate::journal::write_superblock(
            out,
            &self.options.uuid,
            self.geometry.journal_blocks,
        );
        Ok(())
    }
}
