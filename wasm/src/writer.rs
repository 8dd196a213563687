//! Streams the metadata of a planned image out in bounded chunks.
//!
//! Each [`Writer::next_chunk`] call fills a buffer of at most
//! [`DATA_CAPACITY`] bytes with runs: a byte offset in the image, a length
//! and where the bytes are in the buffer. The runs of all copies of a
//! descriptor block share one copy of its bytes. Everything not listed
//! stays as it is in the caller's fresh sparse file, which reads as zeros:
//! inode tables beyond the first block, the journal after its superblock,
//! and every data block.
//!
//! Memory stays bounded for any size: the writer holds the plan (a few
//! hundred bytes), one chunk of descriptor blocks (256 KiB), a block of
//! scratch space and the output buffer (1 MiB).

use crate::arith::{add, from_usize, mul, sub, to_u32, to_usize};
use crate::constants::{
    BLOCK_SIZE_U64, BLOCK_SIZE_USIZE, SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE,
};
use crate::error::{FormatError, Result};
use crate::ondisk::Superblock;
use crate::options::FormatOptions;
use crate::plan::{Plan, Scratch};

/// Capacity of the data buffer of one chunk: 1 MiB.
pub const DATA_CAPACITY: usize = 1024 * 1024;
/// Maximum number of runs in one chunk.
pub const MAX_RUNS: usize = 1024;
/// Bytes of one run record: offset (u64), length (u32), offset of the
/// bytes in the data buffer (u32), all little-endian.
pub const RUN_RECORD_SIZE: usize = 16;
/// Descriptor blocks rendered at once and copied to every backup: 64
/// blocks (256 KiB) describe 4096 groups.
const GDT_CHUNK_BLOCKS: u32 = 64;

/// The blocks written once each, after the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Single {
    InodeBitmap,
    InodeTable,
    RootDir,
    LostFound(usize),
    ResizeDind,
    JournalSuperblock,
    JournalLeaf,
}

const SINGLES: [Single; 10] = [
    Single::InodeBitmap,
    Single::InodeTable,
    Single::RootDir,
    Single::LostFound(0),
    Single::LostFound(1),
    Single::LostFound(2),
    Single::LostFound(3),
    Single::ResizeDind,
    Single::JournalSuperblock,
    Single::JournalLeaf,
];

/// Content of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    /// The superblock copy of a group.
    Superblock(u32),
    /// Descriptor blocks of chunk `chunk`, copied after the superblock of
    /// `group`.
    Descriptors { chunk: u32, group: u32 },
    /// Reserved GDT block `index` of group 0.
    ReservedGdt(u32),
    /// The block bitmap of a group.
    BlockBitmap(u32),
    /// One of the single blocks.
    Single(Single),
}

/// One run: `len` bytes at byte `offset` of the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Item {
    offset: u64,
    len: usize,
    content: Content,
}

/// Position in the sequence of runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Superblock(usize),
    Descriptors { chunk: u32, copy: usize },
    ReservedGdt(u32),
    BlockBitmap(u32),
    Single(usize),
    Done,
}

/// Returns `index + 1`.
fn next_index(index: usize) -> Result<usize> {
    index.checked_add(1).ok_or(FormatError::Overflow)
}

/// Walks the runs of an image in order without rendering them.
#[derive(Debug, Clone)]
struct Cursor {
    step: Step,
}

impl Cursor {
    fn new() -> Self {
        Cursor {
            step: Step::Superblock(0),
        }
    }

    /// Returns the group of superblock copy `copy` (0 is group 0).
    fn copy_group(plan: &Plan, copy: usize) -> Option<u32> {
        if copy == 0 {
            Some(0)
        } else {
            copy.checked_sub(1)
                .and_then(|index| plan.backup_groups.get(index))
                .copied()
        }
    }

