//! A block bitmap over a window of the file system, and the libext2fs
//! block allocator calls that mke2fs makes after the group tables exist
//! (`ext2fs_new_block2`, `ext2fs_new_range`), ported to that window.
//!
//! A whole bitmap of a 16 TiB file system takes 512 MiB, so the planner
//! only loads the part around an allocation. A search that would have to
//! look past the window returns [`FormatError::LayoutInvariant`] instead
//! of guessing. The planner chooses windows large enough that this does
//! not happen for supported sizes, and the tests cover every size class.

use crate::arith::{add, from_usize, sub, to_usize};
use crate::error::{FormatError, Result};

/// A block bitmap covering blocks `first..end` of a file system of
/// `blocks_count` blocks. Bit set means in use.
#[derive(Debug, Clone)]
pub struct BlockWindow {
    first: u64,
    end: u64,
    blocks_count: u64,
    words: Vec<u64>,
}

impl BlockWindow {
    /// Creates an all-free window over blocks `first..end`.
    pub fn new(first: u64, end: u64, blocks_count: u64) -> Result<Self> {
        if first >= end || end > blocks_count {
            return Err(FormatError::LayoutInvariant("empty bitmap window"));
        }
        let words = to_usize(add(sub(end, first)?, 63)? / 64)?;
        Ok(BlockWindow {
            first,
            end,
            blocks_count,
            words: vec![0; words],
        })
    }

    /// Returns the first block covered by the window.
    pub fn first(&self) -> u64 {
        self.first
    }

    /// Returns the block after the last one covered by the window.
    pub fn end(&self) -> u64 {
        self.end
    }

    fn position(&self, block: u64) -> Result<(usize, u32)> {
        if block < self.first || block >= self.end {
            return Err(FormatError::LayoutInvariant("block outside window"));
        }
        let offset = sub(block, self.first)?;
        let bit =
            u32::try_from(offset % 64).map_err(|_| FormatError::Overflow)?;
        Ok((to_usize(offset / 64)?, bit))
    }

    /// Returns whether `block` is in use.
    pub fn is_set(&self, block: u64) -> Result<bool> {
        let (word, bit) = self.position(block)?;
        Ok(self.words[word] & (1u64 << bit) != 0)
    }

    /// Marks `len` blocks from `start` as in use, ignoring the part of the
    /// range outside the window.
    pub fn mark_clipped(&mut self, start: u64, len: u64) -> Result<()> {
        let clipped_start = start.max(self.first);
        let clipped_end = add(start, len)?.min(self.end);
        let mut block = clipped_start;
        while block < clipped_end {
            let (word, bit) = self.position(block)?;
            if bit == 0 && sub(clipped_end, block)? >= 64 {
                self.words[word] = !0;
                block = add(block, 64)?;
            } else {
                self.words[word] |= 1u64 << bit;
                block = add(block, 1)?;
            }
        }
        Ok(())
    }

    /// Marks `len` blocks from `start`, all inside the window, as in use.
    pub fn mark(&mut self, start: u64, len: u64) -> Result<()> {
        if start < self.first || add(start, len)? > self.end {
            return Err(FormatError::LayoutInvariant("mark outside window"));
        }
        self.mark_clipped(start, len)
    }

    /// Returns the first block in `start..=last` whose bit equals
    /// `in_use`, or `None` if there is none
    /// (`ext2fs_find_first_zero_block_bitmap2` and its `set` twin).
    fn find_first(
        &self,
        start: u64,
        last: u64,
        in_use: bool,
    ) -> Result<Option<u64>> {
        if start > last {
            return Ok(None);
        }
        if start < self.first {
            return Err(FormatError::LayoutInvariant("search before window"));
        }
        let scan_end = add(last, 1)?.min(self.end);
        let mut block = start;
        while block < scan_end {
            let (word, bit) = self.position(block)?;
            let value = if in_use {
                self.words[word]
            } else {
                !self.words[word]
            };
            let remaining = value >> bit;
            if remaining == 0 {
                block = add(block, sub(64, u64::from(bit))?)?;
                continue;
            }
            let found = add(block, u64::from(remaining.trailing_zeros()))?;
            if found < scan_end {
                return Ok(Some(found));
            }
            break;
        }
        if last >= self.end {
            return Err(FormatError::LayoutInvariant("search past window"));
        }
        Ok(None)
    }

    /// Returns the first free block in `start..=last`, or `None`.
    pub fn find_first_zero(
        &self,
        start: u64,
        last: u64,
    ) -> Result<Option<u64>> {
        self.find_first(start, last, false)
    }

