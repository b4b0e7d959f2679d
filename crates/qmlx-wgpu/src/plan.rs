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
    /// Whether the schedule is one tile of the first w matrix whose x row i gives output row i
    /// (a plain decode of at most [`QMV_ROWS`] rows), so qmv may skip the tile and row tables.
    pub fn is_direct(&self) -> bool {
        let n = self.rows.len();
        self.tiles == [[0, 0, n as u32, 0]] && self.rows.iter().enumerate().all(|(i, r)| *r == [i as u32, i as u32])
    }

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

/// The shape of one qmv launch (the `QMV_*` override constants of `shaders/qmv.wgsl`): teams of
/// `lanes` threads split each row, each thread owning `cols` output columns and keeping
/// `cols × unroll` loads in flight; `workgroup` threads per workgroup. On the 4-bit word path a
/// load is `vec` words (4: one 16-byte vector, 1: one word) and `decode` picks how 4-bit codes
/// become floats (1: two codes per f16 pair, 2: the same with fewer shifts for fp4, 0: one code per
/// f32 / table lookup; 3: the pairs of 1 or 2 multiplied by f16 x as packed f16, on devices with
/// SHADER_F16 only, [`QmvLayout::with_f16`]), and affine 2-bit units with 16-bit x take two codes per f16 pair where
/// `decode` is not 0 (else one code per f32 mantissa); affine 8-bit codes take the word path too (f16 pairs, `vec` 4); other widths go by
/// 32-element chunks, at most two per thread and column in flight. `reduce` picks how a team's
/// partial sums meet (0: a tree with a barrier per level, 1: one barrier, then one thread per
/// column adds them up) and `prefetch` (word path, unroll 1) loads a thread's next unit before it
/// decodes the current one. `direct` (where the plan is one tile of identity rows of the first w
/// matrix, [`Plan::is_direct`]) lets the kernel skip reading the tile and row tables. `dot` (word
/// path) picks how an octet's eight products meet: 0, one chain of fused multiply-adds per column
/// (fewer instructions, the stage-5 default); 1, two 4-element dot products added to the column's
/// sum (the stage-4 form: a shorter dependency chain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QmvLayout {
    pub lanes: u32,
    pub cols: u32,
    pub workgroup: u32,
    pub unroll: u32,
    pub vec: u32,
    pub decode: u32,
    pub reduce: u32,
    pub prefetch: u32,
    pub direct: u32,
    pub dot: u32,
}

/// Largest `cols × workgroup` the kernel's reduction buffer holds, and the kernel's array bounds.
const QMV_RED: u32 = 1024;
const QMV_MAX_COLS: u32 = 4;
const QMV_MAX_UNROLL: u32 = 4;

