//! Validation of `(data, shape)` tensor arguments and fallible allocation.
//!
//! The generated bindings already check `data.len() == product(shape)` and
//! that dimensions named alike agree, but the kernel is also called natively
//! (tests, benchmarks), so it re-checks everything and reports an error
//! instead of indexing out of bounds. Large buffers are allocated with
//! `try_reserve_exact` so that an absurd shape becomes an `Err`, not an abort.

use crate::error::KernelError;

/// A validated row-major 3-D tensor `[batch, rows, cols]`.
#[derive(Clone, Copy)]
pub(crate) struct Tensor3<'a> {
    pub data: &'a [f32],
    pub batch: usize,
    pub rows: usize,
    pub cols: usize,
}

impl<'a> Tensor3<'a> {
    /// Elements in one batch entry (`rows * cols`).
    pub fn batch_len(&self) -> usize {
        self.rows * self.cols
    }

    /// The `[rows, cols]` matrix of batch entry `b`.
    pub fn batch_slice(&self, b: usize) -> &'a [f32] {
        let len = self.batch_len();
        &self.data[b * len..(b + 1) * len]
    }
}

/// A validated row-major 2-D tensor `[rows, cols]`.
#[derive(Clone, Copy)]
pub(crate) struct Tensor2<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
}

/// Product of `dims`, or an error naming `what` if it overflows `usize` or
/// would need more than `isize::MAX` bytes as `f32`s.
pub(crate) fn checked_len(what: &str, dims: &[usize]) -> Result<usize, KernelError> {
    let too_large = || KernelError::shape(format!("{what} {dims:?} has too many elements"));
    let count = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(too_large)?;
    let bytes = count
        .checked_mul(std::mem::size_of::<f32>())
        .ok_or_else(too_large)?;
    if bytes > isize::MAX as usize {
        return Err(too_large());
    }
    Ok(count)
}

fn check_dims(what: &str, data_len: usize, dims: &[usize]) -> Result<(), KernelError> {
    if dims.contains(&0) {
        return Err(KernelError::shape(format!(
            "{what} has a zero-sized dimension in shape {dims:?}"
        )));
    }
    let expected = checked_len(what, dims)?;
    if data_len != expected {
        return Err(KernelError::shape(format!(
            "{what} has {data_len} values but its shape {dims:?} needs {expected}"
        )));
    }
    Ok(())
}

/// Validate a 3-D tensor argument: no zero dimension, data length matches.
pub(crate) fn tensor3<'a>(
    what: &str,
    arg: (&'a [f32], [usize; 3]),
) -> Result<Tensor3<'a>, KernelError> {
    let (data, [batch, rows, cols]) = arg;
    check_dims(what, data.len(), &[batch, rows, cols])?;
    Ok(Tensor3 {
        data,
        batch,
        rows,
        cols,
    })
}

/// Validate a 2-D tensor argument: no zero dimension, data length matches.
pub(crate) fn tensor2<'a>(
    what: &str,
    arg: (&'a [f32], [usize; 2]),
) -> Result<Tensor2<'a>, KernelError> {
    let (data, [rows, cols]) = arg;
    check_dims(what, data.len(), &[rows, cols])?;
    Ok(Tensor2 { data, rows, cols })
}

/// Check that dimension `actual` of `what` equals `expected`.
pub(crate) fn expect_dim(
    what: &str,
    dim: &str,
    actual: usize,
    expected: usize,
) -> Result<(), KernelError> {
    if actual != expected {
        return Err(KernelError::shape(format!(
            "{what} has {dim} {actual}, expected {expected}"
        )));
    }
    Ok(())
}

/// Validate an optional additive mask against `[batch, seq_q, seq_k]`.
pub(crate) fn mask3<'a>(
    mask: Option<(&'a [f32], [usize; 3])>,
    batch: usize,
    seq_q: usize,
    seq_k: usize,
) -> Result<Option<Tensor3<'a>>, KernelError> {
    let Some(arg) = mask else { return Ok(None) };
    let mask = tensor3("mask", arg)?;
    if [mask.batch, mask.rows, mask.cols] != [batch, seq_q, seq_k] {
        return Err(KernelError::shape(format!(
            "mask has shape {:?}, expected [batch, seq_q, seq_k] = {:?}",
            [mask.batch, mask.rows, mask.cols],
            [batch, seq_q, seq_k]
        )));
    }
    Ok(Some(mask))
}

/// A buffer of `len` copies of `value`, or an error if it cannot be allocated.
pub(crate) fn filled<T: Copy>(what: &str, len: usize, value: T) -> Result<Vec<T>, KernelError> {
    let mut buffer = Vec::new();
    buffer
        .try_reserve_exact(len)
        .map_err(|_| KernelError::shape(format!("{what} of {len} values cannot be allocated")))?;
    buffer.resize(len, value);
    Ok(buffer)
}

/// A zero-filled buffer of `len` floats, or an error if it cannot be allocated.
pub(crate) fn zeros(what: &str, len: usize) -> Result<Vec<f32>, KernelError> {
    filled(what, len, 0.0)
}

/// A zero-filled buffer with one float per element of a `dims`-shaped array.
pub(crate) fn zeros_for(what: &str, dims: &[usize]) -> Result<Vec<f32>, KernelError> {
    zeros(what, checked_len(what, dims)?)
}

/// `value` as `u32`, saturating (only used in error reports).
pub(crate) fn saturating_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}
