//! Byte-layout tests of whole images: fields read back at their offsets,
//! every checksum recomputed with its field zeroed, edge geometries and
//! reproducibility. Expected numbers come from `mkfs.ext4 -b 4096` of
//! e2fsprogs 1.47.0 for the same sizes (dumpe2fs, debugfs).

use std::collections::BTreeMap;

use crate::constants::*;
use crate::crc32c::crc32c_update;
use crate::ondisk::{bg, ino, sb};
use crate::options::FormatOptions;
use crate::writer::{Writer, DATA_CAPACITY, MAX_RUNS, RUN_RECORD_SIZE};

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;
const TIME: u64 = 1_700_000_000;
const UUID: [u8; 16] = [
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67,
    0x89, 0xab, 0xcd, 0xef,
];

/// The written blocks of an image; unlisted blocks are zero.
struct Image {
    blocks: BTreeMap<u64, Vec<u8>>,
    total_bytes: u64,
}

impl Image {
    fn render(size: u64, uuid: [u8; 16], label: &[u8]) -> Image {
        let options =
            FormatOptions::new(size, uuid, label, TIME, None).unwrap();
        let mut writer = Writer::new(options).unwrap();
        let mut blocks: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
        let mut written = 0u64;
        loop {
            let runs = writer.next_chunk().unwrap();
            if runs == 0 {
                break;
            }
            assert!(runs <= MAX_RUNS);
            assert!(writer.data().len() <= DATA_CAPACITY);
            assert_eq!(writer.runs().len(), runs * RUN_RECORD_SIZE);
            for record in writer.runs().chunks_exact(RUN_RECORD_SIZE) {
                let offset =
                    u64::from_le_bytes(record[0..8].try_into().unwrap());
                let len = u32::from_le_bytes(record[8..12].try_into().unwrap())
                    as usize;
                let data =
                    u32::from_le_bytes(record[12..16].try_into().unwrap())
                        as usize;
                let bytes = &writer.data()[data..data + len];
                written += len as u64;
                let mut position = offset;
                let mut rest = bytes;
                while !rest.is_empty() {
                    let block = position / 4096;
                    let within = (position % 4096) as usize;
                    let take = rest.len().min(4096 - within);
                    let entry =
                        blocks.entry(block).or_insert_with(|| vec![0; 4096]);
                    entry[within..within + take].copy_from_slice(&rest[..take]);
                    position += take as u64;
                    rest = &rest[take..];
                }
            }
        }
        assert_eq!(written, writer.total_bytes());
        assert_eq!(writer.done_bytes(), writer.total_bytes());
        Image {
            blocks,
            total_bytes: writer.total_bytes(),
        }
    }

    fn block(&self, block: u64) -> Vec<u8> {
        self.blocks
            .get(&block)
            .cloned()
            .unwrap_or_else(|| vec![0; 4096])
    }

    fn superblock(&self, group_first_block: u64) -> Vec<u8> {
        let block = self.block(group_first_block);
        let start = if group_first_block == 0 { 1024 } else { 0 };
        block[start..start + 1024].to_vec()
    }

    fn descriptor(&self, group: u64) -> Vec<u8> {
        let block = self.block(1 + group / 64);
        let start = (group % 64) as usize * 64;
        block[start..start + 64].to_vec()
    }

    fn inode(&self, inode_table: u64, inum: u64) -> Vec<u8> {
        let index = inum - 1;
        let block = self.block(inode_table + index / 16);
        let start = (index % 16) as usize * 256;
        block[start..start + 256].to_vec()
    }
}

fn u16_at(bytes: &[u8], offset: usize) -> u16 {
    u16::from_le_bytes(bytes[offset..offset + 2].try_into().unwrap())
}

fn u32_at(bytes: &[u8], offset: usize) -> u32 {
    u32::from_le_bytes(bytes[offset..offset + 4].try_into().unwrap())
}

fn u64_split(bytes: &[u8], lo: usize, hi: usize) -> u64 {
    u64::from(u32_at(bytes, lo)) | (u64::from(u32_at(bytes, hi)) << 32)
}

