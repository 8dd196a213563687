//! Encoders of the on-disk structures: superblock, group descriptor,
//! inode, extent tree nodes and directory blocks. Every write names the
//! kernel field it fills; all integers are little-endian.

use crate::arith::{add, from_usize, to_u16, to_usize};
use crate::constants::{
    BLOCK_SIZE_USIZE, DESC_SIZE, DIR_TAIL_SIZE, EXT2_CRC32C_CHKSUM,
    EXT2_DEFM_ACL, EXT2_DEFM_XATTR_USER, EXT2_DIR_NAME_LEN_CSUM,
    EXT2_DYNAMIC_REV, EXT2_ERRORS_CONTINUE, EXT2_FLAGS_SIGNED_HASH,
    EXT2_HASH_HALF_MD4, EXT2_JOURNAL_INO, EXT2_OS_LINUX, EXT2_VALID_FS,
    EXT3_EXT_MAGIC, EXT3_JNL_BACKUP_BLOCKS, EXT4_SUPER_MAGIC, EXTENTS_IN_BLOCK,
    EXTENTS_IN_INODE, EXTRA_ISIZE, FEATURE_COMPAT, FEATURE_INCOMPAT,
    FEATURE_RO_COMPAT, FIRST_INO, INODE_SIZE_USIZE, LOG_BLOCK_SIZE,
    LOG_GROUPS_PER_FLEX, SUPERBLOCK_SIZE,
};
use crate::crc32c::crc32c_update;
use crate::error::{FormatError, Result};
use crate::journal::FileExtent;

/// Writes `value` at `offset`.
pub fn put_u8(buf: &mut [u8], offset: usize, value: u8) {
    buf[offset] = value;
}

/// Writes `value` at `offset`.
pub fn put_u16(buf: &mut [u8], offset: usize, value: u16) {
    buf[offset..][..2].copy_from_slice(&value.to_le_bytes());
}

/// Writes `value` at `offset`.
pub fn put_u32(buf: &mut [u8], offset: usize, value: u32) {
    buf[offset..][..4].copy_from_slice(&value.to_le_bytes());
}

/// Writes `value` at `offset`.
pub fn put_u64(buf: &mut [u8], offset: usize, value: u64) {
    buf[offset..][..8].copy_from_slice(&value.to_le_bytes());
}

/// Writes a 64-bit value split into a `_lo` and a `_hi` 32-bit field.
pub fn put_split_u64(buf: &mut [u8], lo: usize, hi: usize, value: u64) {
    let bytes = value.to_le_bytes();
    buf[lo..][..4].copy_from_slice(&bytes[0..4]);
    buf[hi..][..4].copy_from_slice(&bytes[4..8]);
}

/// Writes a 32-bit value split into a `_lo` and a `_hi` 16-bit field.
pub fn put_split_u32(buf: &mut [u8], lo: usize, hi: usize, value: u32) {
    let bytes = value.to_le_bytes();
    buf[lo..][..2].copy_from_slice(&bytes[0..2]);
    buf[hi..][..2].copy_from_slice(&bytes[2..4]);
}

/// `s_inode_size` as stored.
const INODE_SIZE_U16: u16 = 256;
/// `s_desc_size` as stored.
const DESC_SIZE_U16: u16 = 64;