    fn next_item(&mut self, plan: &Plan) -> Result<Option<Item>> {
        let geometry = &plan.geometry;
        loop {
            match self.step {
                Step::Superblock(copy) => match Self::copy_group(plan, copy) {
                    Some(group) => {
                        self.step = Step::Superblock(next_index(copy)?);
                        let mut offset = mul(
                            geometry.group_first_block(group)?,
                            BLOCK_SIZE_U64,
                        )?;
                        if group == 0 {
                            offset = add(offset, SUPERBLOCK_OFFSET)?;
                        }
                        return Ok(Some(Item {
                            offset,
                            len: SUPERBLOCK_SIZE,
                            content: Content::Superblock(group),
                        }));
                    }
                    None => self.step = Step::Descriptors { chunk: 0, copy: 0 },
                },
                Step::Descriptors { chunk, copy } => {
                    let first =
                        mul(u64::from(chunk), u64::from(GDT_CHUNK_BLOCKS))?;
                    if first >= u64::from(geometry.desc_blocks) {
                        self.step = Step::ReservedGdt(0);
                        continue;
                    }
                    let group = match Self::copy_group(plan, copy) {
                        Some(group) => group,
                        None => {
                            self.step = Step::Descriptors {
                                chunk: to_u32(add(u64::from(chunk), 1)?)?,
                                copy: 0,
                            };
                            continue;
                        }
                    };
                    self.step = Step::Descriptors {
                        chunk,
                        copy: next_index(copy)?,
                    };
                    let blocks = sub(u64::from(geometry.desc_blocks), first)?
                        .min(u64::from(GDT_CHUNK_BLOCKS));
                    let block = add(
                        add(geometry.group_first_block(group)?, 1)?,
                        first,
                    )?;
                    return Ok(Some(Item {
                        offset: mul(block, BLOCK_SIZE_U64)?,
                        len: to_usize(mul(blocks, BLOCK_SIZE_U64)?)?,
                        content: Content::Descriptors { chunk, group },
                    }));
                }
                Step::ReservedGdt(index) => {
                    // Without backups the reserved blocks list nothing and
                    // stay zero.
                    if index >= geometry.reserved_gdt_blocks
                        || plan.backup_groups.is_empty()
                    {
                        self.step = Step::BlockBitmap(0);
                        continue;
                    }
                    self.step =
                        Step::ReservedGdt(to_u32(add(u64::from(index), 1)?)?);
                    return Ok(Some(Item {
                        offset: mul(
                            plan.reserved_gdt_block(index)?,
                            BLOCK_SIZE_U64,
                        )?,
                        len: BLOCK_SIZE_USIZE,
                        content: Content::ReservedGdt(index),
                    }));
                }
                Step::BlockBitmap(group) => {
                    if group >= geometry.group_count {
                        self.step = Step::Single(0);
                        continue;
                    }
                    self.step =
                        Step::BlockBitmap(to_u32(add(u64::from(group), 1)?)?);
                    if plan.block_bitmap_uninit(group)? {
                        continue;
                    }
                    let block = geometry.group_tables(group)?.block_bitmap;
                    return Ok(Some(Item {
                        offset: mul(block, BLOCK_SIZE_U64)?,
                        len: BLOCK_SIZE_USIZE,
                        content: Content::BlockBitmap(group),
                    }));
                }
                Step::Single(index) => {
                    let single = match SINGLES.get(index) {
                        Some(&single) => single,
                        None => {
                            self.step = Step::Done;
                            continue;
                        }
                    };
                    self.step = Step::Single(next_index(index)?);
                    let block = match single {
                        Single::InodeBitmap => {
                            geometry.group_tables(0)?.inode_bitmap
                        }
                        Single::InodeTable => {
                            geometry.group_tables(0)?.inode_table
                        }
                        Single::RootDir => plan.root_dir_block,
                        Single::LostFound(index) => {
                            plan.lost_found_blocks[index]
                        }
                        // With no reserved GDT blocks the block is all zeros.
                        Single::ResizeDind
                            if geometry.reserved_gdt_blocks == 0 =>
                        {
                            continue
                        }
                        Single::ResizeDind => plan.resize_dind_block,
                        Single::JournalSuperblock => {
                            plan.journal.superblock_block()?
                        }
                        Single::JournalLeaf => match plan.journal.leaf_block {
                            Some(block) => block,
                            None => continue,
                        },
                    };
                    return Ok(Some(Item {
                        offset: mul(block, BLOCK_SIZE_U64)?,
                        len: BLOCK_SIZE_USIZE,
                        content: Content::Single(single),
                    }));
                }
                Step::Done => return Ok(None),
            }
        }
    }
}