impl QmvLayout {
    /// The default for a decode of `op`. Measured on an H200 through Vulkan
    /// (bench/results/wgpu-gpu-h200-stage2-round2.txt): one load step in flight per thread
    /// (unroll 1) beat two in every shape, and the fastest lane count was the one that gives
    /// about a thousand workgroups (14336×4096: 32 lanes, 4096×14336: 128, 28672×4096: 16).
    /// Still the best or within 2 % of it on an H100 with the written-out step of stage 3
    /// round 2 (bench/results/wgpu-gpu-h100-stage3-round2.txt: 2 or 4 units per step, 2
    /// columns, 64 or 256 threads, word loads, the one-code decode all swept). Stage 4 (H100,
    /// bench/results/wgpu-gpu-h100-stage4-round1.txt): the one-barrier reduction with the direct
    /// schedule was the fastest kernel variant in every shape and mode by both timing methods
    /// (affine 4-bit 14336×4096 by GPU timestamps 18.7 → 17.5 us); the rolling prefetch lost.
    /// Stage 5 (H100, bench/results/wgpu-gpu-h100-stage5-round1.txt, one pass by GPU timestamps
    /// on the three shapes): mxfp4 takes decode 2 (66.9/65.7/72.0 → 69.9/69.4/74.5 % of the
    /// copy), nvfp4 2 columns per thread (57.5/57.6/63.2 → 63.8/61.8/64.5 %, decode 2 no better
    /// there until stage 9, below); affine 4-bit and 8-bit stay at 4 columns, decode 1 (their best).
    pub fn choose(op: &MatmulOp) -> QmvLayout {
        let (cols, decode) = match op.spec.mode() {
            qmlx_core::Mode::Mxfp4 => (4, 2),
            // Stage 9 round 2 (H100, bench/results/wgpu-gpu-h100-stage9-round2.txt): with a
            // unit's two scales decoded as one pair, decode 2 beat 1 for nvfp4 (66.3/68.6/72.0 vs
            // 65.6/65.0/70.1 % of the copy by C; main 64.2/63.6/68.2).
            qmlx_core::Mode::Nvfp4 => (2, 2),
            _ => (4, 1),
        };
        let workgroup = 128u32;
        let mut l = QmvLayout { lanes: Self::lanes_for(op, cols, workgroup, 1024), cols, workgroup, unroll: 1, vec: 4, decode, reduce: 1, prefetch: 0, direct: 1, dot: 0 };
        // Stage 8 round 1 (H100, bench/results/wgpu-gpu-h100-stage8-round1.txt, % of the copy by
        // C): affine 3/5/6/7-bit units two per step at 32 lanes (their fewest; 14336x4096: 3-bit
        // 51.5 -> 52.5, 5-bit 66.9 -> 69.5, 6-bit 70.1 -> 74.4 vs one per step / main), one per
        // step with more lanes (4096x14336, 128 lanes: two per step lost 2.8-3.1 points); 2-bit
        // units one per step (f16 pairs: 49.1 / 49.8 %; two per step 43.4 / 38.2 %).
        if op.spec.mode() == qmlx_core::Mode::Affine && matches!(op.spec.bits(), 3 | 5 | 6 | 7) && l.lanes <= 32 && l.word_path(op) {
            l.unroll = 2;
        }
        l
    }

    /// This layout with packed f16 products (decode 3) where `f16` (the device has SHADER_F16)
    /// and `op` takes them: mxfp4 and nvfp4 codes on the word path in 16-byte units, f16 x, a
    /// pair decode; nvfp4 then at 4 columns (the x side, prepared once per unit and x row, serves
    /// 4 columns instead of 2). Stage 16 (H200, bench/results/wgpu-gpu-h200-stage16-round1.txt,
    /// by C, both orders): mxfp4 −5 to −8 % (14336x4096 16.4 → 15.3 us). Stage 17 (H200,
    /// bench/results/wgpu-gpu-h200-stage17-round1.txt, octets written out): nvfp4 at 4 columns
    /// −9 to −13 % vs its 2-column decode 2 (18.4/18.6/34.6 → 16.5/16.9/30.2 us; decode 3 at 2
    /// columns +5 %); affine 4-bit decode 3 +12 % (15.4 → 17.3 us), so it keeps decode 1
    /// (decode 3 stays a layout for it, tested).
    pub fn with_f16(mut self, op: &MatmulOp, f16: bool) -> QmvLayout {
        let mode = op.spec.mode();
        let on = matches!(mode, qmlx_core::Mode::Mxfp4 | qmlx_core::Mode::Nvfp4) && op.spec.bits() == 4;
        if f16 && on && op.out_dtype == qmlx_core::DType::F16 && self.vec == 4 && self.decode != 0 && self.word_path(op) {
            self.decode = 3;
            if mode == qmlx_core::Mode::Nvfp4 {
                self.cols = 4;
                self.lanes = Self::lanes_for(op, self.cols, self.workgroup, 1024);
            }
        }
        self
    }

