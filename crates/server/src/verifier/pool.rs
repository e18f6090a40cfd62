//! The threads that run the verifier's CPU-bound checks (BBS proofs, status-list signatures).
//!
//! One thread per core, each taking the next check from a shared queue as soon as it finishes the last.
//! Two simpler designs were measured and lost (benches/service_load.rs): a blocking thread per
//! presentation (`spawn_blocking` unbounded) put more runnable threads than cores in front of the async
//! workers and the database threads; and a semaphore of one permit per core around `spawn_blocking` left
//! a core idle between checks, because a released permit went to a task that first had to be scheduled
//! on an async worker before its check could start. Here a check queued is a check that starts the moment
//! a thread is free.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use crate::error::ApiError;

type Job = Box<dyn FnOnce() + Send>;

/// The queue of checks; the threads stop when it is dropped.
#[derive(Debug)]
pub(super) struct CheckPool {
    queue: mpsc::Sender<Job>,
}

impl CheckPool {
    /// Starts one thread per available core (`std::thread::available_parallelism`).
    pub(super) fn start() -> Result<CheckPool, String> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let (queue, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..threads {
            let jobs = Arc::clone(&jobs);
            std::thread::Builder::new()
                .name(format!("ecert-check-{n}"))
                .spawn(move || work(&jobs))
                .map_err(|e| format!("cannot start the verifier's check threads: {e}"))?;
        }
        Ok(CheckPool { queue })
    }

    /// Runs `check` on a check thread, first come first served, and waits for its result.
    pub(super) async fn run<R: Send + 'static>(
        &self,
        check: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, ApiError> {
        let (reply, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            // The submitter may have gone (its client hung up); the result is then not needed.
            let _ = reply.send(check());
        });
        self.queue
            .send(job)
            .map_err(|_| ApiError::internal("the check threads have stopped"))?;
        result
            .await
            .map_err(|_| ApiError::internal("a check failed without a result (it panicked)"))
    }
}

fn work(jobs: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        // Hold the lock only to take a job, never while running one.
        let job = match jobs.lock() {
            Ok(jobs) => jobs.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        // A check that panics loses its own result (its submitter gets a 500), not the thread.
        if catch_unwind(AssertUnwindSafe(job)).is_err() {
            tracing::error!("a verifier check panicked");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn squares(pool: &Arc<CheckPool>, n: u64) -> Vec<Result<u64, ApiError>> {
        let mut tasks = tokio::task::JoinSet::new();
        for k in 0..n {
            let pool = Arc::clone(pool);
            tasks.spawn(async move { (k, pool.run(move || k * k).await) });
        }
        let mut results: Vec<(u64, Result<u64, ApiError>)> = tasks.join_all().await;
        results.sort_by_key(|(k, _)| *k);
        results.into_iter().map(|(_, r)| r).collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn checks_run_and_a_panic_costs_only_its_own_result() {
        let pool = Arc::new(CheckPool::start().unwrap_or_else(|e| panic!("{e}")));
        let results = squares(&pool, 64).await;
        for (k, result) in results.iter().enumerate() {
            assert!(
                matches!(result, Ok(square) if *square == (k * k) as u64),
                "{k}: {result:?}"
            );
        }

        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        for _ in 0..threads {
            #[allow(clippy::panic, reason = "the panic is what is tested")]
            let failed = pool.run(|| -> u8 { panic!("a check that panics") }).await;
            assert_eq!(
                failed.map_err(|e| e.code()).err(),
                Some(ecert_api::ErrorCode::Internal)
            );
        }
        // Every thread survived its panic.
        assert!(squares(&pool, 16).await.iter().all(Result::is_ok));
    }
}
