//! On-disk constants of ext4 and jbd2, named as in the Linux kernel and
//! e2fsprogs (`ext2_fs.h`, `kernel-jbd.h`), plus the mke2fs 1.47.0
//! defaults that this crate reproduces.

/// Version of the image layout that this crate writes. Bump it whenever
/// the bytes written for the same options change, so stored images and
/// tests can tell layouts apart.
pub const FORMAT_VERSION: u32 = 1;

/// Block size in bytes; the only one this crate writes.
pub const BLOCK_SIZE: u32 = 4096;
/// [`BLOCK_SIZE`] as `u64`, for byte offsets.
pub const BLOCK_SIZE_U64: u64 = 4096;
/// [`BLOCK_SIZE`] as `usize`, for buffers.
pub const BLOCK_SIZE_USIZE: usize = 4096;
/// `s_log_block_size` and `s_log_cluster_size`: 4096 = 1024 << 2.
pub const LOG_BLOCK_SIZE: u32 = 2;

/// Byte offset of the primary superblock; block 0 holds it at this offset.
pub const SUPERBLOCK_OFFSET: u64 = 1024;
/// Size of the superblock structure in bytes.
pub const SUPERBLOCK_SIZE: usize = 1024;
/// `EXT4_SUPER_MAGIC`.
pub const EXT4_SUPER_MAGIC: u16 = 0xEF53;
/// `EXT2_DYNAMIC_REV`.
pub const EXT2_DYNAMIC_REV: u32 = 1;
/// `EXT2_VALID_FS`: cleanly unmounted. Backup superblocks are written
/// with this bit cleared, as `ext2fs_flush` does.
pub const EXT2_VALID_FS: u16 = 0x0001;
/// `EXT2_ERRORS_CONTINUE`, the e2fsprogs default `s_errors`.
pub const EXT2_ERRORS_CONTINUE: u16 = 1;
/// `EXT2_OS_LINUX`.
pub const EXT2_OS_LINUX: u32 = 0;
/// `EXT2_FLAGS_SIGNED_HASH`: mke2fs sets it where `char` is signed (x86);
/// this crate always sets it so the image does not depend on the host.
pub const EXT2_FLAGS_SIGNED_HASH: u32 = 0x0001;
/// `EXT2_DEFM_XATTR_USER`: default mount option `user_xattr`.
pub const EXT2_DEFM_XATTR_USER: u32 = 0x0004;
/// `EXT2_DEFM_ACL`: default mount option `acl`.
pub const EXT2_DEFM_ACL: u32 = 0x0008;
/// `EXT2_HASH_HALF_MD4`, mke2fs's default directory hash.
pub const EXT2_HASH_HALF_MD4: u8 = 1;
/// `EXT3_JNL_BACKUP_BLOCKS`: `s_jnl_blocks` holds a copy of the journal
/// inode's block map.
pub const EXT3_JNL_BACKUP_BLOCKS: u8 = 1;
/// `EXT2_CRC32C_CHKSUM`, the only `s_checksum_type`.
pub const EXT2_CRC32C_CHKSUM: u8 = 1;

// The feature set is exactly what `mkfs.ext4` of e2fsprogs 1.47.0 enables
// with Debian's /etc/mke2fs.conf: base_features plus the ext4 fs_type's
// features. Debian's build leaves out metadata_csum_seed and orphan_file,
// and so does this crate, so Linux 4.x kernels and older e2fsprogs can
// still mount and check the images.