    /// The lane count that gives about `target_groups` workgroups of `workgroup` threads with
    /// `cols` columns each: a power of two, at most one lane per 32-element chunk of a row
    /// (rounded up), 4..=workgroup.
    pub fn lanes_for(op: &MatmulOp, cols: u32, workgroup: u32, target_groups: usize) -> u32 {
        let want = (target_groups * (workgroup * cols) as usize).div_ceil(op.n.max(1));
        let up = want.next_power_of_two();
        let near = if up - want > want - up / 2 { up / 2 } else { up };
        near.min(op.k.div_ceil(32).next_power_of_two()).clamp(4, workgroup as usize) as u32
    }

    /// A layout as the bench tools take it (`--layouts`): the [`FromStr`](std::str::FromStr) form, or
    /// with lanes `a<G>` (e.g. `a1024x4x128x2x1x1`) the lane count that gives about G workgroups for
    /// `op` ([`QmvLayout::lanes_for`]).
    pub fn parse_for(s: &str, op: &MatmulOp) -> std::result::Result<QmvLayout, String> {
        let Some(rest) = s.strip_prefix('a') else { return s.parse() };
        let bad = |why: &str| format!("{s:?}: {why} (want a<workgroups>x<cols>x<workgroup>x...)");
        let (target, tail) = rest.split_once('x').ok_or_else(|| bad("no columns"))?;
        let target: usize = target.parse().map_err(|_| bad("workgroups"))?;
        let f: Vec<u32> = tail.split('x').map(|t| t.parse::<u32>().map_err(|_| bad("a field"))).collect::<std::result::Result<_, _>>()?;
        if f.len() < 2 {
            return Err(bad("no workgroup size"));
        }
        format!("{}x{tail}", QmvLayout::lanes_for(op, f[0], f[1], target)).parse()
    }

