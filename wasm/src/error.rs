//! The error type of the formatter and its numeric codes on the
//! WebAssembly interface.

/// Reason a format request failed. The size, label and timestamp
/// variants are the caller's fault (invalid options), and the rest are
/// bugs in this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatError {
    /// The image size is below [`crate::MIN_SIZE_BYTES`].
    SizeTooSmall {
        /// Requested size in bytes.
        size_bytes: u64,
    },
    /// The image size is above [`crate::MAX_SIZE_BYTES`].
    SizeTooLarge {
        /// Requested size in bytes.
        size_bytes: u64,
    },
    /// The volume label is longer than the 16 bytes of `s_volume_name`.
    LabelTooLong {
        /// Label length in bytes.
        len: usize,
    },
    /// The volume label is not UTF-8 or contains a NUL byte, which would
    /// end the label early for every reader.
    LabelInvalid,
    /// The timestamp is 0 or later than [`crate::MAX_TIMESTAMP`].
    TimestampOutOfRange {
        /// Requested time in seconds since the Unix epoch.
        seconds: u64,
    },
    /// `next` was called without a successful `begin`.
    NotStarted,
    /// An integer computation overflowed or a value did not fit its
    /// on-disk field. This is a bug: the size limits rule it out.
    Overflow,
    /// A layout invariant that the streaming writer relies on did not
    /// hold, for example an allocation search left its window of the
    /// block bitmap. This is a bug: tests check every supported geometry
    /// class.
    LayoutInvariant(&'static str),
}

impl FormatError {
    /// Returns the negative status code that the WebAssembly exports
    /// return for this error.
    pub fn code(&self) -> i32 {
        match self {
            FormatError::SizeTooSmall { .. } => -1,
            FormatError::SizeTooLarge { .. } => -2,
            FormatError::LabelTooLong { .. } => -3,
            FormatError::LabelInvalid => -4,
            FormatError::TimestampOutOfRange { .. } => -5,
            FormatError::NotStarted => -6,
            FormatError::Overflow => -7,
            FormatError::LayoutInvariant(_) => -8,
        }
    }
}

/// Result type of the formatter.
pub type Result<T> = core::result::Result<T, FormatError>;
