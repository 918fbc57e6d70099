//! Additive attention masks: `0` where attention is allowed, `-inf` where it
//! is not, added to the logits before the softmax.

use crate::config::at_least_one;
use crate::error::KernelError;
use crate::tensor::{checked_len, zeros};

/// Which positions a mask hides.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MaskType {
    /// Query `i` may not see keys `j > i` (autoregressive decoding).
    Causal,
    /// Key positions `j >= key_lengths[b]` are padding and hidden from every query.
    Padding,
    /// Nothing is hidden (all zeros).
    None,
}

/// Build an additive mask `[batch, seq_q, seq_k]`.
///
/// `key_lengths` is required for [`MaskType::Padding`] (one length per batch
/// entry, each `<= seq_k`; a length of 0 hides every key, which gives
/// all-zero attention rows) and ignored otherwise.
pub fn build_mask(
    mask_type: MaskType,
    batch: u32,
    seq_q: u32,
    seq_k: u32,
    key_lengths: Option<&[u32]>,
) -> Result<Vec<f32>, KernelError> {
    for (field, value) in [("batch", batch), ("seq_q", seq_q), ("seq_k", seq_k)] {
        at_least_one(field, value)?;
    }
    let (batch, seq_q, seq_k) = (batch as usize, seq_q as usize, seq_k as usize);
    let len = checked_len("mask", &[batch, seq_q, seq_k])?;
    let lengths = match mask_type {
        MaskType::Padding => {
            let lengths = key_lengths
                .ok_or_else(|| KernelError::config("key_lengths", "required for a padding mask"))?;
            if lengths.len() != batch {
                return Err(KernelError::shape(format!(
                    "key_lengths has {} values, expected batch = {batch}",
                    lengths.len()
                )));
            }
            if let Some(&bad) = lengths.iter().find(|&&l| l as usize > seq_k) {
                return Err(KernelError::config(
                    "key_lengths",
                    format!("each length must be <= seq_k = {seq_k}, got {bad}"),
                ));
            }
            Some(lengths)
        }
        MaskType::Causal | MaskType::None => None,
    };
    let mut mask = zeros("mask", len)?;
    match mask_type {
        MaskType::None => {}
        MaskType::Causal => {
            for block in mask.chunks_exact_mut(seq_q * seq_k) {
                for (i, row) in block.chunks_exact_mut(seq_k).enumerate() {
                    // j > i is the future; rows past seq_k hide nothing.
                    if i + 1 < seq_k {
                        row[i + 1..].fill(f32::NEG_INFINITY);
                    }
                }
            }
        }
        MaskType::Padding => {
            let lengths = lengths.unwrap_or_default();
            for (block, &length) in mask.chunks_exact_mut(seq_q * seq_k).zip(lengths) {
                for row in block.chunks_exact_mut(seq_k) {
                    row[length as usize..].fill(f32::NEG_INFINITY);
                }
            }
        }
    }
    Ok(mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEG: f32 = f32::NEG_INFINITY;

    #[test]
    fn causal_mask() {
        let mask = build_mask(MaskType::Causal, 2, 3, 4, None).unwrap();
        let one = [0.0, NEG, NEG, NEG, 0.0, 0.0, NEG, NEG, 0.0, 0.0, 0.0, NEG];
        assert_eq!(&mask[..12], &one);
        assert_eq!(&mask[12..], &one);
        // More queries than keys: late rows see everything.
        let tall = build_mask(MaskType::Causal, 1, 3, 2, None).unwrap();
        assert_eq!(tall, vec![0.0, NEG, 0.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn padding_mask() {
        let mask = build_mask(MaskType::Padding, 2, 2, 3, Some(&[2, 0])).unwrap();
        assert_eq!(
            mask,
            vec![0.0, 0.0, NEG, 0.0, 0.0, NEG, NEG, NEG, NEG, NEG, NEG, NEG]
        );
    }

    #[test]
    fn none_mask_and_errors() {
        assert_eq!(
            build_mask(MaskType::None, 1, 2, 2, None).unwrap(),
            vec![0.0; 4]
        );
        assert!(matches!(
            build_mask(MaskType::None, 0, 2, 2, None),
            Err(KernelError::InvalidConfig { .. })
        ));
        assert!(matches!(
            build_mask(MaskType::Causal, 1, 0, 2, None),
            Err(KernelError::InvalidConfig { .. })
        ));
        assert!(matches!(
            build_mask(MaskType::Padding, 1, 2, 2, None),
            Err(KernelError::InvalidConfig { .. })
        ));
        assert!(matches!(
            build_mask(MaskType::Padding, 2, 2, 2, Some(&[1])),
            Err(KernelError::ShapeMismatch { .. })
        ));
        assert!(matches!(
            build_mask(MaskType::Padding, 1, 2, 2, Some(&[3])),
            Err(KernelError::InvalidConfig { .. })
        ));
        assert!(build_mask(MaskType::None, u32::MAX, u32::MAX, u32::MAX, None).is_err());
    }
}