    /// Checks the limits the kernel was written for.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let ok = self.lanes.is_power_of_two()
            && self.workgroup % self.lanes == 0
            && self.workgroup <= 256
            && (1..=QMV_MAX_COLS).contains(&self.cols)
            && (1..=QMV_MAX_UNROLL).contains(&self.unroll)
            && self.cols * self.workgroup <= QMV_RED
            && (self.vec == 1 || self.vec == 4)
            && self.decode <= 3
            && self.reduce <= 1
            && self.prefetch <= 1
            && self.direct <= 1
            && self.dot <= 1;
        if ok {
            Ok(())
        } else {
            Err(format!("qmv layout {self}: lanes a power of two dividing the workgroup (≤ 256), cols 1..={QMV_MAX_COLS}, unroll 1..={QMV_MAX_UNROLL}, cols × workgroup ≤ {QMV_RED}, vec 1 or 4, decode 0..=3, reduce, prefetch, direct and dot 0 or 1"))
        }
    }

    /// Output columns per workgroup.
    pub fn cols_per_group(&self) -> usize {
        (self.workgroup / self.lanes * self.cols) as usize
    }

    /// Whether the kernel writes a 16-bit output itself (pairs of columns per word; needs N and
    /// `cols` even so no word is shared between threads), else float32 plus a cast.
    pub fn writes_16bit(&self, op: &MatmulOp) -> bool {
        op.out_dtype != qmlx_core::DType::F32 && op.n % 2 == 0 && self.cols % 2 == 0
    }

    /// Words per word-path unit of `bits`-bit codes: `vec` for 2/4/8-bit codes, the `bits` words
    /// of a 32-code chunk for 3/5/6/7-bit codes.
    pub fn unit_words(&self, bits: u32) -> u32 {
        if bits.is_power_of_two() { self.vec } else { bits }
    }

    /// Whether qmv takes `op`'s rows a unit at a time (the kernel's `qmv_word_kernel`): rows of
    /// whole units of 4-bit codes (any mode), affine 8-bit and mxfp8 codes (16-byte units), affine
    /// 2-bit codes and, with 32 lanes or more, 3/5/6/7-bit codes, whose groups hold whole units;
    /// other rows (and 1-bit codes) go chunk by chunk, code by code. Stage 7 round 2 (H100,
    /// bench/results/wgpu-gpu-h100-stage7-round2.txt, % of the copy by GPU timestamps): 2-bit
    /// units beat code by code on all three shapes in one call (34-39 → 41-43 %); 3/5/6-bit units
    /// (against main's code by code in round 1, another call) won at 32 and 128 lanes
    /// (14336×4096, 4096×14336: +3 to +7 points) and lost 2-3 points at 16 lanes (28672×4096),
    /// so there the chunks stay.
    pub fn word_path(&self, op: &MatmulOp) -> bool {
        use qmlx_core::Mode;
        let bits = op.spec.bits();
        let uw = self.unit_words(bits);
        let codes = match (op.spec.mode(), bits) {
            (_, 4) => true,
            (Mode::Affine | Mode::Mxfp8, 8) => self.vec == 4,
            (Mode::Affine, 2) => op.spec.group_size() >= 32 * uw / bits,
            (Mode::Affine, 3 | 5 | 6 | 7) => self.lanes >= 32,
            _ => false,
        };
        codes && op.spec.packed_words(op.k) % uw as usize == 0
    }

    /// The kernel's override constants for `plan` (x rows per tile: the plan's largest tile).
    pub fn constants(&self, op: &MatmulOp, plan: &Plan) -> [(&'static str, f64); 13] {
        let xrows = plan.tiles.iter().map(|t| t[2]).max().unwrap_or(1).clamp(1, QMV_ROWS as u32);
        let word_path = self.word_path(op);
        [
            ("QMV_WORD_PATH", word_path as u32 as f64),
            ("QMV_LANES", self.lanes as f64),
            ("QMV_COLS", self.cols as f64),
            ("QMV_WG", self.workgroup as f64),
            ("QMV_UNROLL", self.unroll as f64),
            ("QMV_XROWS", xrows as f64),
            ("QMV_OUT16", self.writes_16bit(op) as u32 as f64),
            ("QMV_VEC", self.vec as f64),
            ("QMV_DECODE", self.decode as f64),
            ("QMV_REDUCE", self.reduce as f64),
            ("QMV_PREFETCH", self.prefetch as f64),
            ("QMV_DIRECT", (self.direct == 1 && plan.is_direct()) as u32 as f64),
            ("QMV_DOT", self.dot as f64),
        ]
    }
}

impl std::fmt::Display for QmvLayout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}x{}x{}x{}x{}", self.lanes, self.cols, self.workgroup, self.unroll, self.vec, self.decode)?;
        if (self.reduce, self.prefetch, self.direct, self.dot) != (0, 0, 0, 0) {
            write!(f, "x{}x{}x{}", self.reduce, self.prefetch, self.direct)?;
        }
        if self.dot != 0 {
            write!(f, "x{}", self.dot)?;
        }
        Ok(())
    }
}