/// Byte offsets of `struct ext4_super_block` fields, each named after
/// its field.
#[allow(missing_docs)]
pub mod sb {
    pub const S_INODES_COUNT: usize = 0x00;
    pub const S_BLOCKS_COUNT_LO: usize = 0x04;
    pub const S_R_BLOCKS_COUNT_LO: usize = 0x08;
    pub const S_FREE_BLOCKS_COUNT_LO: usize = 0x0C;
    pub const S_FREE_INODES_COUNT: usize = 0x10;
    pub const S_FIRST_DATA_BLOCK: usize = 0x14;
    pub const S_LOG_BLOCK_SIZE: usize = 0x18;
    pub const S_LOG_CLUSTER_SIZE: usize = 0x1C;
    pub const S_BLOCKS_PER_GROUP: usize = 0x20;
    pub const S_CLUSTERS_PER_GROUP: usize = 0x24;
    pub const S_INODES_PER_GROUP: usize = 0x28;
    pub const S_MTIME: usize = 0x2C;
    pub const S_WTIME: usize = 0x30;
    pub const S_MNT_COUNT: usize = 0x34;
    pub const S_MAX_MNT_COUNT: usize = 0x36;
    pub const S_MAGIC: usize = 0x38;
    pub const S_STATE: usize = 0x3A;
    pub const S_ERRORS: usize = 0x3C;
    pub const S_LASTCHECK: usize = 0x40;
    pub const S_CHECKINTERVAL: usize = 0x44;
    pub const S_CREATOR_OS: usize = 0x48;
    pub const S_REV_LEVEL: usize = 0x4C;
    pub const S_FIRST_INO: usize = 0x54;
    pub const S_INODE_SIZE: usize = 0x58;
    pub const S_BLOCK_GROUP_NR: usize = 0x5A;
    pub const S_FEATURE_COMPAT: usize = 0x5C;
    pub const S_FEATURE_INCOMPAT: usize = 0x60;
    pub const S_FEATURE_RO_COMPAT: usize = 0x64;
    pub const S_UUID: usize = 0x68;
    pub const S_VOLUME_NAME: usize = 0x78;
    pub const S_RESERVED_GDT_BLOCKS: usize = 0xCE;
    pub const S_JOURNAL_INUM: usize = 0xE0;
    pub const S_HASH_SEED: usize = 0xEC;
    pub const S_DEF_HASH_VERSION: usize = 0xFC;
    pub const S_JNL_BACKUP_TYPE: usize = 0xFD;
    pub const S_DESC_SIZE: usize = 0xFE;
    pub const S_DEFAULT_MOUNT_OPTS: usize = 0x100;
    pub const S_MKFS_TIME: usize = 0x108;
    pub const S_JNL_BLOCKS: usize = 0x10C;
    pub const S_BLOCKS_COUNT_HI: usize = 0x150;
    pub const S_R_BLOCKS_COUNT_HI: usize = 0x154;
    pub const S_FREE_BLOCKS_HI: usize = 0x158;
    pub const S_MIN_EXTRA_ISIZE: usize = 0x15C;
    pub const S_WANT_EXTRA_ISIZE: usize = 0x15E;
    pub const S_FLAGS: usize = 0x160;
    pub const S_LOG_GROUPS_PER_FLEX: usize = 0x174;
    pub const S_CHECKSUM_TYPE: usize = 0x175;
    pub const S_KBYTES_WRITTEN: usize = 0x178;
    pub const S_OVERHEAD_CLUSTERS: usize = 0x248;
    pub const S_WTIME_HI: usize = 0x274;
    pub const S_MKFS_TIME_HI: usize = 0x276;
    pub const S_LASTCHECK_HI: usize = 0x277;
    pub const S_CHECKSUM: usize = 0x3FC;
}

/// Byte offsets of `struct ext4_group_desc` fields (64-byte form), each
/// named after its field.
#[allow(missing_docs)]
pub mod bg {
    pub const BG_BLOCK_BITMAP_LO: usize = 0x00;
    pub const BG_INODE_BITMAP_LO: usize = 0x04;
    pub const BG_INODE_TABLE_LO: usize = 0x08;
    pub const BG_FREE_BLOCKS_COUNT_LO: usize = 0x0C;
    pub const BG_FREE_INODES_COUNT_LO: usize = 0x0E;
    pub const BG_USED_DIRS_COUNT_LO: usize = 0x10;
    pub const BG_FLAGS: usize = 0x12;
    pub const BG_BLOCK_BITMAP_CSUM_LO: usize = 0x18;
    pub const BG_INODE_BITMAP_CSUM_LO: usize = 0x1A;
    pub const BG_ITABLE_UNUSED_LO: usize = 0x1C;
    pub const BG_CHECKSUM: usize = 0x1E;
    pub const BG_BLOCK_BITMAP_HI: usize = 0x20;
    pub const BG_INODE_BITMAP_HI: usize = 0x24;
    pub const BG_INODE_TABLE_HI: usize = 0x28;
    pub const BG_FREE_BLOCKS_COUNT_HI: usize = 0x2C;
    pub const BG_FREE_INODES_COUNT_HI: usize = 0x2E;
    pub const BG_USED_DIRS_COUNT_HI: usize = 0x30;
    pub const BG_ITABLE_UNUSED_HI: usize = 0x32;
    pub const BG_BLOCK_BITMAP_CSUM_HI: usize = 0x38;
    pub const BG_INODE_BITMAP_CSUM_HI: usize = 0x3A;
}

