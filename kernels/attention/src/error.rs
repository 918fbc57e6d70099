//! The kernel's error type.
//!
//! Every public function validates its inputs and returns one of these
//! instead of panicking: a trap inside WebAssembly would poison the module
//! for the JavaScript caller, while an `Err` becomes a typed JS exception.

use std::fmt;

/// Everything the kernel can report to its caller.
#[derive(Debug, Clone, PartialEq)]
pub enum KernelError {
    /// A configuration value is out of range (`field` names it).
    InvalidConfig { field: String, reason: String },
    /// Tensor shapes that cannot work together (a dimension that must equal
    /// the head dimension, a model dimension not divisible by the number of
    /// heads, a mask of the wrong shape, a zero-sized dimension, ...).
    ShapeMismatch { reason: String },
    /// A weight array has the wrong number of values.
    InvalidWeights { expected: u32, actual: u32 },
}

impl KernelError {
    pub(crate) fn config(field: &str, reason: impl Into<String>) -> Self {
        KernelError::InvalidConfig {
            field: field.to_string(),
            reason: reason.into(),
        }
    }

    pub(crate) fn shape(reason: impl Into<String>) -> Self {
        KernelError::ShapeMismatch {
            reason: reason.into(),
        }
    }
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::InvalidConfig { field, reason } => {
                write!(f, "invalid `{field}`: {reason}")
            }
            KernelError::ShapeMismatch { reason } => write!(f, "shape mismatch: {reason}"),
            KernelError::InvalidWeights { expected, actual } => {
                write!(
                    f,
                    "invalid weights: expected {expected} values, got {actual}"
                )
            }
        }
    }
}

impl std::error::Error for KernelError {}
