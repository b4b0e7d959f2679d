//! The decode (small-M) calls' threads: the calling thread works on the call's tasks itself,
//! next to `threads − 1` helper threads that spin for a while after each call before they park.
//!
//! Why not rayon alone: a call from outside the rayon pool injects its job, wakes a worker and
//! sleeps on a latch until the job ends, then must be woken itself. On the 2-core dev machine
//! (a KVM guest) that cost ~10 µs per call with empty tasks and ~20 µs per M=1 4096×4096
//! 4-bit call (~8 % of its time from memory; bench/results/cpu-2026-11-27-stage5-notes.md).
//! Here a call publishes its job with one atomic store; a spinning helper sees it at once, and
//! the caller never sleeps (it spins the few µs until the last helper task ends).
//!
//! One call at a time uses the pool; a call that finds it busy, or that runs on a rayon worker
//! (nested parallelism), takes the rayon pool as before. `QMLX_CPU_DECODE_POOL=rayon` turns the
//! spin pool off (for A/B timing); the helper count follows `rayon::current_num_threads()` at
//! first use (so `RAYON_NUM_THREADS=1` means no helper).

use std::cell::UnsafeCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::*};
use std::sync::OnceLock;
use std::thread::Thread;
use std::time::{Duration, Instant};

/// How long an idle helper spins for the next call before it parks: back-to-back decode calls
/// (one per layer and token) find it awake; an idle process stops burning the core soon.
const SPIN: Duration = Duration::from_micros(500);

/// A job: run by the caller (as participant 0) and by every helper that joins it (helper `i`
/// as participant `i + 1`); it pulls its own tasks.
type JobPtr = *const (dyn Fn(usize) + Sync + 'static);

struct Shared {
    /// Bumped when a job is published; idle helpers wait for a change.
    epoch: AtomicUsize,
    /// True while the current job admits helpers.
    open: AtomicBool,
    /// Helpers that registered for a job and have not left it (the caller waits for 0 before
    /// its job, which lives on its stack, goes away).
    active: AtomicUsize,
    /// Held by the one caller using the pool.
    busy: AtomicBool,
    /// Set by a helper whose job panicked; the caller panics too.
    panicked: AtomicBool,
    /// The current job: written by the `busy` holder before it bumps `epoch`, read by helpers
    /// that registered in `active` and saw `open` with that epoch.
    job: UnsafeCell<Option<JobPtr>>,
    /// Per helper: parked (or about to park) and needs an unpark.
    sleeping: Vec<AtomicBool>,
}

// SAFETY: `job` is accessed only under the protocol above (one writer while no helper is in
// `active`; readers only between `open` and the caller's wait for `active == 0`).
unsafe impl Sync for Shared {}
unsafe impl Send for Shared {}

struct Pool {
    shared: &'static Shared,
    threads: Vec<Thread>,
}

/// Off switch of [`set_decode_spin_pool`].
static DISABLED: AtomicBool = AtomicBool::new(false);

/// Turns the decode spin pool off (`false`: small-M calls use the rayon pool, and idle helpers
/// park after their spin) or back on. For A/B timing and for processes that do not want idle
/// threads to spin; the default is on.
pub fn set_decode_spin_pool(enabled: bool) {
    DISABLED.store(!enabled, SeqCst);
}

fn pool() -> Option<&'static Pool> {
    static POOL: OnceLock<Option<Pool>> = OnceLock::new();
    POOL.get_or_init(|| {
        if std::env::var("QMLX_CPU_DECODE_POOL").is_ok_and(|v| v == "rayon") {
            return None;
        }
        let helpers = rayon::current_num_threads().saturating_sub(1);
        if helpers == 0 {
            return None;
        }
        let shared: &'static Shared = Box::leak(Box::new(Shared {
            epoch: AtomicUsize::new(0),
            open: AtomicBool::new(false),
            active: AtomicUsize::new(0),
            busy: AtomicBool::new(false),
            panicked: AtomicBool::new(false),
            job: UnsafeCell::new(None),
            sleeping: (0..helpers).map(|_| AtomicBool::new(false)).collect(),
        }));
        let mut threads = vec![];
        for i in 0..helpers {
            let spawned = std::thread::Builder::new().name(format!("qmlx-decode-{i}")).spawn(move || helper(shared, i));
            match spawned {
                Ok(h) => threads.push(h.thread().clone()),
                // No thread (resource limits): the calls use rayon.
                Err(_) if threads.is_empty() => return None,
                Err(_) => break,
            }
        }
        Some(Pool { shared, threads })
    })
    .as_ref()
}