fn csum_seed() -> u32 {
    crc32c_update(!0, &UUID)
}

#[test]
fn superblock_fields_at_offsets() {
    let image = Image::render(GIB, UUID, "vol-é".as_bytes());
    let s = image.superblock(0);
    assert_eq!(u32_at(&s, sb::S_INODES_COUNT), 65536);
    assert_eq!(
        u64_split(&s, sb::S_BLOCKS_COUNT_LO, sb::S_BLOCKS_COUNT_HI),
        262_144
    );
    assert_eq!(
        u64_split(&s, sb::S_R_BLOCKS_COUNT_LO, sb::S_R_BLOCKS_COUNT_HI),
        13107
    );
    assert_eq!(
        u64_split(&s, sb::S_FREE_BLOCKS_COUNT_LO, sb::S_FREE_BLOCKS_HI),
        249_189
    );
    assert_eq!(u32_at(&s, sb::S_FREE_INODES_COUNT), 65525);

    assert_eq!(u32_at(&s, sb::S_FIRST_DATA_BLOCK), 0);
    assert_eq!(u32_at(&s, sb::S_LOG_BLOCK_SIZE), 2);
    assert_eq!(u32_at(&s, sb::S_LOG_CLUSTER_SIZE), 2);
    assert_eq!(u32_at(&s, sb::S_BLOCKS_PER_GROUP), 32768);
    assert_eq!(u32_at(&s, sb::S_CLUSTERS_PER_GROUP), 32768);
    assert_eq!(u32_at(&s, sb::S_INODES_PER_GROUP), 8192);
    assert_eq!(u32_at(&s, sb::S_MTIME), 0);
    assert_eq!(u32_at(&s, sb::S_WTIME), 1_700_000_000);

    assert_eq!(u16_at(&s, sb::S_MAX_MNT_COUNT), 0xFFFF);
    assert_eq!(u16_at(&s, sb::S_MAGIC), 0xEF53);
    assert_eq!(u16_at(&s, sb::S_STATE), 1);
    assert_eq!(u16_at(&s, sb::S_ERRORS), 1);
    assert_eq!(u32_at(&s, sb::S_LASTCHECK), 1_700_000_000);
    assert_eq!(u32_at(&s, sb::S_REV_LEVEL), 1);
    assert_eq!(u32_at(&s, sb::S_FIRST_INO), 11);
    assert_eq!(u16_at(&s, sb::S_INODE_SIZE), 256);
    assert_eq!(u16_at(&s, sb::S_BLOCK_GROUP_NR), 0);

    assert_eq!(u32_at(&s, sb::S_FEATURE_COMPAT), 0x3C);
    assert_eq!(u32_at(&s, sb::S_FEATURE_INCOMPAT), 0x2C2);
    assert_eq!(u32_at(&s, sb::S_FEATURE_RO_COMPAT), 0x46B);
    assert_eq!(&s[sb::S_UUID..sb::S_UUID + 16], &UUID);
    assert_eq!(
        &s[sb::S_VOLUME_NAME..sb::S_VOLUME_NAME + 6],
        "vol-é".as_bytes()
    );
    assert!(s[sb::S_VOLUME_NAME + 6..sb::S_VOLUME_NAME + 16]
        .iter()
        .all(|&b| b == 0));

    assert_eq!(u16_at(&s, sb::S_RESERVED_GDT_BLOCKS), 127);
    assert_eq!(u32_at(&s, sb::S_JOURNAL_INUM), 8);
    assert_eq!(
        &s[sb::S_HASH_SEED..sb::S_HASH_SEED + 16],
        &crate::derive_hash_seed(&UUID)
    );
    assert_eq!(s[sb::S_DEF_HASH_VERSION], 1);
    assert_eq!(s[sb::S_JNL_BACKUP_TYPE], 1);
    assert_eq!(u16_at(&s, sb::S_DESC_SIZE), 64);
    assert_eq!(u32_at(&s, sb::S_DEFAULT_MOUNT_OPTS), 0x0C);

    assert_eq!(u32_at(&s, sb::S_MKFS_TIME), 1_700_000_000);
    assert_eq!(u16_at(&s, sb::S_MIN_EXTRA_ISIZE), 32);
    assert_eq!(u16_at(&s, sb::S_WANT_EXTRA_ISIZE), 32);
    assert_eq!(u32_at(&s, sb::S_FLAGS), 1);
    assert_eq!(s[sb::S_LOG_GROUPS_PER_FLEX], 4);
    assert_eq!(s[sb::S_CHECKSUM_TYPE], 1);
    assert_eq!(
        u64::from_le_bytes(
            s[sb::S_KBYTES_WRITTEN..sb::S_KBYTES_WRITTEN + 8]
                .try_into()
                .unwrap()
        ),
        (image.total_bytes + 1023) / 1024
    );
    assert_eq!(u32_at(&s, sb::S_OVERHEAD_CLUSTERS), 12949);
    assert_eq!(s[sb::S_MKFS_TIME_HI], 0);
    // s_jnl_blocks holds the journal inode's i_block, i_size_high, i_size.
    let journal = image.inode(145, 8);
    assert_eq!(
        &s[sb::S_JNL_BLOCKS..sb::S_JNL_BLOCKS + 60],
        &journal[ino::I_BLOCK..ino::I_BLOCK + 60]
    );
    assert_eq!(u32_at(&s, sb::S_JNL_BLOCKS + 60), 0);
    assert_eq!(u32_at(&s, sb::S_JNL_BLOCKS + 64), 8192 * 4096);
}