/// `EXT3_FEATURE_COMPAT_HAS_JOURNAL`.
pub const COMPAT_HAS_JOURNAL: u32 = 0x0004;
/// `EXT2_FEATURE_COMPAT_EXT_ATTR`.
pub const COMPAT_EXT_ATTR: u32 = 0x0008;
/// `EXT2_FEATURE_COMPAT_RESIZE_INODE`.
pub const COMPAT_RESIZE_INODE: u32 = 0x0010;
/// `EXT2_FEATURE_COMPAT_DIR_INDEX`.
pub const COMPAT_DIR_INDEX: u32 = 0x0020;
/// `EXT2_FEATURE_INCOMPAT_FILETYPE`.
pub const INCOMPAT_FILETYPE: u32 = 0x0002;
/// `EXT3_FEATURE_INCOMPAT_EXTENTS`.
pub const INCOMPAT_EXTENTS: u32 = 0x0040;
/// `EXT4_FEATURE_INCOMPAT_64BIT`.
pub const INCOMPAT_64BIT: u32 = 0x0080;
/// `EXT4_FEATURE_INCOMPAT_FLEX_BG`.
pub const INCOMPAT_FLEX_BG: u32 = 0x0200;
/// `EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER`.
pub const RO_COMPAT_SPARSE_SUPER: u32 = 0x0001;
/// `EXT2_FEATURE_RO_COMPAT_LARGE_FILE`.
pub const RO_COMPAT_LARGE_FILE: u32 = 0x0002;
/// `EXT4_FEATURE_RO_COMPAT_HUGE_FILE`.
pub const RO_COMPAT_HUGE_FILE: u32 = 0x0008;
/// `EXT4_FEATURE_RO_COMPAT_DIR_NLINK`.
pub const RO_COMPAT_DIR_NLINK: u32 = 0x0020;
/// `EXT4_FEATURE_RO_COMPAT_EXTRA_ISIZE`.
pub const RO_COMPAT_EXTRA_ISIZE: u32 = 0x0040;
/// `EXT4_FEATURE_RO_COMPAT_METADATA_CSUM`.
pub const RO_COMPAT_METADATA_CSUM: u32 = 0x0400;

/// `s_feature_compat`: has_journal ext_attr resize_inode dir_index.
pub const FEATURE_COMPAT: u32 = COMPAT_HAS_JOURNAL
    | COMPAT_EXT_ATTR
    | COMPAT_RESIZE_INODE
    | COMPAT_DIR_INDEX;
/// `s_feature_incompat`: filetype extent 64bit flex_bg.
pub const FEATURE_INCOMPAT: u32 =
    INCOMPAT_FILETYPE | INCOMPAT_EXTENTS | INCOMPAT_64BIT | INCOMPAT_FLEX_BG;
/// `s_feature_ro_compat`: sparse_super large_file huge_file dir_nlink
/// extra_isize metadata_csum.
pub const FEATURE_RO_COMPAT: u32 = RO_COMPAT_SPARSE_SUPER
    | RO_COMPAT_LARGE_FILE
    | RO_COMPAT_HUGE_FILE
    | RO_COMPAT_DIR_NLINK
    | RO_COMPAT_EXTRA_ISIZE
    | RO_COMPAT_METADATA_CSUM;

/// Blocks per group: one block bitmap block covers 8 * 4096 blocks.
pub const BLOCKS_PER_GROUP: u32 = 32768;
/// `s_log_groups_per_flex`: flex_bg size 16 (mke2fs default).
pub const LOG_GROUPS_PER_FLEX: u8 = 4;
/// Groups per flex group.
pub const GROUPS_PER_FLEX: u32 = 16;
/// `s_desc_size` with the 64bit feature (`EXT2_MIN_DESC_SIZE_64BIT`).
pub const DESC_SIZE: usize = 64;
/// Group descriptors per block.
pub const DESCS_PER_BLOCK: u32 = 64;
/// Block numbers per indirect block (`EXT2_ADDR_PER_BLOCK`).
pub const ADDR_PER_BLOCK: u32 = 1024;

/// `s_inode_size` (mke2fs.conf `inode_size`).
pub const INODE_SIZE: u32 = 256;
/// [`INODE_SIZE`] as `usize`.
pub const INODE_SIZE_USIZE: usize = 256;
/// Size of the original ext2 inode; extra fields follow it.
pub const GOOD_OLD_INODE_SIZE: usize = 128;
/// `i_extra_isize`, `s_min_extra_isize` and `s_want_extra_isize`:
/// `sizeof(struct ext2_inode_large) - 128` in e2fsprogs 1.47.0.
pub const EXTRA_ISIZE: u16 = 32;
/// Inodes per inode table block.
pub const INODES_PER_BLOCK: u32 = 16;

