//! Reusable vectors of the iterative methods, and fallible allocation helpers.
//!
//! A [`Workspace`] lives as long as its owner (a `Solver` or a `SolveStream`):
//! its buffers grow (with `try_reserve_exact`, so that a huge system gives a
//! `MemoryError` instead of an abort) but never shrink, so repeated solves of
//! one size allocate nothing after the first.

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
    pub(crate) x: Vec<f64>,
    pub(crate) r: Vec<f64>,
    pub(crate) p: Vec<f64>,
    pub(crate) ap: Vec<f64>,
    /// The diagonal of A (Jacobi, Neumann).
    pub(crate) diag: Vec<f64>,
}

impl Workspace {
    /// Size the buffers `method` uses to `n` zeros, growing them if needed.
    pub(crate) fn prepare(&mut self, n: usize, method: Method) -> Result<(), KernelError> {
        let Workspace { x, r, p, ap, diag } = self;
        let buffers: [&mut Vec<f64>; 4] = match method {
            Method::ConjugateGradient => [x, r, p, ap],
            Method::Jacobi => [x, r, ap, diag],
            Method::Neumann => [x, p, ap, diag],
        };
        for buffer in buffers {
            zero_fill(buffer, n)?;
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

/// Make `buffer` hold `n` zeros, reusing its capacity.
fn zero_fill(buffer: &mut Vec<f64>, n: usize) -> Result<(), KernelError> {
    buffer.clear();
    buffer.try_reserve_exact(n).map_err(|_| out_of_memory_f64(n))?;
    buffer.resize(n, 0.0);
    Ok(())
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
    fn absurd_sizes_are_memory_errors() {
        let mut ws = Workspace::default();
        let err = ws.prepare(usize::MAX / 4, Method::Jacobi).unwrap_err();
        assert!(matches!(err, KernelError::MemoryError { .. }));
    }
}