#[test]
fn backup_superblocks_record_their_group() {
    let image = Image::render(GIB, UUID, b"");
    let primary = image.superblock(0);
    for group in [1u64, 3, 5, 7] {
        let backup = image.superblock(group * 32768);
        assert_eq!(u16_at(&backup, sb::S_BLOCK_GROUP_NR), group as u16);
        assert_eq!(
            u16_at(&backup, sb::S_STATE),
            0,
            "backups are not marked clean"
        );
        let mut expected = primary.clone();
        expected[sb::S_BLOCK_GROUP_NR..sb::S_BLOCK_GROUP_NR + 2]
            .copy_from_slice(&(group as u16).to_le_bytes());
        expected[sb::S_STATE..sb::S_STATE + 2].copy_from_slice(&[0, 0]);
        assert_eq!(&backup[..sb::S_CHECKSUM], &expected[..sb::S_CHECKSUM]);
        // The descriptor blocks are copied too; reserved GDT blocks are not.
        assert_eq!(image.block(group * 32768 + 1), image.block(1));
        assert!(!image.blocks.contains_key(&(group * 32768 + 2)));
    }
    assert!(
        !image.blocks.contains_key(&(2 * 32768)),
        "group 2 has no backup"
    );
}

#[test]
fn every_checksum_matches_recomputation() {
    let image = Image::render(GIB, UUID, b"");
    let seed = csum_seed();
    for group in [0u64, 1, 3, 5, 7] {
        let mut s = image.superblock(group * 32768);
        let stored = u32_at(&s, sb::S_CHECKSUM);
        s[sb::S_CHECKSUM..].fill(0);
        assert_eq!(
            crc32c_update(!0, &s[..sb::S_CHECKSUM]),
            stored,
            "superblock {group}"
        );
    }
    for group in 0..8u64 {
        let mut d = image.descriptor(group);
        let stored = u16_at(&d, bg::BG_CHECKSUM);
        d[bg::BG_CHECKSUM..bg::BG_CHECKSUM + 2].fill(0);
        let crc = crc32c_update(
            crc32c_update(seed, &(group as u32).to_le_bytes()),
            &d,
        );
        assert_eq!(crc & 0xFFFF, u32::from(stored), "descriptor {group}");
        let flags = u16_at(&d, bg::BG_FLAGS);
        let bitmap_csum = u32::from(u16_at(&d, bg::BG_BLOCK_BITMAP_CSUM_LO))
            | (u32::from(u16_at(&d, bg::BG_BLOCK_BITMAP_CSUM_HI)) << 16);
        if flags & EXT2_BG_BLOCK_UNINIT == 0 {
            let bitmap =
                image.block(u64::from(u32_at(&d, bg::BG_BLOCK_BITMAP_LO)));
            assert_eq!(
                crc32c_update(seed, &bitmap),
                bitmap_csum,
                "block bitmap {group}"
            );
        } else {
            assert_eq!(bitmap_csum, 0);
        }
    }
    let group0 = image.descriptor(0);
    let inode_bitmap =
        image.block(u64::from(u32_at(&group0, bg::BG_INODE_BITMAP_LO)));
    let inode_bitmap_csum =
        u32::from(u16_at(&group0, bg::BG_INODE_BITMAP_CSUM_LO))
            | (u32::from(u16_at(&group0, bg::BG_INODE_BITMAP_CSUM_HI)) << 16);
    assert_eq!(
        crc32c_update(seed, &inode_bitmap[..1024]),
        inode_bitmap_csum
    );
    for inum in 1..=11u32 {
        let mut inode = image.inode(145, u64::from(inum));
        let extra = u16_at(&inode, ino::I_EXTRA_ISIZE);
        let mut stored = u32::from(u16_at(&inode, ino::L_I_CHECKSUM_LO));
        inode[ino::L_I_CHECKSUM_LO..ino::L_I_CHECKSUM_LO + 2].fill(0);
        if extra >= 4 {
            stored |= u32::from(u16_at(&inode, ino::I_CHECKSUM_HI)) << 16;
            inode[ino::I_CHECKSUM_HI..ino::I_CHECKSUM_HI + 2].fill(0);
        }
        let crc = crc32c_update(seed, &inum.to_le_bytes());
        let crc = crc32c_update(crc, &0u32.to_le_bytes());
        let crc = crc32c_update(crc, &inode);
        let mask = if extra >= 4 { !0 } else { 0xFFFF };
        assert_eq!(crc & mask, stored, "inode {inum}");
    }
    let directories = [
        (2u32, 4241u64),
        (11, 4242),
        (11, 4243),
        (11, 4244),
        (11, 4245),
    ];
    for (inum, block) in directories {
        let bytes = image.block(block);
        assert_eq!(u16_at(&bytes, 4084 + 4), 12, "tail rec_len");
        assert_eq!(u16_at(&bytes, 4084 + 6), 0xDE00, "tail marker");
        let crc = crc32c_update(seed, &inum.to_le_bytes());
        let crc = crc32c_update(crc, &0u32.to_le_bytes());
        assert_eq!(
            crc32c_update(crc, &bytes[..4084]),
            u32_at(&bytes, 4092),
            "dir block {block}"
        );
    }
}

