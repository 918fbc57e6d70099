//! Configuration objects. Setters validate, so a config value that exists is
//! always in range.

use crate::error::KernelError;

/// Model of hyperbolic space used to compute geodesic distances. Both give the
/// same distance (they are isometric); they differ in numerical behaviour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ManifoldType {
    /// Poincaré ball: Möbius addition and `artanh`.
    Poincare,
    /// Lorentz (hyperboloid) model: Minkowski inner product and `arcosh`.
    Lorentz,
}

/// Dropout probability check shared by every type that carries one.
/// `value >= 1`, else a config error on `field`.
pub(crate) fn at_least_one(field: &str, value: u32) -> Result<(), KernelError> {
    if value == 0 {
        return Err(KernelError::config(field, "must be at least 1"));
    }
    Ok(())
}

pub(crate) fn validate_dropout(value: f32) -> Result<(), KernelError> {
    if !value.is_finite() || !(0.0..1.0).contains(&value) {
        return Err(KernelError::config(
            "dropout",
            format!("must be finite and in [0, 1), got {value}"),
        ));
    }
    Ok(())
}

/// Shape and options of a multi-head attention layer.
#[derive(Clone, Debug, PartialEq)]
pub struct AttentionConfig {
    num_heads: u32,
    head_dim: u32,
    dropout: f32,
    use_bias: bool,
}

impl AttentionConfig {
    /// `num_heads` heads of `head_dim` each (both >= 1, product fits in u32);
    /// dropout 0.0, biases on.
    pub fn new(num_heads: u32, head_dim: u32) -> Result<Self, KernelError> {
        at_least_one("num_heads", num_heads)?;
        at_least_one("head_dim", head_dim)?;
        if num_heads.checked_mul(head_dim).is_none() {
            return Err(KernelError::config(
                "head_dim",
                format!("num_heads * head_dim = {num_heads} * {head_dim} overflows u32"),
            ));
        }
        Ok(AttentionConfig {
            num_heads,
            head_dim,
            dropout: 0.0,
            use_bias: true,
        })
    }

    pub fn num_heads(&self) -> u32 {
        self.num_heads
    }

    pub fn head_dim(&self) -> u32 {
        self.head_dim
    }

    /// `num_heads * head_dim` (cannot overflow: checked in `new`).
    pub fn model_dim(&self) -> u32 {
        self.num_heads * self.head_dim
    }

    /// Dropout probability. Stored for API compatibility: the kernels do
    /// inference only, where dropout is the identity.
    pub fn dropout(&self) -> f32 {
        self.dropout
    }

    /// Set the dropout probability: finite, `0 <= value < 1`.
    pub fn set_dropout(&mut self, value: f32) -> Result<(), KernelError> {
        validate_dropout(value)?;
        self.dropout = value;
        Ok(())
    }

    /// Whether the projections have bias vectors.
    pub fn use_bias(&self) -> bool {
        self.use_bias
    }

    /// Every value is valid; returns `Result` for uniformity with the other setters.
    pub fn set_use_bias(&mut self, value: bool) -> Result<(), KernelError> {
        self.use_bias = value;
        Ok(())
    }
}

/// Options of hyperbolic attention.
#[derive(Clone, Debug, PartialEq)]
pub struct HyperbolicConfig {
    curvature: f32,
    num_heads: u32,
    manifold_type: ManifoldType,
}

fn validate_curvature(value: f32) -> Result<(), KernelError> {
    if !value.is_finite() || value >= 0.0 {
        return Err(KernelError::config(
            "curvature",
            format!("must be finite and negative, got {value}"),
        ));
    }
    Ok(())
}

impl HyperbolicConfig {
    /// `curvature` finite and `< 0`, `num_heads >= 1`; Poincaré model.
    pub fn new(curvature: f32, num_heads: u32) -> Result<Self, KernelError> {
        validate_curvature(curvature)?;
        at_least_one("num_heads", num_heads)?;
        Ok(HyperbolicConfig {
            curvature,
            num_heads,
            manifold_type: ManifoldType::Poincare,
        })
    }

    pub fn curvature(&self) -> f32 {
        self.curvature
    }

    /// Set the curvature: finite and `< 0`.
    pub fn set_curvature(&mut self, value: f32) -> Result<(), KernelError> {
        validate_curvature(value)?;
        self.curvature = value;
        Ok(())
    }

    /// Number of heads. Carried for API compatibility: `HyperbolicAttention`
    /// computes a single head over the full feature dimension.
    pub fn num_heads(&self) -> u32 {
        self.num_heads
    }

    pub fn manifold_type(&self) -> ManifoldType {
        self.manifold_type
    }

    /// Every value is valid; returns `Result` for uniformity with the other setters.
    pub fn set_manifold_type(&mut self, value: ManifoldType) -> Result<(), KernelError> {
        self.manifold_type = value;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attention_config_validates() {
        let mut config = AttentionConfig::new(8, 64).unwrap();
        assert_eq!(
            (config.num_heads(), config.head_dim(), config.model_dim()),
            (8, 64, 512)
        );
        assert_eq!(config.dropout(), 0.0);
        assert!(config.use_bias());
        assert!(matches!(
            AttentionConfig::new(0, 4),
            Err(KernelError::InvalidConfig { .. })
        ));
        assert!(matches!(
            AttentionConfig::new(4, 0),
            Err(KernelError::InvalidConfig { .. })
        ));
        assert!(AttentionConfig::new(u32::MAX, 2).is_err());
        config.set_dropout(0.5).unwrap();
        assert_eq!(config.dropout(), 0.5);
        for bad in [1.0, -0.1, f32::NAN, f32::INFINITY] {
            assert!(config.set_dropout(bad).is_err());
        }
        assert_eq!(config.dropout(), 0.5);
        config.set_use_bias(false).unwrap();
        assert!(!config.use_bias());
    }

    #[test]
    fn hyperbolic_config_validates() {
        let mut config = HyperbolicConfig::new(-1.0, 2).unwrap();
        assert_eq!(config.manifold_type(), ManifoldType::Poincare);
        assert_eq!(config.num_heads(), 2);
        for bad in [0.0, 1.0, f32::NAN, f32::NEG_INFINITY] {
            assert!(HyperbolicConfig::new(bad, 1).is_err());
            assert!(config.set_curvature(bad).is_err());
        }
        assert!(HyperbolicConfig::new(-1.0, 0).is_err());
        config.set_curvature(-0.5).unwrap();
        assert_eq!(config.curvature(), -0.5);
        config.set_manifold_type(ManifoldType::Lorentz).unwrap();
        assert_eq!(config.manifold_type(), ManifoldType::Lorentz);
    }
}