/// Byte offsets of `struct ext4_inode` fields, each named after its
/// field.
#[allow(missing_docs)]
pub mod ino {
    pub const I_MODE: usize = 0x00;
    pub const I_SIZE_LO: usize = 0x04;
    pub const I_ATIME: usize = 0x08;
    pub const I_CTIME: usize = 0x0C;
    pub const I_MTIME: usize = 0x10;
    pub const I_LINKS_COUNT: usize = 0x1A;
    pub const I_BLOCKS_LO: usize = 0x1C;
    pub const I_FLAGS: usize = 0x20;
    pub const I_BLOCK: usize = 0x28;
    pub const I_BLOCK_LEN: usize = 60;
    pub const I_GENERATION: usize = 0x64;
    pub const I_SIZE_HIGH: usize = 0x6C;
    pub const L_I_BLOCKS_HIGH: usize = 0x74;
    pub const L_I_CHECKSUM_LO: usize = 0x7C;
    pub const I_EXTRA_ISIZE: usize = 0x80;
    pub const I_CHECKSUM_HI: usize = 0x82;
    pub const I_CTIME_EXTRA: usize = 0x84;
    pub const I_MTIME_EXTRA: usize = 0x88;
    pub const I_ATIME_EXTRA: usize = 0x8C;
    pub const I_CRTIME: usize = 0x90;
    pub const I_CRTIME_EXTRA: usize = 0x94;
    /// `EXT4_INODE_CSUM_HI_EXTRA_END`: `i_checksum_hi` exists when
    /// `i_extra_isize` reaches past it.
    pub const CSUM_HI_EXTRA_END: u16 = 4;
}

/// Values of one superblock; [`Superblock::write`] adds the constant
/// fields and the checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Superblock {
    /// `s_inodes_count`.
    pub inodes_count: u32,
    /// `s_blocks_count`.
    pub blocks_count: u64,
    /// `s_r_blocks_count`.
    pub reserved_blocks: u64,
    /// `s_free_blocks_count`.
    pub free_blocks: u64,
    /// `s_free_inodes_count`.
    pub free_inodes: u32,
    /// `s_blocks_per_group` and `s_clusters_per_group`.
    pub blocks_per_group: u32,
    /// `s_inodes_per_group`.
    pub inodes_per_group: u32,
    /// `s_wtime`, `s_mkfs_time` and `s_lastcheck`: low 32 bits and the
    /// `_hi` byte.
    pub time: (u32, u8),
    /// `s_uuid`.
    pub uuid: [u8; 16],
    /// `s_volume_name`.
    pub volume_name: [u8; 16],
    /// `s_reserved_gdt_blocks`.
    pub reserved_gdt_blocks: u16,
    /// `s_hash_seed`.
    pub hash_seed: [u8; 16],
    /// `s_jnl_blocks`: the journal inode's `i_block`, then `i_size_high`
    /// and `i_size`.
    pub jnl_blocks: [u8; 68],
    /// `s_kbytes_written`.
    pub kbytes_written: u64,
    /// `s_overhead_clusters`.
    pub overhead_clusters: u32,
}