#[test]
fn descriptors_match_mkfs() {
    let image = Image::render(GIB, UUID, b"");
    // (group, block bitmap, free blocks, flags) from dumpe2fs.
    let expected = [
        (0u64, 129u32, 28521u32, 0x4u16),
        (1, 130, 32639, 0x7),
        (2, 131, 32768, 0x7),
        (4, 133, 24576, 0x5),
        (7, 136, 32639, 0x5),
    ];
    for (group, block_bitmap, free, flags) in expected {
        let d = image.descriptor(group);
        assert_eq!(
            u32_at(&d, bg::BG_BLOCK_BITMAP_LO),
            block_bitmap,
            "group {group}"
        );
        assert_eq!(
            u32_at(&d, bg::BG_INODE_BITMAP_LO),
            block_bitmap + 8,
            "group {group}"
        );
        assert_eq!(
            u32_at(&d, bg::BG_INODE_TABLE_LO),
            145 + 512 * group as u32,
            "group {group}"
        );
        assert_eq!(
            u16_at(&d, bg::BG_FREE_BLOCKS_COUNT_LO) as u32,
            free,
            "group {group}"
        );
        assert_eq!(u16_at(&d, bg::BG_FLAGS), flags, "group {group}");
    }

    let d0 = image.descriptor(0);
    assert_eq!(u16_at(&d0, bg::BG_FREE_INODES_COUNT_LO), 8181);
    assert_eq!(u16_at(&d0, bg::BG_USED_DIRS_COUNT_LO), 2);
    assert_eq!(u16_at(&d0, bg::BG_ITABLE_UNUSED_LO), 8181);
    assert_eq!(u16_at(&image.descriptor(3), bg::BG_ITABLE_UNUSED_LO), 8192);

    // Group 0's bitmap: blocks 0 to 4246 in use.
    let bitmap = image.block(129);
    assert!(bitmap[..530].iter().all(|&b| b == 0xFF));
    assert_eq!(bitmap[530], 0x7F);
    assert!(bitmap[531..].iter().all(|&b| b == 0));
}

