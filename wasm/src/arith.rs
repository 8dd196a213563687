//! Checked integer arithmetic that returns [`FormatError::Overflow`]
//! instead of wrapping or panicking.

use crate::error::{FormatError, Result};

/// Returns `a + b`.
pub fn add(a: u64, b: u64) -> Result<u64> {
    a.checked_add(b).ok_or(FormatError::Overflow)
}

/// Returns `a - b`.
pub fn sub(a: u64, b: u64) -> Result<u64> {
    a.checked_sub(b).ok_or(FormatError::Overflow)
}

/// Returns `a * b`.
pub fn mul(a: u64, b: u64) -> Result<u64> {
    a.checked_mul(b).ok_or(FormatError::Overflow)
}

/// Returns `a / b`, rounded down.
pub fn div(a: u64, b: u64) -> Result<u64> {
    a.checked_div(b).ok_or(FormatError::Overflow)
}

/// Returns `a % b`.
pub fn rem(a: u64, b: u64) -> Result<u64> {
    a.checked_rem(b).ok_or(FormatError::Overflow)
}

/// Returns `a / b`, rounded up (`ext2fs_div64_ceil`).
pub fn div_ceil(a: u64, b: u64) -> Result<u64> {
    let quotient = div(a, b)?;
    if rem(a, b)? == 0 {
        Ok(quotient)
    } else {
        add(quotient, 1)
    }
}

/// Converts to `u32`, failing if the value does not fit.
pub fn to_u32(value: u64) -> Result<u32> {
    u32::try_from(value).map_err(|_| FormatError::Overflow)
}

/// Converts to `u16`, failing if the value does not fit.
pub fn to_u16(value: u64) -> Result<u16> {
    u16::try_from(value).map_err(|_| FormatError::Overflow)
}

/// Converts to `usize`, failing if the value does not fit (wasm32 has a
/// 32-bit `usize`).
pub fn to_usize(value: u64) -> Result<usize> {
    usize::try_from(value).map_err(|_| FormatError::Overflow)
}

/// Converts a `usize` to `u64`, failing on targets where it does not fit.
pub fn from_usize(value: usize) -> Result<u64> {
    u64::try_from(value).map_err(|_| FormatError::Overflow)
}

/// Converts a non-negative finite `f64` to `u64`, truncating toward zero
/// like C's double-to-integer conversion. mke2fs computes the reserved
/// block count in `double`, and matching its result needs this rounding.
pub fn f64_to_u64_truncate(value: f64) -> Result<u64> {
    // 2^53: every integer below it is exact in f64, so the conversion
    // below loses nothing but the fraction.
    const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0;
    if !(0.0..EXACT_LIMIT).contains(&value) {
        return Err(FormatError::Overflow);
    }
    #[allow(clippy::as_conversions)]
    let truncated = value.trunc() as u64;
    Ok(truncated)
}

/// Converts a `u64` below 2^32 to `f64` exactly.
pub fn u64_to_f64(value: u64) -> Result<f64> {
    Ok(f64::from(to_u32(value)?))
}