impl Superblock {
    /// Writes the copy of the superblock kept in `group` into the
    /// 1024-byte `out`. Backups (group > 0) record their group in
    /// `s_block_group_nr` (capped at 65535) and have `EXT2_VALID_FS`
    /// cleared, as `ext2fs_flush` writes them.
    pub fn write(&self, group: u32, out: &mut [u8]) -> Result<()> {
        if out.len() != SUPERBLOCK_SIZE {
            return Err(FormatError::LayoutInvariant("superblock buffer size"));
        }
        out.fill(0);
        put_u32(out, sb::S_INODES_COUNT, self.inodes_count);
        put_split_u64(
            out,
            sb::S_BLOCKS_COUNT_LO,
            sb::S_BLOCKS_COUNT_HI,
            self.blocks_count,
        );
        put_split_u64(
            out,
            sb::S_R_BLOCKS_COUNT_LO,
            sb::S_R_BLOCKS_COUNT_HI,
            self.reserved_blocks,
        );
        put_split_u64(
            out,
            sb::S_FREE_BLOCKS_COUNT_LO,
            sb::S_FREE_BLOCKS_HI,
            self.free_blocks,
        );
        put_u32(out, sb::S_FREE_INODES_COUNT, self.free_inodes);
        put_u32(out, sb::S_FIRST_DATA_BLOCK, 0);
        put_u32(out, sb::S_LOG_BLOCK_SIZE, LOG_BLOCK_SIZE);
        put_u32(out, sb::S_LOG_CLUSTER_SIZE, LOG_BLOCK_SIZE);
        put_u32(out, sb::S_BLOCKS_PER_GROUP, self.blocks_per_group);
        put_u32(out, sb::S_CLUSTERS_PER_GROUP, self.blocks_per_group);
        put_u32(out, sb::S_INODES_PER_GROUP, self.inodes_per_group);

        put_u32(out, sb::S_MTIME, 0);
        put_u32(out, sb::S_WTIME, self.time.0);
        put_u16(out, sb::S_MNT_COUNT, 0);
        // -1: no mount-count-based checks (enable_periodic_fsck = 0).
        put_u16(out, sb::S_MAX_MNT_COUNT, 0xFFFF);
        put_u16(out, sb::S_MAGIC, EXT4_SUPER_MAGIC);
        let state = if group == 0 { EXT2_VALID_FS } else { 0 };
        put_u16(out, sb::S_STATE, state);
        put_u16(out, sb::S_ERRORS, EXT2_ERRORS_CONTINUE);
        put_u32(out, sb::S_LASTCHECK, self.time.0);
        put_u32(out, sb::S_CHECKINTERVAL, 0);
        put_u32(out, sb::S_CREATOR_OS, EXT2_OS_LINUX);
        put_u32(out, sb::S_REV_LEVEL, EXT2_DYNAMIC_REV);

        put_u32(out, sb::S_FIRST_INO, FIRST_INO);
        put_u16(out, sb::S_INODE_SIZE, INODE_SIZE_U16);
        let group_nr = to_u16(u64::from(group).min(0xFFFF))?;
        put_u16(out, sb::S_BLOCK_GROUP_NR, group_nr);
        put_u32(out, sb::S_FEATURE_COMPAT, FEATURE_COMPAT);
        put_u32(out, sb::S_FEATURE_INCOMPAT, FEATURE_INCOMPAT);
        put_u32(out, sb::S_FEATURE_RO_COMPAT, FEATURE_RO_COMPAT);

        out[sb::S_UUID..sb::S_UUID + 16].copy_from_slice(&self.uuid);
        out[sb::S_VOLUME_NAME..sb::S_VOLUME_NAME + 16]
            .copy_from_slice(&self.volume_name);

        put_u16(out, sb::S_RESERVED_GDT_BLOCKS, self.reserved_gdt_blocks);
        put_u32(out, sb::S_JOURNAL_INUM, EXT2_JOURNAL_INO);
        out[sb::S_HASH_SEED..sb::S_HASH_SEED + 16]
            .copy_from_slice(&self.hash_seed);
        put_u8(out, sb::S_DEF_HASH_VERSION, EXT2_HASH_HALF_MD4);
        put_u8(out, sb::S_JNL_BACKUP_TYPE, EXT3_JNL_BACKUP_BLOCKS);
        put_u16(out, sb::S_DESC_SIZE, DESC_SIZE_U16);
        put_u32(
            out,
            sb::S_DEFAULT_MOUNT_OPTS,
            EXT2_DEFM_XATTR_USER | EXT2_DEFM_ACL,
        );
        put_u32(out, sb::S_MKFS_TIME, self.time.0);
        out[sb::S_JNL_BLOCKS..sb::S_JNL_BLOCKS + 68]
            .copy_from_slice(&self.jnl_blocks);

        put_u16(out, sb::S_MIN_EXTRA_ISIZE, EXTRA_ISIZE);
        put_u16(out, sb::S_WANT_EXTRA_ISIZE, EXTRA_ISIZE);
        put_u32(out, sb::S_FLAGS, EXT2_FLAGS_SIGNED_HASH);
        put_u8(out, sb::S_LOG_GROUPS_PER_FLEX, LOG_GROUPS_PER_FLEX);
        put_u8(out, sb::S_CHECKSUM_TYPE, EXT2_CRC32C_CHKSUM);
        put_u64(out, sb::S_KBYTES_WRITTEN, self.kbytes_written);
        put_u32(out, sb::S_OVERHEAD_CLUSTERS, self.overhead_clusters);

        put_u8(out, sb::S_WTIME_HI, self.time.1);
        put_u8(out, sb::S_MKFS_TIME_HI, self.time.1);
        put_u8(out, sb::S_LASTCHECK_HI, self.time.1);

        // s_checksum: CRC32C of everything before it, seed !0.
        let checksum = crc32c_update(!0, &out[..sb::S_CHECKSUM]);
        put_u32(out, sb::S_CHECKSUM, checksum);
        Ok(())
    }
}