#[test]
fn special_inodes_match_mkfs() {
    let image = Image::render(GIB, UUID, b"");
    let root = image.inode(145, 2);
    assert_eq!(u16_at(&root, ino::I_MODE), 0o40755);
    assert_eq!(u16_at(&root, ino::I_LINKS_COUNT), 3);
    assert_eq!(u32_at(&root, ino::I_FLAGS), EXT4_EXTENTS_FL);
    assert_eq!(u32_at(&root, ino::I_BLOCK + 20), 4241, "root dir block");
    assert_eq!(u16_at(&root, ino::I_EXTRA_ISIZE), 32);
    assert_eq!(u32_at(&root, ino::I_CRTIME), 1_700_000_000);

    let resize = image.inode(145, 7);
    assert_eq!(u16_at(&resize, ino::I_MODE), 0o100600);
    assert_eq!(u32_at(&resize, ino::I_BLOCKS_LO), 5088);
    assert_eq!(
        u64_split(&resize, ino::I_SIZE_LO, ino::I_SIZE_HIGH),
        4_299_210_752
    );
    assert_eq!(
        u32_at(&resize, ino::I_BLOCK + 13 * 4),
        4246,
        "double-indirect block"
    );

    let journal = image.inode(145, 8);
    assert_eq!(u32_at(&journal, ino::I_BLOCKS_LO), 65536);
    assert_eq!(u16_at(&journal, ino::I_BLOCK + 16), 8192, "ee_len");
    assert_eq!(u32_at(&journal, ino::I_BLOCK + 20), 131_072, "ee_start_lo");

    let lost_found = image.inode(145, 11);
    assert_eq!(u16_at(&lost_found, ino::I_MODE), 0o40700);
    assert_eq!(u32_at(&lost_found, ino::I_SIZE_LO), 16384);
    assert_eq!(
        u16_at(&lost_found, ino::I_BLOCK + 16),
        4,
        "one extent of 4 blocks"
    );

    let bad_blocks = image.inode(145, 1);
    assert_eq!(u32_at(&bad_blocks, ino::I_MTIME), 1_700_000_000);
    assert_eq!(u16_at(&bad_blocks, ino::I_EXTRA_ISIZE), 0);
    let reserved = image.inode(145, 5);
    assert!(reserved[..ino::L_I_CHECKSUM_LO].iter().all(|&b| b == 0));
    assert!(
        image.inode(145, 12).iter().all(|&b| b == 0),
        "inode 12 never written"
    );

    // Reserved GDT block 0 (block 2) lists its copies in groups 1, 3, 5, 7.
    let reserved_gdt = image.block(2);
    let listed: Vec<u32> =
        (0..5).map(|i| u32_at(&reserved_gdt, i * 4)).collect();
    assert_eq!(listed, [32770, 98306, 163_842, 229_378, 0]);
    // The double-indirect block points at every reserved GDT block.
    let dind = image.block(4246);
    assert_eq!(u32_at(&dind, 4), 2);
    assert_eq!(u32_at(&dind, 127 * 4), 128);
    assert_eq!(u32_at(&dind, 0), 0);

    // Root directory: ".", "..", "lost+found".
    let dir = image.block(4241);
    assert_eq!(&dir[0..9], &[2, 0, 0, 0, 12, 0, 1, 2, b'.']);
    assert_eq!(&dir[24..30], &[11, 0, 0, 0, 0xDC, 0x0F]);
    assert_eq!(&dir[32..42], b"lost+found");
    // jbd2 superblock at the journal's first block.
    let jsb = image.block(131_072);
    assert_eq!(&jsb[0..4], &JBD2_MAGIC_NUMBER.to_be_bytes());
    assert_eq!(&jsb[0x30..0x40], &UUID);
}

