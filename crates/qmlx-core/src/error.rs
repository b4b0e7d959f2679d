//! Typed errors. Every variant names the offending argument and what was expected, so the
//! Python layer can map them onto `ValueError` / `TypeError` / `IndexError` without parsing text.

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when describing or running a quantization op.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A tensor has the wrong shape (maps to Python `ValueError`).
    #[error("{arg}: expected {expected}, got {got}")]
    Shape {
        /// The argument name, as in MLX's API (`x`, `w`, `scales`, ...).
        arg: &'static str,
        /// What was expected.
        expected: String,
        /// What was received.
        got: String,
    },
    /// A tensor has the wrong dtype (maps to Python `TypeError`).
    #[error("{arg}: expected dtype {expected}, got {got}")]
    DType {
        /// The argument name.
        arg: &'static str,
        /// The accepted dtype(s).
        expected: String,
        /// The dtype received.
        got: String,
    },
    /// A scalar argument has an unsupported value: bits, group size, mode, rounding (Python `ValueError`).
    #[error("{arg}: expected {expected}, got {got}")]
    Value {
        /// The argument name.
        arg: &'static str,
        /// The accepted values.
        expected: String,
        /// The value received.
        got: String,
    },
    /// A gather index is negative or not below the number of matrices (Python `IndexError`).
    #[error("{arg}: index {index} at position {position} is out of range [0, {bound})")]
    Index {
        /// `lhs_indices` or `rhs_indices`.
        arg: &'static str,
        /// The offending value.
        index: i64,
        /// Its flat position in the (broadcast) index array.
        position: usize,
        /// The exclusive upper bound.
        bound: usize,
    },
    /// The weight to quantize holds NaN or infinity (Python `ValueError`).
    #[error("w: row {row} contains a non-finite value ({value}); only finite weights can be quantized")]
    NonFinite {
        /// Flat row index (over all leading dims).
        row: usize,
        /// The first non-finite value found.
        value: f32,
    },
    /// The backend cannot run this op (for example a GPU backend missing at run time).
    #[error("{0}")]
    Backend(String),
}

impl Error {
    pub(crate) fn shape(arg: &'static str, expected: impl Into<String>, got: impl Into<String>) -> Self {
        Error::Shape { arg, expected: expected.into(), got: got.into() }
    }
    pub(crate) fn dtype(arg: &'static str, expected: impl Into<String>, got: impl std::fmt::Display) -> Self {
        Error::DType { arg, expected: expected.into(), got: got.to_string() }
    }
    pub(crate) fn value(arg: &'static str, expected: impl Into<String>, got: impl std::fmt::Display) -> Self {
        Error::Value { arg, expected: expected.into(), got: got.to_string() }
    }
}

/// Formats a shape the way Python prints tuples: `(2, 3)`, `(5,)`, `()`.
pub fn fmt_shape(shape: &[usize]) -> String {
    match shape {
        [] => "()".into(),
        [a] => format!("({a},)"),
        _ => format!("({})", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}