/// Streams one image's metadata as runs of bytes.
#[derive(Debug)]
pub struct Writer {
    plan: Plan,
    superblock: Superblock,
    cursor: Cursor,
    pending: Option<Item>,
    total_bytes: u64,
    done_bytes: u64,
    /// The last rendered chunk of descriptor blocks and its number.
    descriptors: Vec<u8>,
    descriptors_chunk: Option<u32>,
    /// Chunk number and offset in `data` of the descriptor bytes that the
    /// runs of all copies of the current chunk share.
    shared_descriptors: Option<(u32, usize)>,
    scratch: Scratch,
    data: Vec<u8>,
    data_len: usize,
    runs: Vec<u8>,
    run_count: usize,
}

impl Writer {
    /// Plans the image and prepares to stream it.
    ///
    /// # Errors
    /// Returns the planning error (see [`Plan::new`]).
    pub fn new(options: FormatOptions) -> Result<Self> {
        let plan = Plan::new(options)?;
        let mut cursor = Cursor::new();
        let mut total_bytes = 0u64;
        while let Some(item) = cursor.next_item(&plan)? {
            total_bytes = add(total_bytes, from_usize(item.len)?)?;
        }
        let superblock = plan.superblock(total_bytes)?;
        let chunk_bytes =
            to_usize(mul(u64::from(GDT_CHUNK_BLOCKS), BLOCK_SIZE_U64)?)?;
        Ok(Writer {
            plan,
            superblock,
            cursor: Cursor::new(),
            pending: None,
            total_bytes,
            done_bytes: 0,
            descriptors: vec![0; chunk_bytes],
            descriptors_chunk: None,
            shared_descriptors: None,
            scratch: Scratch::new(),
            data: vec![0; DATA_CAPACITY],
            data_len: 0,
            runs: Vec::with_capacity(MAX_RUNS * RUN_RECORD_SIZE),
            run_count: 0,
        })
    }

    /// Returns the plan being written.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Returns the bytes of metadata in the whole image: the lengths of all
    /// runs, superblock copies (1 KiB each) and whole blocks.
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Returns the bytes of metadata covered by the runs handed out so far,
    /// in the units of [`Writer::total_bytes`].
    pub fn done_bytes(&self) -> u64 {
        self.done_bytes
    }

    /// Returns the data buffer of the last chunk.
    pub fn data(&self) -> &[u8] {
        &self.data[..self.data_len]
    }

    /// Returns the run records of the last chunk, [`RUN_RECORD_SIZE`] bytes
    /// each.
    pub fn runs(&self) -> &[u8] {
        &self.runs
    }

    /// Fills the buffers with the next runs and returns how many there
    /// are; 0 means the image is complete.
    pub fn next_chunk(&mut self) -> Result<usize> {
        self.data_len = 0;
        self.runs.clear();
        self.run_count = 0;
        self.shared_descriptors = None;
        loop {
            let item = match self.pending.take() {
                Some(item) => item,
                None => match self.cursor.next_item(&self.plan)? {
                    Some(item) => item,
                    None => break,
                },
            };
            let needed = match item.content {
                Content::Descriptors { chunk, .. }
                    if self.shared_descriptors.map(|(c, _)| c)
                        == Some(chunk) =>
                {
                    0
                }
                _ => item.len,
            };
            let room = DATA_CAPACITY.saturating_sub(self.data_len);
            if needed > room || self.run_count == MAX_RUNS {
                if self.run_count == 0 && self.data_len == 0 {
                    return Err(FormatError::LayoutInvariant("run too long"));
                }
                self.pending = Some(item);
                break;
            }
            self.render(item)?;
            self.done_bytes = add(self.done_bytes, from_usize(item.len)?)?;
        }
        Ok(self.run_count)
    }