#[test]
fn one_group_image() {
    // 8 MiB: one group of 2048 blocks, the last flex group has a single
    // group, so its tables are 16 blocks apart and the journal fills the
    // gaps (debugfs: (0-9):8-17, (10-24):19-33, (25-1023):163-1161).
    let image = Image::render(8 * MIB, UUID, b"");
    let d = image.descriptor(0);
    assert_eq!(u32_at(&d, bg::BG_BLOCK_BITMAP_LO), 2);
    assert_eq!(u32_at(&d, bg::BG_INODE_BITMAP_LO), 18);
    assert_eq!(u32_at(&d, bg::BG_INODE_TABLE_LO), 34);
    assert_eq!(u16_at(&d, bg::BG_FREE_BLOCKS_COUNT_LO), 886);
    let journal = image.inode(34, 8);
    let extents: Vec<(u32, u16, u32)> = (0..3)
        .map(|i| {
            let at = ino::I_BLOCK + 12 + i * 12;
            (
                u32_at(&journal, at),
                u16_at(&journal, at + 4),
                u32_at(&journal, at + 8),
            )
        })
        .collect();
    assert_eq!(extents, [(0, 10, 8), (10, 15, 19), (25, 999, 163)]);
    // No reserved GDT blocks, so the resize inode's double-indirect block
    // (162) lists nothing and is not written.
    assert_eq!(u16_at(&image.superblock(0), sb::S_RESERVED_GDT_BLOCKS), 0);
    assert_eq!(u32_at(&image.inode(34, 7), ino::I_BLOCK + 13 * 4), 162);
    assert!(!image.blocks.contains_key(&162));
    // The last group's bitmap is padded past block 2048.
    let bitmap = image.block(2);
    assert!(bitmap[256..].iter().all(|&b| b == 0xFF));
}

#[test]
fn tiny_last_group_is_padded() {
    // 1 GiB plus 508 blocks: mke2fs keeps a 9th group of 508 blocks.
    let image = Image::render(GIB + 508 * 4096, UUID, b"");
    let d = image.descriptor(8);
    assert_eq!(
        u16_at(&d, bg::BG_FLAGS),
        EXT2_BG_INODE_UNINIT | EXT2_BG_INODE_ZEROED
    );
    assert_eq!(u16_at(&d, bg::BG_FREE_BLOCKS_COUNT_LO), 508);
    let bitmap = image.block(u64::from(u32_at(&d, bg::BG_BLOCK_BITMAP_LO)));
    assert!(bitmap[..63].iter().all(|&b| b == 0));
    assert_eq!(bitmap[63], 0xF0, "blocks 508 to 511 are padding");
    assert!(bitmap[64..].iter().all(|&b| b == 0xFF));
}

#[test]
fn shrunken_groups_image() {
    // 129 MiB: mke2fs shrinks groups to 31920 blocks to fit the inodes.
    let image = Image::render(129 * MIB, UUID, b"");
    let s = image.superblock(0);
    assert_eq!(u32_at(&s, sb::S_BLOCKS_PER_GROUP), 31920);
    assert_eq!(
        u64_split(&s, sb::S_FREE_BLOCKS_COUNT_LO, sb::S_FREE_BLOCKS_HI),
        26818
    );
    assert_eq!(u32_at(&s, sb::S_OVERHEAD_CLUSTERS), 6200);
    // Bytes past blocks_per_group / 8 of a bitmap are padding.
    let bitmap = image.block(u64::from(u32_at(
        &image.descriptor(0),
        bg::BG_BLOCK_BITMAP_LO,
    )));
    assert!(bitmap[3990..].iter().all(|&b| b == 0xFF));
    let backup = image.superblock(31920);
    assert_eq!(u16_at(&backup, sb::S_BLOCK_GROUP_NR), 1);
}