/// `EXT2_BAD_INO`: the bad blocks inode.
pub const EXT2_BAD_INO: u32 = 1;
/// `EXT2_ROOT_INO`.
pub const EXT2_ROOT_INO: u32 = 2;
/// `EXT2_RESIZE_INO`: reserved GDT blocks for online resize.
pub const EXT2_RESIZE_INO: u32 = 7;
/// `EXT2_JOURNAL_INO`.
pub const EXT2_JOURNAL_INO: u32 = 8;
/// `s_first_ino` (`EXT2_GOOD_OLD_FIRST_INO`): inodes below it are
/// reserved.
pub const FIRST_INO: u32 = 11;
/// Inode of /lost+found, the first non-reserved inode.
pub const LOST_FOUND_INO: u32 = 11;

/// `EXT2_BG_INODE_UNINIT`: inode bitmap and table not initialised.
pub const EXT2_BG_INODE_UNINIT: u16 = 0x0001;
/// `EXT2_BG_BLOCK_UNINIT`: block bitmap not initialised.
pub const EXT2_BG_BLOCK_UNINIT: u16 = 0x0002;
/// `EXT2_BG_INODE_ZEROED`: inode table zeroed (ITABLE_ZEROED).
pub const EXT2_BG_INODE_ZEROED: u16 = 0x0004;

/// `S_IFDIR`.
pub const S_IFDIR: u16 = 0o040000;
/// `S_IFREG`.
pub const S_IFREG: u16 = 0o100000;
/// `EXT4_EXTENTS_FL`: the inode maps its blocks with an extent tree.
pub const EXT4_EXTENTS_FL: u32 = 0x0008_0000;
/// `EXT3_EXT_MAGIC` of an extent tree node header.
pub const EXT3_EXT_MAGIC: u16 = 0xF30A;
/// `EXT_INIT_MAX_LEN`: longest initialised extent, in blocks.
pub const EXT_INIT_MAX_LEN: u32 = 32768;
/// Extent entries in the inode's `i_block` (60 bytes).
pub const EXTENTS_IN_INODE: u16 = 4;
/// Extent entries in a 4 KiB tree block, before the 4-byte checksum
/// tail: (4096 - 12) / 12.
pub const EXTENTS_IN_BLOCK: u16 = 340;
/// `EXT2_DIND_BLOCK`: index of the double-indirect pointer in `i_block`.
pub const EXT2_DIND_BLOCK: usize = 13;
/// `EXT2_NDIR_BLOCKS`: direct pointers in `i_block`.
pub const EXT2_NDIR_BLOCKS: u64 = 12;
/// `EXT2_FT_DIR`: directory entry file type of a directory.
pub const EXT2_FT_DIR: u8 = 2;
/// `EXT2_DIR_NAME_LEN_CSUM`: the name_len/file_type word that marks the
/// checksum tail of a directory block.
pub const EXT2_DIR_NAME_LEN_CSUM: u16 = 0xDE00;
/// Size of `struct ext2_dir_entry_tail`.
pub const DIR_TAIL_SIZE: usize = 12;
/// Blocks of /lost+found: mke2fs expands it to 16 KiB.
pub const LOST_FOUND_BLOCKS: usize = 4;

/// `JBD2_MAGIC_NUMBER`.
pub const JBD2_MAGIC_NUMBER: u32 = 0xC03B_3998;
/// `JBD2_SUPERBLOCK_V2`.
pub const JBD2_SUPERBLOCK_V2: u32 = 4;

/// mke2fs's `reserved_ratio`: 5 % of the blocks are reserved for root.
pub const RESERVED_RATIO: f64 = 5.0;