/// Values of one group descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupDesc {
    /// `bg_block_bitmap`.
    pub block_bitmap: u64,
    /// `bg_inode_bitmap`.
    pub inode_bitmap: u64,
    /// `bg_inode_table`.
    pub inode_table: u64,
    /// `bg_free_blocks_count`.
    pub free_blocks: u32,
    /// `bg_free_inodes_count`.
    pub free_inodes: u32,
    /// `bg_used_dirs_count`.
    pub used_dirs: u32,
    /// `bg_flags`.
    pub flags: u16,
    /// `bg_block_bitmap_csum`: CRC32C of the bitmap, 0 if uninitialised.
    pub block_bitmap_csum: u32,
    /// `bg_inode_bitmap_csum`: CRC32C of the bitmap, 0 if uninitialised.
    pub inode_bitmap_csum: u32,
    /// `bg_itable_unused`.
    pub itable_unused: u32,
}

impl GroupDesc {
    /// Writes the descriptor of `group` into the 64-byte `out`, with
    /// `bg_checksum` = low 16 bits of CRC32C(csum_seed, group number,
    /// descriptor with `bg_checksum` zeroed).
    pub fn write(
        &self,
        csum_seed: u32,
        group: u32,
        out: &mut [u8],
    ) -> Result<()> {
        if out.len() != DESC_SIZE {
            return Err(FormatError::LayoutInvariant("descriptor buffer size"));
        }
        out.fill(0);
        put_split_u64(
            out,
            bg::BG_BLOCK_BITMAP_LO,
            bg::BG_BLOCK_BITMAP_HI,
            self.block_bitmap,
        );
        put_split_u64(
            out,
            bg::BG_INODE_BITMAP_LO,
            bg::BG_INODE_BITMAP_HI,
            self.inode_bitmap,
        );
        put_split_u64(
            out,
            bg::BG_INODE_TABLE_LO,
            bg::BG_INODE_TABLE_HI,
            self.inode_table,
        );
        put_split_u32(
            out,
            bg::BG_FREE_BLOCKS_COUNT_LO,
            bg::BG_FREE_BLOCKS_COUNT_HI,
            self.free_blocks,
        );
        put_split_u32(
            out,
            bg::BG_FREE_INODES_COUNT_LO,
            bg::BG_FREE_INODES_COUNT_HI,
            self.free_inodes,
        );
        put_split_u32(
            out,
            bg::BG_USED_DIRS_COUNT_LO,
            bg::BG_USED_DIRS_COUNT_HI,
            self.used_dirs,
        );
        put_u16(out, bg::BG_FLAGS, self.flags);
        put_split_u32(
            out,
            bg::BG_BLOCK_BITMAP_CSUM_LO,
            bg::BG_BLOCK_BITMAP_CSUM_HI,
            self.block_bitmap_csum,
        );
        put_split_u32(
            out,
            bg::BG_INODE_BITMAP_CSUM_LO,
            bg::BG_INODE_BITMAP_CSUM_HI,
            self.inode_bitmap_csum,
        );
        put_split_u32(
            out,
            bg::BG_ITABLE_UNUSED_LO,
            bg::BG_ITABLE_UNUSED_HI,
            self.itable_unused,
        );

        let crc = crc32c_update(csum_seed, &group.to_le_bytes());
        let crc = crc32c_update(crc, out);
        let bytes = crc.to_le_bytes();
        out[bg::BG_CHECKSUM..bg::BG_CHECKSUM + 2].copy_from_slice(&bytes[0..2]);
        Ok(())
    }
}