#[test]
fn largest_image_plan() {
    let options =
        FormatOptions::new(16 * 1024 * GIB - MIB, UUID, b"", TIME, None)
            .unwrap();
    let plan = crate::plan::Plan::new(options).unwrap();
    assert_eq!(plan.geometry.group_count, 131_072);
    assert_eq!(plan.free_blocks, 4_260_837_088);
    assert_eq!(plan.overhead_blocks, 34_129_945);
    // debugfs: (ETB0):2146992127, then 8 extents of 32768 blocks.
    assert_eq!(plan.journal.leaf_block, Some(2_146_992_127));
    assert_eq!(plan.journal.extents.len(), 8);
    assert_eq!(plan.journal.extents[0].start, 2_146_992_128);
    let mut scratch = crate::plan::Scratch::new();
    let last = plan.group_desc(131_071, &mut scratch).unwrap();
    assert_eq!(last.free_blocks, 32512);
    assert_eq!(last.flags, EXT2_BG_INODE_UNINIT | EXT2_BG_INODE_ZEROED);
    assert_eq!(plan.backup_groups.len(), 24);
}

#[test]
fn builds_are_byte_identical() {
    let first = Image::render(20 * GIB, UUID, b"data");
    let second = Image::render(20 * GIB, UUID, b"data");
    assert_eq!(first.blocks, second.blocks);
    let mut other_uuid = UUID;
    other_uuid[15] ^= 1;
    let third = Image::render(20 * GIB, other_uuid, b"data");
    assert_ne!(first.blocks, third.blocks);
    assert_eq!(
        first.blocks.keys().collect::<Vec<_>>(),
        third.blocks.keys().collect::<Vec<_>>(),
        "the UUID changes bytes, not the layout"
    );
}

#[test]
fn free_counts_add_up() {
    for size in [8 * MIB, 129 * MIB, GIB + 508 * 4096, 20 * GIB, 3000 * GIB] {
        let options = FormatOptions::new(size, UUID, b"", TIME, None).unwrap();
        let plan = crate::plan::Plan::new(options).unwrap();
        let mut scratch = crate::plan::Scratch::new();
        let mut free = 0u64;
        for group in 0..plan.geometry.group_count {
            free += u64::from(
                plan.group_desc(group, &mut scratch).unwrap().free_blocks,
            );
        }
        assert_eq!(free, plan.free_blocks, "size {size}");
    }
}

#[test]
fn struct_sizes_and_offsets() {
    assert_eq!(sb::S_CHECKSUM, SUPERBLOCK_SIZE - 4);
    assert_eq!(sb::S_JNL_BLOCKS + 17 * 4, sb::S_BLOCKS_COUNT_HI);
    assert_eq!(sb::S_OVERHEAD_CLUSTERS, 0x248);
    assert_eq!(bg::BG_INODE_BITMAP_CSUM_HI + 2 + 4, DESC_SIZE);
    assert_eq!(ino::I_BLOCK + ino::I_BLOCK_LEN, ino::I_GENERATION);
    assert_eq!(
        ino::I_CRTIME_EXTRA + 4 - GOOD_OLD_INODE_SIZE + 8,
        usize::from(EXTRA_ISIZE)
    );
    assert_eq!(
        12 + 12 * usize::from(EXTENTS_IN_BLOCK) + 4,
        BLOCK_SIZE_USIZE
    );
    assert_eq!(12 + 12 * usize::from(EXTENTS_IN_INODE), ino::I_BLOCK_LEN);
    assert_eq!(BLOCK_SIZE * 8, BLOCKS_PER_GROUP);
    assert_eq!(DESCS_PER_BLOCK as usize * DESC_SIZE, BLOCK_SIZE_USIZE);
    assert_eq!(INODES_PER_BLOCK * INODE_SIZE, BLOCK_SIZE);
}
