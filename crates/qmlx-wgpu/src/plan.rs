//! The host-side schedule shared by every runtime of these kernels (wgpu, the Metal host).

use qmlx_core::MatmulOp;

/// The host-side schedule of a matmul: output rows grouped by the w matrix they use, cut into
/// tiles that share one w matrix. Grouping makes sorted MoE experts (gather_qmm with sorted
/// rhs_indices) run as dense tiles; unsorted indices are sorted here, so `sorted_indices` is only
/// a hint that skips the sort.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// `(x row, output row)` per output row, grouped by w matrix.
    pub rows: Vec<[u32; 2]>,
    /// `(w matrix, first row entry, row count, 0)` per tile.
    pub tiles: Vec<[u32; 4]>,
    /// Use the matrix-vector kernel (transposed, few rows per w matrix) instead of the tiled one.
    pub qmv: bool,
}

/// Rows per tile of the qmv kernel (its MAXM) and of the tiled kernel.
pub const QMV_ROWS: usize = 8;
pub const QMM_ROWS: usize = 32;

impl Plan {
    /// Builds the schedule for `op` over its resolved `(x matrix, w matrix)` pairs.
    pub fn new(op: &MatmulOp, pairs: &[(usize, usize)]) -> Plan {
        let m = op.m;
        let mut entries: Vec<(usize, u32, u32)> = Vec::with_capacity(pairs.len() * m);
        for (p, &(xi, wi)) in pairs.iter().enumerate() {
            for mi in 0..m {
                entries.push((wi, (xi * m + mi) as u32, (p * m + mi) as u32));
            }
        }
        if !entries.is_sorted_by_key(|e| e.0) {
            entries.sort_by_key(|e| e.0); // stable: keeps row order within a w matrix
        }
        let mut runs = Vec::new();
        let mut start = 0;
        for i in 1..=entries.len() {
            if i == entries.len() || entries[i].0 != entries[start].0 {
                runs.push((entries[start].0, start, i - start));
                start = i;
            }
        }
        let qmv = op.transpose && entries.len() <= QMV_ROWS * runs.len();
        let per = if qmv { QMV_ROWS } else { QMM_ROWS };
        let mut tiles = Vec::new();
        for (wi, s, len) in runs {
            let mut o = 0;
            while o < len {
                let c = per.min(len - o);
                tiles.push([wi as u32, (s + o) as u32, c as u32, 0]);
                o += c;
            }
        }
        Plan { rows: entries.iter().map(|e| [e.1, e.2]).collect(), tiles, qmv }
    }
}