/// Values of one inode. Inodes that mke2fs only zeroes have everything
/// 0; the rest carry the creation time in atime, ctime and mtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inode {
    /// `i_mode`.
    pub mode: u16,
    /// `i_links_count`.
    pub links_count: u16,
    /// `i_size_lo` and `i_size_high`, in bytes.
    pub size: u64,
    /// `i_blocks_lo` and `l_i_blocks_high`, in 512-byte sectors.
    pub sectors: u64,
    /// `i_flags`.
    pub flags: u32,
    /// `i_block`: block map or extent tree root.
    pub block: [u8; 60],
    /// atime, ctime and mtime as (seconds field, `_extra` field), or
    /// `None` to leave them 0.
    pub time: Option<(u32, u32)>,
    /// Whether the inode has the 32 extra bytes (`i_extra_isize` 32,
    /// with `i_crtime` = the time) that `ext2fs_write_new_inode` adds.
    pub extra: bool,
}

impl Default for Inode {
    fn default() -> Self {
        Inode {
            mode: 0,
            links_count: 0,
            size: 0,
            sectors: 0,
            flags: 0,
            block: [0; 60],
            time: None,
            extra: false,
        }
    }
}

impl Inode {
    /// Writes inode number `inum` into the 256-byte `out`, with the
    /// checksum CRC32C(csum_seed, inum, i_generation, inode with the
    /// checksum fields zeroed), split over `l_i_checksum_lo` and, when the
    /// extra fields are present, `i_checksum_hi`.
    pub fn write(
        &self,
        csum_seed: u32,
        inum: u32,
        out: &mut [u8],
    ) -> Result<()> {
        if out.len() != INODE_SIZE_USIZE {
            return Err(FormatError::LayoutInvariant("inode buffer size"));
        }
        out.fill(0);
        put_u16(out, ino::I_MODE, self.mode);
        put_split_u64(out, ino::I_SIZE_LO, ino::I_SIZE_HIGH, self.size);
        if let Some((seconds, extra)) = self.time {
            put_u32(out, ino::I_ATIME, seconds);
            put_u32(out, ino::I_CTIME, seconds);
            put_u32(out, ino::I_MTIME, seconds);
            if self.extra {
                put_u32(out, ino::I_ATIME_EXTRA, extra);
                put_u32(out, ino::I_CTIME_EXTRA, extra);
                put_u32(out, ino::I_MTIME_EXTRA, extra);
                put_u32(out, ino::I_CRTIME, seconds);
                put_u32(out, ino::I_CRTIME_EXTRA, extra);
            }
        }

        put_u16(out, ino::I_LINKS_COUNT, self.links_count);
        let sectors = self.sectors.to_le_bytes();
        if sectors[6..].iter().any(|&byte| byte != 0) {
            return Err(FormatError::Overflow);
        }
        out[ino::I_BLOCKS_LO..ino::I_BLOCKS_LO + 4]
            .copy_from_slice(&sectors[0..4]);
        out[ino::L_I_BLOCKS_HIGH..ino::L_I_BLOCKS_HIGH + 2]
            .copy_from_slice(&sectors[4..6]);
        put_u32(out, ino::I_FLAGS, self.flags);
        out[ino::I_BLOCK..ino::I_BLOCK + ino::I_BLOCK_LEN]
            .copy_from_slice(&self.block);
        put_u32(out, ino::I_GENERATION, 0);

        let extra_isize = if self.extra { EXTRA_ISIZE } else { 0 };
        put_u16(out, ino::I_EXTRA_ISIZE, extra_isize);

        let crc = crc32c_update(csum_seed, &inum.to_le_bytes());
        let crc = crc32c_update(crc, &0u32.to_le_bytes()); // i_generation
        let crc = crc32c_update(crc, out).to_le_bytes();
        out[ino::L_I_CHECKSUM_LO..ino::L_I_CHECKSUM_LO + 2]
            .copy_from_slice(&crc[0..2]);
        if extra_isize >= ino::CSUM_HI_EXTRA_END {
            out[ino::I_CHECKSUM_HI..ino::I_CHECKSUM_HI + 2]
                .copy_from_slice(&crc[2..4]);
        }
        Ok(())
    }
}

