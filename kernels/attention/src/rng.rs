//! Deterministic weight initialisation (reproduced bit-for-bit by the NumPy
//! reference in `tests/reference/attention_numpy.py`).
//!
//! Generator: SplitMix64.
//! * state starts at `seed as u64 ^ 0x9E3779B97F4A7C15`;
//! * `next_u64`: `state += 0x9E3779B97F4A7C15; z = state;
//!   z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
//!   return z ^ (z >> 31)`, all with wrapping u64 arithmetic;
//! * uniform `u = (next_u64 >> 40) as f32 / 16777216.0`: the top 24 bits, so
//!   the conversion and the division by 2^24 are exact and `u ∈ [0, 1)`;
//! * value `(2u − 1) · a` computed in f32 (`2u − 1` is exact; the product
//!   rounds once). The bound `a` is computed in f64 and rounded to f32:
//!   Xavier-uniform `a = sqrt(6 / (D + D))` for the D×D projections and
//!   `a = 1 / sqrt(D)` for the biases.
//!
//! Order (one stream for everything): Wq, Wk, Wv, Wo, each row-major D×D
//! (`W[in][out]`), then — only if biases are used — bq, bk, bv, bo (D each).

/// The SplitMix64 generator described in the module documentation.
#[derive(Clone, Debug)]
pub(crate) struct SplitMix64 {
    state: u64,
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

impl SplitMix64 {
    pub fn new(seed: u32) -> Self {
        SplitMix64 {
            state: seed as u64 ^ GOLDEN_GAMMA,
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)` with 24 random bits (exactly representable in f32).
    pub fn next_unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / 16_777_216.0
    }

    /// Fill `out` with values uniform in `[-bound, bound)`: `(2u − 1) · bound`.
    pub fn fill_symmetric(&mut self, out: &mut [f32], bound: f32) {
        for value in out {
            *value = (2.0 * self.next_unit() - 1.0) * bound;
        }
    }
}

/// Xavier-uniform bound for a `fan_in × fan_out` matrix: `sqrt(6 / (fan_in + fan_out))`.
pub(crate) fn xavier_bound(fan_in: usize, fan_out: usize) -> f32 {
    (6.0f64 / (fan_in as f64 + fan_out as f64)).sqrt() as f32
}

/// Bias bound `1 / sqrt(fan_in)`.
pub(crate) fn bias_bound(fan_in: usize) -> f32 {
    (1.0f64 / (fan_in as f64).sqrt()) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_values() {
        // SplitMix64 seeded with state 0 (seed ^ gamma == 0 ⇔ seed == gamma, not a
        // u32), so check the published first output for state 0 directly.
        let mut rng = SplitMix64 { state: 0 };
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn units_are_in_range_and_deterministic() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        let mut c = SplitMix64::new(8);
        let mut differs = false;
        for _ in 0..1000 {
            let (x, y, z) = (a.next_unit(), b.next_unit(), c.next_unit());
            assert!((0.0..1.0).contains(&x));
            assert_eq!(x.to_bits(), y.to_bits());
            differs |= x != z;
        }
        assert!(differs);
    }
}
