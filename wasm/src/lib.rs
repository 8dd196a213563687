//! Writes the metadata of an empty ext4 file system, the way
//! `mkfs.ext4 -b 4096` of e2fsprogs 1.47.0 does with Debian's
//! /etc/mke2fs.conf, for images from 8 MiB to 16 TiB minus 1 MiB.
//!
//! The image is a sparse file that the caller has already set to its full
//! length. The crate only produces the blocks that hold non-zero bytes.
//! Given the same options (size, UUID, label, timestamp, hash seed) the
//! output is byte-identical, because nothing here reads a clock or a
//! random source. Compared with mke2fs the only intended differences are
//! the hash seed (derived from the UUID, see [`derive_hash_seed`]),
//! `s_kbytes_written`, and inode times from 2038 on, which carry ext4's
//! epoch bits.
//!
//! Modules: [`constants`] and [`ondisk`] hold the on-disk format,
//! [`geometry`] the layout math, [`plan`] and [`bitmap`] replay mke2fs's
//! allocations, [`journal`] the journal, [`image`] renders blocks,
//! [`writer`] streams them, and `abi` holds the WebAssembly exports.
//!
//! # WebAssembly interface
//!
//! The module imports nothing and exports its `memory` and the functions
//! below. `u64` is `i64` in WebAssembly and a `BigInt` in JavaScript;
//! addresses are `u32` offsets into `memory`.
//!
//! - `ext4_format_version() -> u32`: the image layout version,
//!   [`FORMAT_VERSION`].
//! - `ext4_source_hash_ptr() -> u32` and `ext4_source_hash_len() -> u32`:
//!   the hex SHA-256 of the sources the module was built from (see
//!   scripts/build_wasm.sh).
//! - `ext4_params_ptr() -> u32`: address of a 48-byte parameter area that
//!   the caller fills before `begin`: UUID at 0, hash seed at 16, volume
//!   label (UTF-8) at 32.
//! - `ext4_format_begin(size_bytes: u64, timestamp: u64, label_len: u32,
//!   flags: u32) -> i32`: validates the options and plans the image, and
//!   returns 0 or an error code. `timestamp` is in seconds since the Unix
//!   epoch. With `flags` bit 0 set, the hash seed comes from the parameter
//!   area instead of being derived from the UUID.
//! - `ext4_total_bytes() -> u64` and `ext4_done_bytes() -> u64`: the
//!   metadata bytes of the whole format and of the runs handed out so far,
//!   for progress reports.
//! - `ext4_format_next() -> i32`: fills the output with the next runs and
//!   returns their count, 0 when the image is complete, or an error code.
//! - `ext4_runs_ptr() -> u32`: address of the run records of the last
//!   `next` call, 16 bytes each, little-endian: offset in the image
//!   (u64), length (u32), offset of the bytes in the data buffer (u32).
//! - `ext4_data_ptr() -> u32`: address of the data buffer of the last
//!   `next` call, at most 1 MiB.
//!
//! A caller writes each run's bytes at its offset in the image, in any
//! order, and reads the addresses again after every call because memory
//! may grow. Runs of one call may share bytes: every copy of a descriptor
//! block points at the same data. Error codes: -1 size too small, -2 size too large, -3 label
//! too long, -4 label not UTF-8 or containing NUL, -5 timestamp out of
//! range, -6 `next` without `begin`, -7 arithmetic overflow and -8 layout
//! invariant failed (both bugs).

#![deny(unsafe_code)]
#![forbid(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]
#![cfg_attr(not(test), warn(clippy::as_conversions))]
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects))]

#[allow(unsafe_code)] // The WebAssembly exports; see the module docs.
mod abi;
pub mod arith;
pub mod bitmap;
pub mod constants;
pub mod crc32c;
pub mod error;
pub mod geometry;
pub mod image;
pub mod journal;
pub mod ondisk;
pub mod options;
pub mod plan;
pub mod writer;

#[cfg(test)]
mod image_tests;

pub use abi::SOURCE_HASH;
pub use constants::FORMAT_VERSION;
pub use error::{FormatError, Result};
pub use options::{
    derive_hash_seed, FormatOptions, MAX_SIZE_BYTES, MAX_TIMESTAMP,
    MIN_SIZE_BYTES,
};
pub use writer::Writer;