/// Writes an extent tree node header (`struct ext3_extent_header`).
pub fn write_extent_header(out: &mut [u8], entries: u16, max: u16, depth: u16) {
    put_u16(out, 0, EXT3_EXT_MAGIC); // eh_magic
    put_u16(out, 2, entries); // eh_entries
    put_u16(out, 4, max); // eh_max
    put_u16(out, 6, depth); // eh_depth
    put_u32(out, 8, 0); // eh_generation
}

/// Writes a leaf entry (`struct ext3_extent`) into 12 bytes.
pub fn write_extent(out: &mut [u8], extent: &FileExtent) -> Result<()> {
    put_u32(out, 0, extent.logical); // ee_block
    put_u16(out, 4, to_u16(u64::from(extent.len))?); // ee_len
    let start = extent.start.to_le_bytes();
    if start[6..].iter().any(|&byte| byte != 0) {
        return Err(FormatError::Overflow);
    }
    out[6..8].copy_from_slice(&start[4..6]); // ee_start_hi
    out[8..12].copy_from_slice(&start[0..4]); // ee_start_lo
    Ok(())
}

/// Writes an index entry (`struct ext3_extent_idx`) into 12 bytes.
pub fn write_extent_index(
    out: &mut [u8],
    logical: u32,
    leaf: u64,
) -> Result<()> {
    put_u32(out, 0, logical); // ei_block
    let leaf = leaf.to_le_bytes();
    if leaf[6..].iter().any(|&byte| byte != 0) {
        return Err(FormatError::Overflow);
    }
    out[4..8].copy_from_slice(&leaf[0..4]); // ei_leaf_lo
    out[8..10].copy_from_slice(&leaf[4..6]); // ei_leaf_hi
    put_u16(out, 10, 0); // ei_unused
    Ok(())
}