    /// Renders `item` into the data buffer and records its run.
    fn render(&mut self, item: Item) -> Result<()> {
        let start = self.data_len;
        let end = start.checked_add(item.len).ok_or(FormatError::Overflow)?;
        if let Content::Descriptors { chunk, .. } = item.content {
            let offset = self.descriptors_in_buffer(chunk, item.len)?;
            return self.push_run(item.offset, item.len, offset);
        }
        let out = &mut self.data[start..end];
        let plan = &self.plan;
        match item.content {
            Content::Superblock(group) => self.superblock.write(group, out)?,
            Content::Descriptors { .. } => {}
            Content::ReservedGdt(index) => {
                plan.write_reserved_gdt_block(index, out)?
            }
            Content::BlockBitmap(group) => {
                plan.write_block_bitmap(group, out)?
            }
            Content::Single(single) => match single {
                Single::InodeBitmap => plan.write_inode_bitmap(out)?,
                Single::InodeTable => plan.write_inode_table_block(out)?,
                Single::RootDir => plan.write_root_dir(out)?,
                Single::LostFound(index) => {
                    plan.write_lost_found_block(index, out)?
                }
                Single::ResizeDind => plan.write_resize_dind(out)?,
                Single::JournalSuperblock => {
                    plan.write_journal_superblock(out)?
                }
                Single::JournalLeaf => plan.write_journal_leaf(out)?,
            },
        }
        self.data_len = end;
        self.push_run(item.offset, item.len, start)
    }

    /// Returns where the `len` bytes of descriptor chunk `chunk` are in
    /// the data buffer, rendering the chunk or copying it into this call's
    /// buffer when needed.
    fn descriptors_in_buffer(
        &mut self,
        chunk: u32,
        len: usize,
    ) -> Result<usize> {
        if self.descriptors_chunk != Some(chunk) {
            let first =
                to_u32(mul(u64::from(chunk), u64::from(GDT_CHUNK_BLOCKS))?)?;
            let rendered = &mut self.descriptors[..len];
            self.plan
                .write_gdt_blocks(first, rendered, &mut self.scratch)?;
            self.descriptors_chunk = Some(chunk);
        }
        if let Some((shared, offset)) = self.shared_descriptors {
            if shared == chunk {
                return Ok(offset);
            }
        }
        let start = self.data_len;
        let end = start.checked_add(len).ok_or(FormatError::Overflow)?;
        self.data[start..end].copy_from_slice(&self.descriptors[..len]);
        self.data_len = end;
        self.shared_descriptors = Some((chunk, start));
        Ok(start)
    }

    /// Records a run, extending the previous one when the two are
    /// adjacent both in the image and in the data buffer.
    fn push_run(
        &mut self,
        offset: u64,
        len: usize,
        data_offset: usize,
    ) -> Result<()> {
        if len == 0 {
            return Ok(());
        }
        let len = to_u32(from_usize(len)?)?;
        let data_offset = to_u32(from_usize(data_offset)?)?;
        if let Some(last) = self.runs.len().checked_sub(RUN_RECORD_SIZE) {
            let record = &mut self.runs[last..];
            let field = |bytes: &[u8]| -> Result<[u8; 8]> {
                let mut padded = [0u8; 8];
                padded[..bytes.len()].copy_from_slice(bytes);
                Ok(padded)
            };
            let last_offset = u64::from_le_bytes(field(&record[0..8])?);
            let last_len = u64::from_le_bytes(field(&record[8..12])?);
            let last_data = u64::from_le_bytes(field(&record[12..16])?);
            if add(last_offset, last_len)? == offset
                && add(last_data, last_len)? == u64::from(data_offset)
            {
                let merged = to_u32(add(last_len, u64::from(len))?)?;
                record[8..12].copy_from_slice(&merged.to_le_bytes());
                return Ok(());
            }
        }
        self.runs.extend_from_slice(&offset.to_le_bytes());
        self.runs.extend_from_slice(&len.to_le_bytes());
        self.runs.extend_from_slice(&data_offset.to_le_bytes());
        self.run_count = next_index(self.run_count)?;
        Ok(())
    }
}