    /// Returns the first used block in `start..=last`, or `None`.
    pub fn find_first_set(&self, start: u64, last: u64) -> Result<Option<u64>> {
        self.find_first(start, last, true)
    }

    /// Finds a free block at or after `goal`, wrapping to block 0, and
    /// marks it in use (`ext2fs_new_block2` followed by
    /// `ext2fs_block_alloc_stats2`).
    pub fn allocate_block(&mut self, goal: u64) -> Result<u64> {
        let goal = if goal >= self.blocks_count { 0 } else { goal };
        let last = sub(self.blocks_count, 1)?;
        let mut found = self.find_first_zero(goal, last)?;
        if found.is_none() && goal != 0 {
            found = self.find_first_zero(0, sub(goal, 1)?)?;
        }
        let block =
            found.ok_or(FormatError::LayoutInvariant("no free block"))?;
        self.mark(block, 1)?;
        Ok(block)
    }

    /// Finds the first free block at or after `goal` (wrapping to block
    /// 0) and the free run that starts there, at most `max_len` long, and
    /// marks it in use (`ext2fs_new_range` without flags, then
    /// `ext2fs_block_alloc_stats_range`). Returns `(start, length)`.
    pub fn allocate_range(
        &mut self,
        goal: u64,
        max_len: u64,
    ) -> Result<(u64, u64)> {
        if max_len == 0 {
            return Err(FormatError::LayoutInvariant("empty range"));
        }
        let goal = if goal >= self.blocks_count { 0 } else { goal };
        let last = sub(self.blocks_count, 1)?;
        let start = match self.find_first_zero(goal, last)? {
            Some(start) => start,
            None if goal != 0 => self
                .find_first_zero(0, last)?
                .ok_or(FormatError::LayoutInvariant("no free range"))?,
            None => return Err(FormatError::LayoutInvariant("no free range")),
        };
        let range_last = sub(add(start, max_len)?, 1)?.min(last);
        let end = match self.find_first_set(start, range_last)? {
            Some(end) => end,
            None => add(range_last, 1)?,
        };
        let len = sub(end, start)?;
        self.mark(start, len)?;
        Ok((start, len))
    }

    /// Returns the number of blocks in use in `start..start + len`, which
    /// must lie inside the window.
    pub fn count_used(&self, start: u64, len: u64) -> Result<u64> {
        let mut used = 0u64;
        let mut block = start;
        let end = add(start, len)?;
        while block < end {
            if self.is_set(block)? {
                used = add(used, 1)?;
            }
            block = add(block, 1)?;
        }
        Ok(used)
    }

    /// Number of 64-bit words backing the window, for memory accounting.
    pub fn words(&self) -> Result<u64> {
        from_usize(self.words.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_and_mark_across_words() {
        let mut window = BlockWindow::new(100, 400, 1000).unwrap();
        window.mark(100, 130).unwrap();
        assert_eq!(window.find_first_zero(100, 399), Ok(Some(230)));
        assert_eq!(window.find_first_set(150, 399), Ok(Some(150)));
        assert_eq!(window.find_first_set(230, 399), Ok(None));
        assert!(window.is_set(229).unwrap());
        assert!(!window.is_set(230).unwrap());
    }

    #[test]
    fn search_past_window_is_an_error() {
        let mut window = BlockWindow::new(0, 128, 1000).unwrap();
        window.mark(0, 128).unwrap();
        assert!(matches!(
            window.find_first_zero(0, 999),
            Err(FormatError::LayoutInvariant(_))
        ));
        assert!(matches!(window.find_first_zero(0, 127), Ok(None)));
    }

    #[test]
    fn allocate_range_takes_free_run_up_to_max() {
        let mut window = BlockWindow::new(0, 200, 200).unwrap();
        window.mark(0, 10).unwrap();
        window.mark(20, 1).unwrap();
        assert_eq!(window.allocate_range(0, 100), Ok((10, 10)));
        assert_eq!(window.allocate_range(20, 100), Ok((21, 100)));
        // Wraps to block 0 when nothing is free after the goal.
        window.mark(121, 79).unwrap();
        window.mark(0, 1).unwrap();
        assert!(window.allocate_range(150, 5).is_err());
    }

    #[test]
    fn allocate_block_wraps_to_start() {
        let mut window = BlockWindow::new(0, 64, 64).unwrap();
        window.mark(10, 54).unwrap();
        assert_eq!(window.allocate_block(20), Ok(0));
        assert_eq!(window.allocate_block(0), Ok(1));
    }
}