/// Returns an inode's `i_block` holding an extent tree root: the extents
/// themselves if at most four, else one index entry to `leaf` (followed
/// by stale copies of extents 2 to 4, see below).
pub fn extent_root(
    extents: &[FileExtent],
    leaf: Option<u64>,
) -> Result<[u8; 60]> {
    let mut root = [0u8; 60];
    match leaf {
        None => {
            let entries = to_u16(from_usize(extents.len())?)?;
            if entries > EXTENTS_IN_INODE {
                return Err(FormatError::LayoutInvariant("too many extents"));
            }
            write_extent_header(&mut root, entries, EXTENTS_IN_INODE, 0);
            for (slot, extent) in root[12..].chunks_exact_mut(12).zip(extents) {
                write_extent(slot, extent)?;
            }
        }
        Some(leaf) => {
            write_extent_header(&mut root, 1, EXTENTS_IN_INODE, 1);
            let first = extents.first().map_or(0, |extent| extent.logical);
            write_extent_index(&mut root[12..24], first, leaf)?;
            // When libext2fs moves a full root into a leaf, it overwrites
            // only the header and the first slot, so slots 1 to 3 keep
            // the second to fourth extents. Readers stop at eh_entries;
            // the copies are kept to stay byte-identical with mke2fs.
            for (slot, extent) in
                root[24..].chunks_exact_mut(12).zip(extents.iter().skip(1))
            {
                write_extent(slot, extent)?;
            }
        }
    }
    Ok(root)
}

/// Writes an extent tree leaf block holding `extents`, with its tail
/// checksum CRC32C(csum_seed, inum, i_generation 0, block up to the tail).
pub fn write_extent_leaf(
    block: &mut [u8],
    extents: &[FileExtent],
    csum_seed: u32,
    inum: u32,
) -> Result<()> {
    if block.len() != BLOCK_SIZE_USIZE {
        return Err(FormatError::LayoutInvariant("leaf buffer size"));
    }
    let max = EXTENTS_IN_BLOCK;
    if extents.len() > usize::from(max) {
        return Err(FormatError::LayoutInvariant("too many extents"));
    }
    block.fill(0);
    let entries = to_u16(from_usize(extents.len())?)?;
    write_extent_header(block, entries, max, 0);
    for (slot, extent) in block[12..].chunks_exact_mut(12).zip(extents) {
        write_extent(slot, extent)?;
    }
    // The tail (struct ext3_extent_tail) follows the eh_max entries.
    let tail = to_usize(add(12, 12 * u64::from(max))?)?;
    let crc = crc32c_update(csum_seed, &inum.to_le_bytes());
    let crc = crc32c_update(crc, &0u32.to_le_bytes());
    let crc = crc32c_update(crc, &block[..tail]);
    put_u32(block, tail, crc);
    Ok(())
}

/// Writes a directory entry (`struct ext2_dir_entry_2`) at `offset`.
pub fn write_dirent(
    block: &mut [u8],
    offset: usize,
    inode: u32,
    rec_len: u16,
    name: &[u8],
    file_type: u8,
) -> Result<()> {
    let name_len =
        u8::try_from(name.len()).map_err(|_| FormatError::Overflow)?;
    let entry = &mut block[offset..];
    put_u32(entry, 0, inode); // inode
    put_u16(entry, 4, rec_len); // rec_len
    put_u8(entry, 6, name_len); // name_len
    put_u8(entry, 7, file_type); // file_type
    entry[8..][..name.len()].copy_from_slice(name);
    Ok(())
}

/// Writes the checksum tail (`struct ext2_dir_entry_tail`) of a
/// directory block of inode `inum`: CRC32C(csum_seed, inum, i_generation
/// 0, the entries before the tail).
pub fn write_dir_tail(
    block: &mut [u8],
    csum_seed: u32,
    inum: u32,
) -> Result<()> {
    if block.len() != BLOCK_SIZE_USIZE {
        return Err(FormatError::LayoutInvariant("directory buffer size"));
    }
    let tail = BLOCK_SIZE_USIZE - DIR_TAIL_SIZE;
    put_u32(block, tail, 0); // det_reserved_zero1
    put_u16(block, tail + 4, 12); // det_rec_len
    put_u16(block, tail + 6, EXT2_DIR_NAME_LEN_CSUM); // name_len 0, 0xDE
    let crc = crc32c_update(csum_seed, &inum.to_le_bytes());
    let crc = crc32c_update(crc, &0u32.to_le_bytes());
    let crc = crc32c_update(crc, &block[..tail]);
    put_u32(block, tail + 8, crc); // det_checksum
    Ok(())
}
