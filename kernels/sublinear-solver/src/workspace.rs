//! Reusable vectors of the iterative methods, and fallible allocation helpers.
//!
//! A [`Workspace`] lives as long as its owner (a `Solver` or a `SolveStream`):
//! its buffers grow (with `try_reserve_exact`, so that a huge system gives a
//! `MemoryError` instead of an abort) but never shrink, so repeated solves of
//! one size allocate nothing after the first.

use std::ops::{Deref, DerefMut};

use crate::error::{out_of_memory_f64, KernelError};
use crate::types::Method;

/// The vectors one solve works in. Which of them a method uses:
///
/// | method    | x | r        | p         | ap  | diag |
/// |-----------|---|----------|-----------|-----|------|
/// | CG        | ✓ | residual | direction | A·p |      |
/// | Jacobi    | ✓ | residual |           | A·x | ✓    |
/// | Neumann   | ✓ |          | term y_k  | A·y | ✓    |
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    /// The iterate.
    pub(crate) x: AlignedVec,
    pub(crate) r: AlignedVec,
    pub(crate) p: AlignedVec,
    pub(crate) ap: AlignedVec,
    /// The diagonal of A (Jacobi, Neumann).
    pub(crate) diag: AlignedVec,
}

impl Workspace {
    /// Size the buffers `method` uses to `n` zeros, growing them if needed.
    pub(crate) fn prepare(&mut self, n: usize, method: Method) -> Result<(), KernelError> {
        let Workspace { x, r, p, ap, diag } = self;
        let buffers: [&mut AlignedVec; 4] = match method {
            Method::ConjugateGradient => [x, r, p, ap],
            Method::Jacobi => [x, r, ap, diag],
            Method::Neumann => [x, p, ap, diag],
        };
        for buffer in buffers {
            buffer.zero_fill(n)?;
        }
        Ok(())
    }

    /// Bytes of all buffers' capacity.
    pub(crate) fn bytes(&self) -> f64 {
        let values =
            self.x.capacity() + self.r.capacity() + self.p.capacity() + self.ap.capacity() + self.diag.capacity();
        values as f64 * 8.0
    }

    /// A copy of the iterate, fallibly allocated.
    pub(crate) fn solution(&self) -> Result<Vec<f64>, KernelError> {
        try_copy(&self.x)
    }
}

/// Values an [`AlignedVec`] allocates beyond its length: enough to start the
/// vector on a 64-byte boundary from any 8-byte aligned allocation.
const ALIGN_SLACK: usize = 7;

/// A working vector that starts on a cache-line (64-byte) boundary.
///
/// A `Vec<f64>` is only 8-byte aligned in wasm (dlmalloc), and then every
/// fourth 16-byte SIMD load straddles two cache lines: the streaming passes
/// of an iteration (dot, axpy, ...) ran about 20% slower on such buffers.
/// The vector is a window of a slightly longer `Vec`; natively (16-byte
/// aligned allocations) the alignment changes nothing.
#[derive(Debug, Default)]
pub(crate) struct AlignedVec {
    buffer: Vec<f64>,
    /// Index in `buffer` of the first value (on a 64-byte boundary).
    start: usize,
    len: usize,
}

impl AlignedVec {
    /// Make the vector hold `n` zeros, reusing the buffer's capacity.
    fn zero_fill(&mut self, n: usize) -> Result<(), KernelError> {
        let total = n.checked_add(ALIGN_SLACK).ok_or_else(|| out_of_memory_f64(n))?;
        self.buffer.clear();
        self.buffer.try_reserve_exact(total).map_err(|_| out_of_memory_f64(n))?;
        self.buffer.resize(total, 0.0);
        self.start = self.buffer.as_ptr().align_offset(64).min(ALIGN_SLACK);
        self.len = n;
        Ok(())
    }

    /// Values the vector can hold without reallocating (the slack excluded).
    fn capacity(&self) -> usize {
        self.buffer.capacity().saturating_sub(ALIGN_SLACK)
    }

    /// The values as a `Vec` of their own (the buffer, shifted to index 0).
    pub(crate) fn into_vec(mut self) -> Vec<f64> {
        self.buffer.truncate(self.start + self.len);
        self.buffer.drain(..self.start);
        self.buffer
    }
}

impl Deref for AlignedVec {
    type Target = [f64];

    fn deref(&self) -> &[f64] {
        &self.buffer[self.start..self.start + self.len]
    }
}

impl DerefMut for AlignedVec {
    fn deref_mut(&mut self) -> &mut [f64] {
        &mut self.buffer[self.start..self.start + self.len]
    }
}

/// Bytes of the vectors a solve of size `n` works in (four of them, whatever the method).
pub(crate) fn workspace_bytes(n: usize) -> f64 {
    4.0 * n as f64 * 8.0
}

/// `MemoryError` when a solve needing `bytes` would exceed the configured limit.
pub(crate) fn check_memory_limit(limit: Option<f64>, bytes: f64) -> Result<(), KernelError> {
    match limit {
        Some(limit) if bytes > limit => Err(KernelError::MemoryError { bytes }),
        _ => Ok(()),
    }
}

/// `values.to_vec()` that reports a failed allocation instead of aborting.
pub(crate) fn try_copy(values: &[f64]) -> Result<Vec<f64>, KernelError> {
    let mut copy = Vec::new();
    copy.try_reserve_exact(values.len()).map_err(|_| out_of_memory_f64(values.len()))?;
    copy.extend_from_slice(values);
    Ok(copy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_reuses_capacity() {
        let mut ws = Workspace::default();
        ws.prepare(100, Method::ConjugateGradient).unwrap();
        let bytes = ws.bytes();
        assert_eq!(bytes, 4.0 * 100.0 * 8.0);
        ws.prepare(50, Method::ConjugateGradient).unwrap();
        ws.prepare(100, Method::ConjugateGradient).unwrap();
        assert_eq!(ws.bytes(), bytes);
        assert!(ws.x.iter().all(|&v| v == 0.0));
    }

    #[test]
    fn vectors_start_on_cache_lines() {
        let mut ws = Workspace::default();
        for n in [1, 7, 100, 1001] {
            ws.prepare(n, Method::Neumann).unwrap();
            for v in [&ws.x, &ws.p, &ws.ap, &ws.diag] {
                assert_eq!(v.len(), n);
                assert_eq!(v.as_ptr() as usize % 64, 0);
            }
        }
        ws.x.copy_from_slice(&[1.0; 1001]);
        ws.x[0] = 5.0;
        let x = std::mem::take(&mut ws.x).into_vec();
        assert_eq!(x.len(), 1001);
        assert_eq!((x[0], x[1000]), (5.0, 1.0));
    }

    #[test]
    fn absurd_sizes_are_memory_errors() {
        let mut ws = Workspace::default();
        let err = ws.prepare(usize::MAX / 4, Method::Jacobi).unwrap_err();
        assert!(matches!(err, KernelError::MemoryError { .. }));
    }
}