fn helper(s: &'static Shared, i: usize) {
    let mut seen = s.epoch.load(Acquire);
    loop {
        let mut since = Instant::now();
        let mut spins = 0u32;
        let e = loop {
            let e = s.epoch.load(Acquire);
            if e != seen {
                break e;
            }
            std::hint::spin_loop();
            spins = spins.wrapping_add(1);
            if spins % 256 == 0 && since.elapsed() > SPIN {
                // Dekker with the caller's bump-then-swap: either it sees `sleeping` and
                // unparks, or this load sees the new epoch (park's token covers an unpark
                // that comes before the park).
                s.sleeping[i].store(true, SeqCst);
                if s.epoch.load(SeqCst) == seen {
                    std::thread::park();
                }
                s.sleeping[i].store(false, SeqCst);
                since = Instant::now();
            }
        };
        seen = e;
        s.active.fetch_add(1, SeqCst);
        if s.open.load(SeqCst) && s.epoch.load(SeqCst) == e {
            // SAFETY: registered in `active` while the job of epoch `e` is open: the caller keeps
            // it alive until `active` drops to 0.
            if let Some(job) = unsafe { *s.job.get() } {
                if catch_unwind(AssertUnwindSafe(|| unsafe { (*job)(i + 1) })).is_err() {
                    s.panicked.store(true, SeqCst);
                }
            }
        }
        s.active.fetch_sub(1, Release);
    }
}

/// Closes the job and waits for the helpers in it, also when the caller's part panics.
struct Close<'a>(&'a Shared);
impl Drop for Close<'_> {
    fn drop(&mut self) {
        let s = self.0;
        s.open.store(false, SeqCst);
        while s.active.load(SeqCst) != 0 {
            std::hint::spin_loop();
        }
        // SAFETY: no helper is inside the job any more and none can join it (`open` is false).
        unsafe { *s.job.get() = None };
        s.busy.store(false, Release);
    }
}

/// Threads that take part in a [`run`] (caller included), or 0 where the pool is off.
pub(super) fn participants() -> usize {
    pool().map_or(0, |p| p.threads.len() + 1)
}

/// Runs `job(p)` on the calling thread (`p` = 0) and on the spin pool's helpers at once (each
/// runs it once, `p` = 1..[`participants`]; it must pull its own tasks and be done when they
/// are). Returns false, without running it, where the pool is off, busy or the caller is a rayon
/// worker: the caller uses rayon then.
pub(super) fn run(job: &(dyn Fn(usize) + Sync)) -> bool {
    if rayon::current_thread_index().is_some() || DISABLED.load(Relaxed) {
        return false;
    }
    let Some(p) = pool() else { return false };
    let s = p.shared;
    if s.busy.compare_exchange(false, true, Acquire, Relaxed).is_err() {
        return false;
    }
    // (A helper's panic in an earlier job whose caller panicked too was reported by that one.)
    s.panicked.store(false, SeqCst);
    // SAFETY: the lifetime is erased for the slot; `Close` ends every use before `job` goes away.
    let ptr: JobPtr = unsafe { std::mem::transmute::<*const (dyn Fn(usize) + Sync + '_), JobPtr>(job as *const _) };
    unsafe { *s.job.get() = Some(ptr) };
    let close = Close(s);
    s.open.store(true, SeqCst);
    s.epoch.fetch_add(1, SeqCst);
    for (i, t) in p.threads.iter().enumerate() {
        if s.sleeping[i].swap(false, SeqCst) {
            t.unpark();
        }
    }
    job(0);
    drop(close);
    if s.panicked.swap(false, SeqCst) {
        panic!("a qmlx decode task panicked on a helper thread");
    }
    true
}

#[cfg(test)]
mod tests {
    use super::super::matmul::for_each_task;
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    /// Runs `count` tasks through `for_each_task` (above the inline threshold) and checks that
    /// each ran exactly once, with one `init` per thread that took part.
    fn check_once(count: usize) {
        let hits: Vec<AtomicUsize> = (0..count).map(|_| AtomicUsize::new(0)).collect();
        let inits = AtomicUsize::new(0);
        for_each_task(
            count,
            usize::MAX,
            || {
                inits.fetch_add(1, Relaxed);
                std::thread::current().id()
            },
            |owner, t| {
                assert_eq!(*owner, std::thread::current().id(), "state used on another thread");
                hits[t].fetch_add(1, Relaxed);
            },
        );
        for (t, h) in hits.iter().enumerate() {
            assert_eq!(h.load(Relaxed), 1, "task {t} of {count}");
        }
        assert!(inits.load(Relaxed) <= count.max(1) && (count == 0 || inits.load(Relaxed) >= 1));
    }

    #[test]
    fn every_task_runs_once() {
        for round in 0..300 {
            for count in [0, 1, 2, 3, 16, 17, 1000] {
                check_once(count);
            }
            // Now and then idle long enough that the helpers park (the wake-up path).
            if round % 50 == 0 {
                std::thread::sleep(super::SPIN * 3);
            }
        }
    }

    #[test]
    fn concurrent_and_nested_callers() {
        // Several callers at once: one holds the pool, the others take rayon; also from inside
        // rayon workers (nested), which never use the pool.
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..100 {
                        check_once(37);
                    }
                });
            }
            s.spawn(|| rayon::scope(|_| (0..50).for_each(|_| check_once(19))));
        });
    }

    #[test]
    fn pool_off_and_on() {
        super::set_decode_spin_pool(false);
        check_once(33);
        super::set_decode_spin_pool(true);
        check_once(33);
    }

    #[test]
    fn a_panicking_task_panics_the_call_and_the_pool_recovers() {
        for victim in [0, 15] {
            let r = std::panic::catch_unwind(|| {
                for_each_task(16, usize::MAX, || (), |_, t| assert!(t != victim, "task {t} fails on purpose"));
            });
            assert!(r.is_err(), "victim {victim}");
            check_once(64);
        }
    }
}