impl std::str::FromStr for QmvLayout {
    type Err = String;
    /// `lanes x cols x workgroup x unroll [x vec x decode [x reduce x prefetch x direct [x dot]]]`,
    /// e.g. `32x4x128x2x1x1` (vec 4, decode 1, reduce, prefetch, direct and dot 0 when left out).
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let v: Vec<u32> = s.split('x').map(|t| t.trim().parse::<u32>().map_err(|e| format!("{s:?}: {e}"))).collect::<std::result::Result<_, _>>()?;
        let (lanes, cols, workgroup, unroll, vec, decode, reduce, prefetch, direct, dot) = match v[..] {
            [l, c, w, u] => (l, c, w, u, 4, 1, 0, 0, 0, 0),
            [l, c, w, u, v, d] => (l, c, w, u, v, d, 0, 0, 0, 0),
            [l, c, w, u, v, d, r, p, x] => (l, c, w, u, v, d, r, p, x, 0),
            [l, c, w, u, v, d, r, p, x, t] => (l, c, w, u, v, d, r, p, x, t),
            _ => return Err(format!("{s:?}: want lanes x cols x workgroup x unroll [x vec x decode [x reduce x prefetch x direct [x dot]]]")),
        };
        let l = QmvLayout { lanes, cols, workgroup, unroll, vec, decode, reduce, prefetch, direct, dot };
        l.validate()?;
        Ok(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qmlx_core::{DType, Meta, Mode, QuantSpec};

    fn decode(n: usize, k: usize) -> MatmulOp {
        let spec = QuantSpec::new(Mode::Affine, 64, 4).unwrap();
        let x = Meta::new(DType::F16, &[1, k]);
        let w = Meta::new(DType::U32, &[n, spec.packed_words(k)]);
        let s = Meta::new(DType::F16, &[n, k / 64]);
        MatmulOp::quantized_matmul(&x, &w, &s, Some(&s), true, spec).unwrap()
    }

    #[test]
    fn direct_only_for_one_tile_of_identity_rows() {
        let op = decode(64, 128);
        assert!(Plan::new(&op, &[(0, 0)]).is_direct());
        assert!(!Plan::new(&op, &[(0, 1)]).is_direct(), "second w matrix");
        assert!(!Plan::new(&op, &[(0, 0), (0, 0)]).is_direct(), "x row 0 twice");
        assert!(!Plan::new(&op, &[(1, 0), (0, 0)]).is_direct(), "rows swapped");
        for s in ["32x4x128x1x4x1x1x1x1", "16x2x128x1x4x2x1x0x1x1", "32x4x128x2x1x1"] {
            assert_eq!(s.parse::<QmvLayout>().unwrap().to_string(), s, "layout strings round-trip");
        }
        // The bench tools' `a<workgroups>` lanes: 14336 rows, 4 columns, 128 threads, ~1024 groups → 32 lanes.
        let big = decode(14336, 4096);
        assert_eq!(QmvLayout::parse_for("a1024x4x128x1", &big).unwrap().to_string(), "32x4x128x1x4x1");
        assert_eq!(QmvLayout::parse_for("32x4x128x2x1x1", &big).unwrap().to_string(), "32x4x128x2x1x1");
        for bad in ["a1024", "a1024x4", "ax4x128x1", "a1024x4xqx1", "33x4x128x1"] {
            assert!(QmvLayout::parse_for(bad, &big).is_err(), "{bad}");
        }
        let l: QmvLayout = "32x4x128x1x4x1x1x1x1".parse().unwrap();
        let direct = |plan: &Plan| l.constants(&op, plan).iter().find(|c| c.0 == "QMV_DIRECT").unwrap().1;
        assert_eq!((direct(&Plan::new(&op, &[(0, 0)])), direct(&Plan::new(&op, &[(0, 1)]))), (1.0, 0.0));
    }

    #[test]
    fn default_layouts_are_the_measured_best_and_valid() {
        // The fastest layouts of the H200 sweep (bench/results/wgpu-gpu-h200-stage2-round2.txt), with
        // the stage-4 reduction and direct schedule (bench/results/wgpu-gpu-h100-stage4-round1.txt).
        for (n, k, want) in [(14336, 4096, "32x4x128x1x4x1x1x0x1"), (4096, 14336, "128x4x128x1x4x1x1x0x1"), (28672, 4096, "16x4x128x1x4x1x1x0x1")] {
            assert_eq!(QmvLayout::choose(&decode(n, k)).to_string(), want, "{n}x{k}");
        }
        // Stage 5 (bench/results/wgpu-gpu-h100-stage5-round1.txt): mxfp4 decode 2, nvfp4 2 columns.
        let fp = |mode: Mode, n: usize, k: usize| {
            let spec = QuantSpec::with_defaults(mode, None, None).unwrap();
            let x = Meta::new(DType::F16, &[1, k]);
            let w = Meta::new(DType::U32, &[n, spec.packed_words(k)]);
            let s = Meta::new(DType::U8, &[n, k / spec.group_size() as usize]);
            QmvLayout::choose(&MatmulOp::quantized_matmul(&x, &w, &s, None, true, spec).unwrap()).to_string()
        };
        assert_eq!(fp(Mode::Mxfp4, 14336, 4096), "32x4x128x1x4x2x1x0x1");
        // Stages 16-17: packed f16 products (decode 3) for mxfp4 and nvfp4 (at 4 columns) with f16
        // x where the device has SHADER_F16; affine 4-bit keeps decode 1.
        let with_f16 = |mode: Mode, gs: u32, dt: DType, f16: bool| {
            let spec = QuantSpec::new(mode, gs, 4).unwrap();
            let x = Meta::new(dt, &[1, 4096]);
            let w = Meta::new(DType::U32, &[14336, spec.packed_words(4096)]);
            let s = Meta::new(spec.scales_dtype(dt), &[14336, 4096 / gs as usize]);
            let b = spec.has_biases().then_some(&s);
            let op = MatmulOp::quantized_matmul(&x, &w, &s, b, true, spec).unwrap();
            QmvLayout::choose(&op).with_f16(&op, f16).decode
        };
        assert_eq!(with_f16(Mode::Mxfp4, 32, DType::F16, true), 3);
        assert_eq!(with_f16(Mode::Mxfp4, 32, DType::F16, false), 2);
        assert_eq!(with_f16(Mode::Mxfp4, 32, DType::BF16, true), 2);
        assert_eq!(with_f16(Mode::Mxfp4, 32, DType::F32, true), 2);
        assert_eq!(with_f16(Mode::Nvfp4, 16, DType::F16, true), 3);
        assert_eq!(with_f16(Mode::Nvfp4, 16, DType::F16, false), 2);
        assert_eq!(with_f16(Mode::Affine, 64, DType::F16, true), 1);
        // Stage 9: nvfp4 decode 2 (with the paired scales).
        assert_eq!(fp(Mode::Nvfp4, 14336, 4096), "16x2x128x1x4x2x1x0x1");
        assert_eq!(fp(Mode::Nvfp4, 4096, 14336), "64x2x128x1x4x2x1x0x1");
        // Stage 8 (bench/results/wgpu-gpu-h100-stage8-round1.txt): 3/5/6/7-bit units two per step
        // at 32 lanes only; 2-bit units one per step.
        let affine = |bits: u32, n: usize, k: usize| {
            let spec = QuantSpec::new(Mode::Affine, 64, bits).unwrap();
            let x = Meta::new(DType::F16, &[1, k]);
            let w = Meta::new(DType::U32, &[n, spec.packed_words(k)]);
            let s = Meta::new(DType::F16, &[n, k / 64]);
            QmvLayout::choose(&MatmulOp::quantized_matmul(&x, &w, &s, Some(&s), true, spec).unwrap()).to_string()
        };
        assert_eq!(affine(3, 14336, 4096), "32x4x128x2x4x1x1x0x1");
        assert_eq!(affine(6, 14336, 4096), "32x4x128x2x4x1x1x0x1");
        assert_eq!(affine(3, 4096, 14336), "128x4x128x1x4x1x1x0x1");
        assert_eq!(affine(5, 28672, 4096), "16x4x128x1x4x1x1x0x1");
        assert_eq!(affine(2, 14336, 4096), "32x4x128x1x4x1x1x0x1");
        for (n, k) in [(1, 64), (13, 192), (100_000, 64), (7, 1 << 20)] {
            let l = QmvLayout::choose(&decode(n, k));
            l.validate().unwrap();
            assert!(l.lanes as usize <= k.div_ceil(32).next_power_of_two().max(4), "{n}x{k}: {l}");
        }
    }
}
