//! The raw WebAssembly exports, the only code of the crate that uses
//! `unsafe`. The interface is described in the crate documentation.

use core::cell::UnsafeCell;

use crate::constants::FORMAT_VERSION;
use crate::error::FormatError;
use crate::options::{FormatOptions, LABEL_MAX_BYTES};
use crate::writer::Writer;

/// Hex SHA-256 of the crate's sources, computed by scripts/build_wasm.sh
/// and passed in at compile time; empty in builds without it (such as
/// `cargo test`).
pub const SOURCE_HASH: &str = match option_env!("MSB_EXT4_SOURCE_HASH") {
    Some(hash) => hash,
    None => "",
};

/// Size of the parameter area: UUID (16 bytes), hash seed (16), label (16).
pub const PARAMS_SIZE: usize = 48;

/// `flags` bit of [`ext4_format_begin`]: use the hash seed from the
/// parameter area instead of deriving it from the UUID.
pub const FLAG_HASH_SEED: u32 = 1;

/// Module-global state.
struct Global<T>(UnsafeCell<T>);

// SAFETY: the module is built for wasm32-unknown-unknown without the
// threads proposal, so one thread runs it, and no export calls another
// while it holds a reference into a `Global`. Native builds only touch
// these statics from a single test.
unsafe impl<T> Sync for Global<T> {}

static PARAMS: Global<[u8; PARAMS_SIZE]> =
    Global(UnsafeCell::new([0; PARAMS_SIZE]));
static WRITER: Global<Option<Writer>> = Global(UnsafeCell::new(None));

/// Returns the image layout version ([`FORMAT_VERSION`]).
#[no_mangle]
pub extern "C" fn ext4_format_version() -> u32 {
    FORMAT_VERSION
}

/// Returns the address of the source hash (ASCII hex).
#[no_mangle]
pub extern "C" fn ext4_source_hash_ptr() -> *const u8 {
    SOURCE_HASH.as_ptr()
}

/// Returns the length of the source hash in bytes (64, or 0).
#[no_mangle]
pub extern "C" fn ext4_source_hash_len() -> u32 {
    u32::try_from(SOURCE_HASH.len()).unwrap_or(0)
}

/// Returns the address of the 48-byte parameter area that the caller
/// fills before [`ext4_format_begin`].
#[no_mangle]
pub extern "C" fn ext4_params_ptr() -> *mut u8 {
    PARAMS.0.get().cast::<u8>()
}

/// Validates the options, plans the image and prepares the first chunk.
/// Returns 0, or a negative [`FormatError`] code. Replaces any format in
/// progress.
#[no_mangle]
pub extern "C" fn ext4_format_begin(
    size_bytes: u64,
    timestamp: u64,
    label_len: u32,
    flags: u32,
) -> i32 {
    // SAFETY: see `Global`; the copy ends the borrow at once.
    let params: [u8; PARAMS_SIZE] = unsafe { *PARAMS.0.get() };
    let mut uuid = [0u8; 16];
    uuid.copy_from_slice(&params[0..16]);
    let mut seed = [0u8; 16];
    seed.copy_from_slice(&params[16..32]);
    let label_len = match usize::try_from(label_len) {
        Ok(len) => len,
        Err(_) => return FormatError::LabelTooLong { len: usize::MAX }.code(),
    };
    if label_len > LABEL_MAX_BYTES {
        return FormatError::LabelTooLong { len: label_len }.code();
    }
    let label = &params[32..][..label_len];
    let hash_seed = if flags & FLAG_HASH_SEED != 0 {
        Some(seed)
    } else {
        None
    };
    let writer =
        FormatOptions::new(size_bytes, uuid, label, timestamp, hash_seed)
            .and_then(Writer::new);
    // SAFETY: see `Global`; no other reference to WRITER is live.
    let slot = unsafe { &mut *WRITER.0.get() };
    match writer {
        Ok(writer) => {
            *slot = Some(writer);
            0
        }
        Err(error) => {
            *slot = None;
            error.code()
        }
    }
}

/// Fills the output buffers with the next runs. Returns how many runs
/// they hold (0 when the image is complete), or a negative
/// [`FormatError`] code.
#[no_mangle]
pub extern "C" fn ext4_format_next() -> i32 {
    // SAFETY: see `Global`; no other reference to WRITER is live.
    let slot = unsafe { &mut *WRITER.0.get() };
    let result = match slot.as_mut() {
        Some(writer) => writer.next_chunk(),
        None => Err(FormatError::NotStarted),
    };
    match result {
        Ok(0) => {
            *slot = None;
            0
        }
        Ok(runs) => {
            i32::try_from(runs).unwrap_or_else(|_| FormatError::Overflow.code())
        }
        Err(error) => {
            *slot = None;
            error.code()
        }
    }
}

fn with_writer<T>(default: T, read: impl FnOnce(&Writer) -> T) -> T {
    // SAFETY: see `Global`; the shared borrow ends before returning.
    let slot = unsafe { &*WRITER.0.get() };
    slot.as_ref().map_or(default, read)
}

/// Returns the address of the run records of the last chunk, or null.
#[no_mangle]
pub extern "C" fn ext4_runs_ptr() -> *const u8 {
    with_writer(core::ptr::null(), |writer| writer.runs().as_ptr())
}

/// Returns the address of the data buffer of the last chunk, or null.
#[no_mangle]
pub extern "C" fn ext4_data_ptr() -> *const u8 {
    with_writer(core::ptr::null(), |writer| writer.data().as_ptr())
}

/// Returns the metadata bytes of the current format in total, or 0 (see
/// [`Writer::total_bytes`]).
#[no_mangle]
pub extern "C" fn ext4_total_bytes() -> u64 {
    with_writer(0, Writer::total_bytes)
}

/// Returns the metadata bytes covered by the runs handed out so far, or 0
/// (see [`Writer::done_bytes`]).
#[no_mangle]
pub extern "C" fn ext4_done_bytes() -> u64 {
    with_writer(0, Writer::done_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::MIN_SIZE_BYTES;

    #[test]
    fn exports_stream_an_image() {
        assert_eq!(ext4_format_next(), FormatError::NotStarted.code());
        let params = ext4_params_ptr();
        let bytes = [0x11u8; PARAMS_SIZE];
        // SAFETY: the parameter area is PARAMS_SIZE bytes long.
        unsafe {
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), params, PARAMS_SIZE)
        };
        assert_eq!(
            ext4_format_begin(MIN_SIZE_BYTES - 1, 1, 0, 0),
            FormatError::SizeTooSmall { size_bytes: 0 }.code()
        );
        assert_eq!(ext4_format_begin(MIN_SIZE_BYTES, 1, 17, 0), -3);
        assert_eq!(ext4_format_begin(MIN_SIZE_BYTES, 1, 4, FLAG_HASH_SEED), 0);

        let total = ext4_total_bytes();
        assert!(total > 0);
        let mut written = 0u64;
        loop {
            let runs = ext4_format_next();
            assert!(runs >= 0, "error {runs}");
            if runs == 0 {
                break;
            }
            assert!(!ext4_runs_ptr().is_null());
            assert!(!ext4_data_ptr().is_null());
            let records =
                with_writer(Vec::new(), |writer| writer.runs().to_vec());
            for record in records.chunks_exact(16) {
                let len = u32::from_le_bytes(record[8..12].try_into().unwrap());
                written += u64::from(len);
            }
            assert!(ext4_done_bytes() <= total);
        }

        assert_eq!(written, total);
        assert_eq!(ext4_total_bytes(), 0);
        assert_eq!(ext4_format_version(), FORMAT_VERSION);
    }
}
